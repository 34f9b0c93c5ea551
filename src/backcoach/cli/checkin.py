"""`backcoach screening`, `checkin` and `questionnaire NAME` in the terminal.

Also the safety gate and check-ins of `backcoach workout`, through the same
services as the web: ``start_workout`` (the planner's gate, resuming an
interrupted session, pain before stored with the new session) and
``finish_workout`` (pain after and effort).
"""

from __future__ import annotations

import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from typing import Annotated

import typer
from rich.panel import Panel
from rich.prompt import Confirm, IntPrompt, Prompt
from sqlalchemy.orm import Session

from backcoach.cli.app import app, console
from backcoach.coach.engine import EndReason, Summary
from backcoach.coach.plan import SessionPlan, VariantLevel
from backcoach.coach.planner import PlanDecision, Refusal
from backcoach.coach.questionnaires import NAMES, Item, ItemKind, get
from backcoach.coach.safety import DISCLAIMER, QUESTIONS, Outcome, ScreeningResult
from backcoach.config import get_settings
from backcoach.content import Catalog, Length
from backcoach.errors import UsageError
from backcoach.i18n import N_, _, format_date, format_time
from backcoach.services import session_events
from backcoach.services.checkins import earlier_pain_before, save_questionnaire
from backcoach.services.clock import SessionClock
from backcoach.services.safety import latest_screening_record, save_screening, screening_needed
from backcoach.services.session_start import plan_for_today
from backcoach.services.sessions import (
    ActiveSession,
    ResumeOffer,
    abandon_session,
    find_resumable,
    resume_session,
    save_checkin,
    start_session,
)
from backcoach.store import CheckinPhase, PainLocation, local_user, open_database

SCALE = [str(n) for n in range(11)]


class Phase(StrEnum):
    BEFORE = "before"
    AFTER = "after"


def _local_now() -> tuple[datetime, tzinfo]:
    now = datetime.now().astimezone()
    return now, now.tzinfo or UTC


@contextmanager
def _answers_needed() -> Iterator[None]:
    """End of input while asking becomes a plain message (nothing is stored)."""
    try:
        yield
    except (EOFError, KeyboardInterrupt):
        console.print()
        raise UsageError(
            _("Stopped before every question was answered; nothing was stored.")
        ) from None


def ask_scale(text: str, low: str = "", high: str = "") -> int:
    """A whole number from 0 to 10, asked until the answer is one."""
    hint = f" [dim](0 = {low}, 10 = {high})[/]" if low and high else " [dim](0-10)[/]"
    return IntPrompt.ask(f"{text}{hint}", choices=SCALE, show_choices=False, console=console)


def show_disclaimer() -> None:
    console.print(Panel(_(DISCLAIMER), title=_("Please read"), border_style="cyan"))


def _show_screening(result: ScreeningResult) -> None:
    if result.outcome is Outcome.RED_FLAG:
        console.print(Panel(_(result.message), title=_("Please see a doctor"), border_style="red"))
    elif result.outcome is Outcome.CAUTION:
        console.print(
            Panel(_(result.message), title=_("Exercise with care"), border_style="yellow")
        )
    else:
        console.print(Panel(_(result.message), title=_("All clear"), border_style="green"))


@app.command(
    help=_("Answer the short safety screening (yes/no) before exercising; redo it any time.")
)
def screening() -> None:
    show_disclaimer()
    console.print(
        _(
            "A few yes/no questions about your back pain. They look for rare signs that need a "
            "doctor rather than exercise. Answer y or n."
        )
        + "\n"
    )
    answers: dict[str, bool] = {}
    with _answers_needed():
        for number, question in enumerate(QUESTIONS, start=1):
            console.print(f"[dim]{_(question.help)}[/]")
            answers[question.id] = Confirm.ask(
                f"{number}/{len(QUESTIONS)}  {_(question.text)}", console=console
            )
    now = _local_now()[0]
    with open_database(get_settings()) as db:
        result = save_screening(db, user_id=local_user(db).id, answers=answers, now=now)
    _show_screening(result)


