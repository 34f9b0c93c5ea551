"""How a session ended, told honestly: the one rule for "complete" versus "ended early".

The rule, in plain words:

- A session is *complete* when it ran to its end **and** at least half of its
  steps were done (done, not skipped): 7 of 14 is complete, 6 of 14 is not. A
  session without steps is complete.
- A session that ran to its end with fewer than half its steps done (the person
  skipped through it) *ended early*. So did one the person ended themselves
  ("End session"), however much was done. Neither counts towards a streak.
- A session stopped with "this hurts" was *stopped* for pain: the person is
  told to rest, never to push through.

Only complete sessions count towards streaks and as completed sessions. The
summary always says what was done ("You did 3 of 14 steps.").

The engine (``engine.py``) uses ``end_reason`` when the last step is behind it;
the session service stores the result and the history service counts days with
``counts_as_complete``; the web player and the terminal show ``title`` and
``done_text``.
"""

from __future__ import annotations

from backcoach.coach.session_state import EndReason
from backcoach.i18n import _, ngettext

__all__ = [
    "counts_as_complete",
    "done_text",
    "end_reason",
    "ending_say",
    "title",
]


def counts_as_complete(steps_done: int, steps_total: int) -> bool:
    """True when enough of a session was done for it to count as complete.

    Args:
        steps_done: steps done (not skipped).
        steps_total: steps in the session's plan.

    Example:
        >>> counts_as_complete(7, 14), counts_as_complete(6, 14)
        (True, False)
    """
    return 2 * steps_done >= steps_total


def end_reason(steps_done: int, steps_total: int) -> EndReason:
    """How a session that went past its last step ended: complete or ended early.

    Example:
        >>> end_reason(0, 14)
        <EndReason.ENDED_EARLY: 'ended-early'>
    """
    if counts_as_complete(steps_done, steps_total):
        return EndReason.COMPLETED
    return EndReason.ENDED_EARLY


def title(ended_by: EndReason | None) -> str:
    """The heading of the end screen (web and terminal alike)."""
    if ended_by is EndReason.COMPLETED:
        return _("Session complete. Well done!")
    if ended_by is EndReason.HURT:
        return _("Stop and rest")
    return _("Session ended early")


def done_text(steps_done: int, steps_total: int) -> str:
    """What was done, in one sentence.

    Example:
        >>> done_text(3, 14)
        'You did 3 of 14 steps.'
    """
    return ngettext(
        "You did {done} of {total} step.", "You did {done} of {total} steps.", steps_total
    ).format(done=steps_done, total=steps_total)


def ending_say(ended_by: EndReason, steps_done: int, steps_total: int) -> str:
    """The cue spoken (and shown) when the session ends."""
    if ended_by is EndReason.HURT:
        return _(
            "Stop and rest. Pain is a signal to stop, not to push through. "
            "If it does not settle, talk to a clinician."
        )
    if ended_by is EndReason.COMPLETED:
        return _("Session complete. Well done.")
    done = done_text(steps_done, steps_total)
    if steps_done == 0:
        return _("Session ended early. {done} That is fine: try again when you are ready.").format(
            done=done
        )
    return _("Session ended early. {done} Well done for what you did.").format(done=done)
