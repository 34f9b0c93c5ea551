"""What the hands-free voice says (and the screen shows) as a session runs.

The rule, in plain words:

- At the start of every step the voice says which exercise it is and its dose,
  then how to get into the start position (the exercise's set-up line), then
  the one key cue; only after that come the counts.
- Everything else is said in short, natural words: "Let's begin.", "Rest for
  20 seconds.", "Rest over. Last set, get ready.", "Now the right side.",
  "That's set 1, one more to go.", "Well done.", and the session's end words.
- Names are said without brackets: "Superman (prone lift)" is "Superman,
  prone lift".
- No line is empty and none is said twice in a row.

The engine's notices carry the words it can know from the plan (``engine.py``
uses the wording helpers below); ``cue_script`` adds what only the exercise
content knows: the set-up line and the key cue. The player page speaks and
shows the script (``web/presenters/player.py``, ``static/js/voice.js``); the
terminal workout shows it.

Every line is made in the language in use when it is made (the request's, or
the CLI's): the engine's words when ``apply`` runs, the step start's when the
script is made, with the name, set-up line and key cue from the content it is
given. No line is stored (the engine's snapshot holds its state, no words), so
a session continued later, or in another language, speaks the reader's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from backcoach.coach.plan import PlannedStep, SessionPlan, VariantLevel
from backcoach.coach.session_state import Notice, NoticeKind, Side
from backcoach.coach.wording import plain_number
from backcoach.content import Exercise, Kind
from backcoach.i18n import N_, _, ngettext, pgettext

__all__ = [
    "KEY_CUE",
    "SETUP",
    "Cue",
    "cue_script",
    "cues_for",
    "dose_words",
    "hold_say",
    "rest_over_say",
    "seconds_words",
    "set_done_say",
    "side_say",
    "spoken_name",
    "step_start",
]

SETUP = "setup"  # the cue kind of a step's set-up line
KEY_CUE = "key_cue"  # the cue kind of a step's key cue
# Said when the content has no set-up line for a step (an exercise missing from the catalog).
FALLBACK_SETUP = N_("Take a moment to get into the start position.")

_BRACKETED = re.compile(r"\s*[(\[]\s*([^)\]]*?)\s*[)\]]")


@dataclass(frozen=True)
class Cue:
    """One line to say and show.

    ``kind`` is the notice's kind (``step_started``, ``countdown``, ...), or
    ``SETUP`` / ``KEY_CUE`` for the lines a step start adds.
    """

    kind: str
    step_index: int
    text: str


# --- words ----------------------------------------------------------------


def spoken_name(name: str) -> str:
    """An exercise name as it is said: brackets become a pause.

    Example:
        >>> spoken_name("Superman (prone lift)")
        'Superman, prone lift'
    """
    return " ".join(_BRACKETED.sub(r", \1", name).split()).strip(" ,")


def seconds_words(seconds: float) -> str:
    """A time as it is said: ``20 seconds``, ``1 second``, ``2 minutes``.

    Example:
        >>> seconds_words(90), seconds_words(120)
        ('90 seconds', '2 minutes')
    """
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    count = 1 if seconds == 1 else 2
    return ngettext("{n} second", "{n} seconds", count).format(n=plain_number(seconds))


def _number_words(n: int) -> str:
    words = (
        pgettext("number", "zero"),
        pgettext("number", "one"),
        pgettext("number", "two"),
        pgettext("number", "three"),
        pgettext("number", "four"),
        pgettext("number", "five"),
        pgettext("number", "six"),
        pgettext("number", "seven"),
        pgettext("number", "eight"),
        pgettext("number", "nine"),
    )
    return words[n] if 0 <= n < len(words) else str(n)


def dose_words(step: PlannedStep) -> str:
    """The dose as it is said at the start of a step, such as ``2 sets of 8 on each side``.

    Example:
        >>> dose_words(PlannedStep("glute-bridge", "Glute bridge", Kind.REPS, 2, 8, 4.0))
        '2 sets of 8, holding each for 4 seconds'
    """
    sets = max(step.sets, 1)
    reps = step.reps if step.reps is not None else 1
    if step.kind is Kind.BREATHING:
        if sets == 1:
            words = ngettext("{n} slow breath", "{n} slow breaths", reps).format(n=reps)
        else:
            words = ngettext(
                "{sets} sets of {n} slow breath", "{sets} sets of {n} slow breaths", reps
            ).format(sets=sets, n=reps)
    elif step.kind is Kind.REPS:
        if sets == 1:
            words = ngettext("{n} rep", "{n} reps", reps).format(n=reps)
        else:
            words = ngettext("{sets} sets of {n}", "{sets} sets of {n}", reps).format(
                sets=sets, n=reps
            )
        if step.hold_s:
            words = _("{dose}, holding each for {time}").format(
                dose=words, time=seconds_words(step.hold_s)
            )
    elif step.kind is Kind.HOLD:
        hold = seconds_words(step.hold_s or 0)
        if sets == 1:
            words = _("Hold for {time}").format(time=hold)
        else:
            words = _("{sets} holds of {time}").format(sets=sets, time=hold)
    else:
        time = seconds_words(step.duration_s or 0)
        if sets == 1:
            words = _("Keep going for {time}").format(time=time)
        else:
            words = _("{sets} sets of {time}").format(sets=sets, time=time)
    return _("{dose} on each side").format(dose=words) if step.per_side else words


def side_say(side: Side, set_index: int) -> str:
    """The words at the start of one side of a set."""
    if side is Side.RIGHT:
        return _("Now the right side.")
    return _("Left side first.") if set_index == 0 else _("Left side.")


def hold_say(step: PlannedStep) -> str:
    """The words when a hold begins: short within reps, with its time for a held position."""
    if step.kind is Kind.HOLD and step.hold_s:
        return _("Hold for {time}.").format(time=seconds_words(step.hold_s))
    return pgettext("voice", "Hold.")


def set_done_say(set_index: int, sets: int, *, last_step: bool) -> str | None:
    """The words when a set is done (``set_index`` 0-based), or None when the end words follow.

    Example:
        >>> set_done_say(0, 2, last_step=False)
        "That's set 1, one more to go."
    """
    done = set_index + 1
    if done >= sets:
        if last_step:
            return None  # the session's end words come next
        return _("Well done.") if sets == 1 else _("That was the last set. Well done.")
    left = sets - done
    return ngettext(
        "That's set {done}, one more to go.", "That's set {done}, {more} more to go.", left
    ).format(done=done, more=_number_words(left))


def rest_over_say(next_set_index: int, sets: int) -> str:
    """The words when a rest is over and set ``next_set_index`` (0-based) begins."""
    number = next_set_index + 1
    if number >= sets:
        return _("Rest over. Last set, get ready.")
    return _("Rest over. Set {number} of {sets}, get ready.").format(number=number, sets=sets)


# --- the script -----------------------------------------------------------


def step_start(step: PlannedStep, index: int, total: int, exercise: Exercise | None) -> list[Cue]:
    """The lines at the start of a step: the name and dose, the set-up line, the key cue.

    Args:
        step: the planned step.
        index: its place in the plan (0-based).
        total: the number of steps in the plan.
        exercise: its content, for the set-up line and key cue (None: a generic set-up line).
    """
    if total <= 1:
        which = pgettext("voice", "Today")
    elif index == 0:
        which = pgettext("voice", "First")
    elif index == total - 1:
        which = pgettext("voice", "Last one")
    else:
        which = pgettext("voice", "Next")
    variant = {
        VariantLevel.EASIER: _(", the easier version"),
        VariantLevel.HARDER: _(", the harder version"),
    }.get(step.variant, "")
    # The name from the content in use (the reader's language), not the one stored with the plan.
    name = exercise.name if exercise is not None else step.name
    intro = _("{which}: {name}{variant}. {dose}.").format(
        which=which, name=spoken_name(name), variant=variant, dose=dose_words(step)
    )
    lines = [
        Cue(NoticeKind.STEP_STARTED.value, index, intro),
        Cue(SETUP, index, exercise.voice.setup if exercise is not None else _(FALLBACK_SETUP)),
    ]
    if exercise is not None:
        lines.append(Cue(KEY_CUE, index, exercise.voice.cue))
    return lines


def cues_for(notice: Notice, plan: SessionPlan, exercises: Mapping[str, Exercise]) -> list[Cue]:
    """The lines one engine notice gives: none, its own words, or a step start's three lines.

    Args:
        notice: a notice from ``SessionEngine.apply``.
        plan: the plan the engine runs.
        exercises: the content by exercise id.
    """
    if notice.kind is NoticeKind.STEP_STARTED and 0 <= notice.step_index < len(plan.steps):
        step = plan.steps[notice.step_index]
        exercise = exercises.get(step.exercise_id)
        return step_start(step, notice.step_index, len(plan.steps), exercise)
    if notice.say and notice.say.strip():
        return [Cue(notice.kind.value, notice.step_index, notice.say.strip())]
    return []


def cue_script(
    notices: Iterable[Notice], plan: SessionPlan, exercises: Mapping[str, Exercise]
) -> list[Cue]:
    """Everything to say and show for these notices, in order.

    Args:
        notices: notices from ``SessionEngine.apply``, in the order they came.
        plan: the plan the engine runs.
        exercises: the content by exercise id.

    Example:
        >>> [c.kind for c in cue_script(engine.apply(Start(0.0)), plan, catalog.exercises)][:4]
        ['session_started', 'step_started', 'setup', 'key_cue']
    """
    return [cue for notice in notices for cue in cues_for(notice, plan, exercises)]