@app.command(
    help=_("Record how your back feels now: pain (0-10), where, and after a session the effort.")
)
def checkin(
    phase: Annotated[
        Phase,
        typer.Option("--phase", help=_("Before or after a session (after also asks effort).")),
    ] = Phase.BEFORE,
    pain: Annotated[
        int | None,
        typer.Option("--pain", min=0, max=10, help=_("Pain now, 0-10 (else asked).")),
    ] = None,
    where: Annotated[
        PainLocation | None, typer.Option("--where", help=_("Where the pain is (else asked)."))
    ] = None,
    effort: Annotated[
        int | None,
        typer.Option("--effort", min=0, max=10, help=_("After: effort 0-10 (else asked).")),
    ] = None,
) -> None:
    if effort is not None and phase is Phase.BEFORE:
        raise UsageError(_("--effort goes with --phase after."))
    with _answers_needed():
        if pain is None:
            pain = ask_scale(_("Pain now"), _("no pain"), _("the worst pain you can imagine"))
        if where is None:
            where = PainLocation(
                Prompt.ask(
                    _("Where is it"),
                    choices=[p.value for p in PainLocation],
                    default=PainLocation.LOW_BACK.value,
                    console=console,
                )
            )
        if phase is Phase.AFTER and effort is None:
            effort = ask_scale(
                _("How hard was the session"), _("very easy"), _("as hard as possible")
            )
    now, tz = _local_now()
    with open_database(get_settings()) as db:
        user_id = local_user(db).id
        earlier = earlier_pain_before(db, user_id=user_id, before=now)
        save_checkin(
            db,
            user_id=user_id,
            phase=CheckinPhase(phase.value),
            pain=pain,
            location=where,
            effort=effort,
            now=now,
        )
        why = None
        if phase is Phase.BEFORE:
            why = screening_needed(
                db, user_id=user_id, today=now.date(), pain_now=pain, earlier_pain=earlier, tz=tz
            )
            record = latest_screening_record(db, user_id=user_id, tz=tz)
            if record is not None and record.result.outcome is Outcome.RED_FLAG:
                why = record.result.message
    if effort is None:
        saved = _("Saved: pain {pain}/10 ({where}).")
    else:
        saved = _("Saved: pain {pain}/10 ({where}), effort {effort}/10.")
    console.print(saved.format(pain=pain, where=where.value, effort=effort), highlight=False)
    if why:
        console.print(Panel(_(why), title=_("Before you exercise"), border_style="yellow"))


def _ask_item(item: Item) -> int | str | None:
    text = _(item.text)
    if item.kind is ItemKind.SCALE:
        return ask_scale(text, _(item.low) if item.low else "", _(item.high) if item.high else "")
    if item.kind is ItemKind.AGREE:
        # The answers typed are the English words, as the choices the prompt shows.
        answer = Prompt.ask(text, choices=["agree", "disagree"], console=console)
        return 1 if answer == "agree" else 0
    if item.kind is ItemKind.CHOICE:
        console.print(text)
        for number, choice in enumerate(item.choices, start=1):
            console.print(f"  {number}. {_(choice)}")
        numbers = [str(n) for n in range(1, len(item.choices) + 1)]
        return IntPrompt.ask(_("Your answer"), choices=numbers, console=console) - 1
    if item.optional:
        return Prompt.ask(text, default="", show_default=False, console=console).strip() or None
    while not (answer_text := Prompt.ask(text, console=console).strip()):
        console.print("[prompt.invalid]" + _("Please type a few words."))
    return answer_text


@app.command(help=_("Answer an outcome questionnaire; it is stored with its score."))
def questionnaire(
    name: Annotated[str, typer.Argument(help=_("One of: {names}.").format(names=", ".join(NAMES)))],
) -> None:
    form = get(name)
    title = _(form.title)
    console.print(f"[bold]{title}[/]\n{_(form.intro)}\n")
    if form.notice:
        console.print(f"[dim]{_(form.notice)}[/]\n")
    answers: dict[str, int | str | None] = {}
    with _answers_needed():
        for item in form.items:
            value = _ask_item(item)
            if value is None:  # an empty optional activity: no more activities
                break
            answers[item.id] = value
    now = _local_now()[0]
    with open_database(get_settings()) as db:
        result = save_questionnaire(
            db, user_id=local_user(db).id, name=form.id, answers=answers, now=now
        )
    console.print(
        Panel(
            result.shown_summary,
            title=_("{title}: score").format(title=title),
            border_style="green",
        )
    )
    if form.notice:
        console.print(f"[dim]{_(form.notice)}[/]")


# --- `backcoach workout`: the safety gate and the check-ins ----------------------------------

HURT_MESSAGE = N_(
    "You stopped because it hurt: that was the right thing to do. Rest in a comfortable "
    "position. If the pain stays high, keeps getting worse, or you are worried, see a doctor "
    "or physiotherapist."
)

_REFUSAL_TITLES = {
    Refusal.RED_FLAG: N_("Please see a doctor"),
    Refusal.NO_SCREENING: N_("Safety screening first"),
    Refusal.RESCREEN_DUE: N_("Time for a new safety screening"),
}


def _plan_or_stop(decision: PlanDecision) -> SessionPlan:
    """The plan; a refusal is shown calmly and ends the command (exit code 1)."""
    if decision.plan is not None:
        return decision.plan
    reason = decision.refusal or Refusal.NO_SCREENING
    color = "red" if reason is Refusal.RED_FLAG else "yellow"
    console.print(Panel(_(decision.message), title=_(_REFUSAL_TITLES[reason]), border_style=color))
    raise typer.Exit(1)


def _show_plan(plan: SessionPlan, decision: PlanDecision, catalog: Catalog) -> None:
    for caution in decision.cautions:
        console.print("[yellow]" + _("Note:") + f"[/] {_(caution)}")
    for step in plan.steps:
        exercise = catalog.exercises.get(step.exercise_id)
        if step.variant is not VariantLevel.STANDARD and exercise is not None:
            easier = step.variant is VariantLevel.EASIER
            version = exercise.easier if easier else exercise.harder
            line = _("easier version, {name}.") if easier else _("harder version, {name}.")
            console.print(f"[bold]{step.name}[/]: " + line.format(name=version.name))
            console.print(f"  {version.how}")
        for note in step.notes:
            console.print(f"[bold]{step.name}[/]: {_(note)}")


def confirm_resume(offer: ResumeOffer) -> bool:
    """Ask whether to continue an interrupted session (Enter means yes)."""
    local = offer.started_at.astimezone()
    started = f"{format_date(local.date(), 'MMMEd')} {format_time(local)}"
    return typer.confirm(
        _(
            "Your {program} ({length}) session of {started} was interrupted. "
            "Resume it from step {step} of {total} ({name})?"
        ).format(
            program=offer.program_id,
            length=offer.length,
            started=started,
            step=offer.resume_index + 1,
            total=offer.steps_total,
            name=offer.step_name,
        ),
        default=True,
    )


def start_workout(
    db: Session,
    catalog: Catalog,
    *,
    program_id: str,
    length: Length,
    user_id: int,
    clock: SessionClock,
) -> ActiveSession:
    """The safety gate of `backcoach workout`, then the session to run, stored.

    The planner's gate first (``plan_for_today``, as the Today page): without a
    valid screening (none, a red flag, a new one due) the command ends with a
    calm message saying what to do. Then an interrupted session may be resumed;
    otherwise the pain now (0-10) is asked, today's plan is made with it (which
    may still ask for a new screening when the pain jumped), and the session is
    stored with its before check-in at once, as the player page does.
    """
    _plan_or_stop(
        plan_for_today(db, user_id=user_id, catalog=catalog, length=length, program_id=program_id)
    )
    offer = find_resumable(db, user_id=user_id, catalog=catalog)
    if offer is not None:
        if confirm_resume(offer):
            return resume_session(
                db, session_id=offer.session_id, user_id=user_id, now=clock.wall()
            )
        abandon_session(db, session_id=offer.session_id, user_id=user_id, now=clock.wall())
    with _answers_needed():
        pain = ask_scale(_("Before you start: your pain now"), _("no pain"), _("the worst pain"))
    decision = plan_for_today(
        db, user_id=user_id, catalog=catalog, length=length, pain_now=pain, program_id=program_id
    )
    plan = _plan_or_stop(decision)
    _show_plan(plan, decision, catalog)
    return start_session(
        db, user_id=user_id, plan=plan, now=clock.wall(), pain_before=pain, checkin=True
    )


def _discard_typed_ahead() -> None:
    """Drop keys pressed during the session (extra r's), so they do not answer a question."""
    if not sys.stdin.isatty():
        return
    with suppress(termios.error, OSError, ValueError):
        termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)


def finish_workout(
    db: Session,
    active: ActiveSession,
    summary: Summary,
    *,
    user_id: int,
    clock: SessionClock,
    hurt: list[str],
) -> None:
    """After `backcoach workout`: pain after and effort, stored as the player page stores them.

    ``hurt``: the exercises "this hurts" was said of (already stored during the
    session). Ending the questions early keeps the session as it is.
    """
    _discard_typed_ahead()
    try:
        pain_after = ask_scale(
            _("After the session: your pain now"), _("no pain"), _("the worst pain")
        )
        effort = ask_scale(_("How hard was the session"), _("very easy"), _("as hard as possible"))
    except (EOFError, KeyboardInterrupt):
        console.print("\n" + _("Your session is saved; the check-in was skipped."))
        return
    stored = session_events.finish(
        db,
        session_id=active.id,
        user_id=user_id,
        clock=clock,
        pain_after=pain_after,
        effort=effort,
    )
    if summary.ended_by is EndReason.HURT:
        console.print(Panel(_(HURT_MESSAGE), border_style="yellow"))
    for name in dict.fromkeys(hurt):
        console.print(_("Next time {name} starts with its easier version.").format(name=name))
    pain_before = stored.pain_before
    if not hurt and pain_before is not None and pain_after > pain_before:
        console.print(
            _(
                "Your pain is higher than before the session, so the dose stays the same next "
                "time. If it does not settle within a day, or you are worried, see a clinician."
            )
        )
    before = f"{pain_before} -> " if pain_before is not None else ""
    console.print(
        _("Saved: pain {pain}/10, effort {effort}/10.").format(
            pain=f"{before}{pain_after}", effort=effort
        ),
        highlight=False,
    )
