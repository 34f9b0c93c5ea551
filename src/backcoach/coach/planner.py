"""Today's plan: the program, adapted to the history, check-ins and screening.

The rules, in plain words:

- **No screening, no plan.** Without a safety screening, with a red flag in the
  latest one, or when a new one is due (every 28 days, or when today's pain
  before the session jumped; see ``safety.py``), the planner refuses and says
  why. A red flag gives the calm "see a clinician" message of the screening.
- A caution in the screening (recent surgery, pregnancy) still gives a plan,
  with the caution shown; every dose is capped at the program's own and never
  uses a harder variant; exercises unsuitable for the caution are left out,
  with the reason.
- Each exercise starts from the dose it was last done at (or the program's
  dose the first time), and then the progression rules of ``progression.py``
  apply: back off to the easier variant when it hurt last time, step back
  after a break of a week or more, progress one step after 3 good sessions in
  a row at the same dose, never progress when pain rose (and when pain after
  the last session was 2 or more points higher than before it, the exercises
  done in it step one dose step down). If today's pain
  before the session is at or above the pain limit, nothing progresses today.
  Doses always stay within the content's safe minimum and maximum.
- Every step whose dose differs from last time carries ``notes`` saying why (in the
  language in use when the plan is made; a started session keeps its plan, notes included).

**The first-week ramp** (``ramp``): someone who is new to a program, whose
latest STarT Back puts them in the high-risk group, or whose pain before a
session is ``RAMP_PAIN`` (6) out of 10 or more, starts with the gentlest part
of the program and not all of it:

- First only ``RAMP_GROUPS[0]``: deep breathing, neck nods and turns, the glute
  bridge, the bird-dog at its easier variant, and the relaxation.
- After ``RAMP_SESSIONS[0]`` (2) good sessions the next group joins (shoulder
  and arm circles, the overhead side bend, the knee-high march); after
  ``RAMP_SESSIONS[1]`` (5) good sessions the whole program does (the standing
  forward bend, the superman, the pike-to-arch, the jog, and any extras).
- A good session is one run to its end (not ended early) with pain after it
  not higher than before it and no exercise that hurt. A session with a pain
  rise or an exercise that hurt holds the ramp back: the good sessions
  counted towards the next group start again from zero (the exercises that
  already joined stay).
- The ramp counts from its latest reason: a new user's first session of the
  program, the day of a high-risk STarT Back, or the latest session with
  pain before of 6 or more (today's, when it is 6 or more, starts it afresh).
- While the ramp runs, doses do not grow beyond the program's own and no
  harder variant is used. The plan's cautions say why the session is short
  and when more joins. Exercises the screening leaves out stay out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from backcoach.coach.history import SessionRecord, chronological
from backcoach.coach.plan import PlannedStep, SessionPlan, VariantLevel, default_step
from backcoach.coach.progression import (
    BREAK_DAYS,
    DEFAULT_PAIN_LIMIT,
    LONG_BREAK_DAYS,
    PAIN_RISE_STOP,
    SESSIONS_TO_PROGRESS,
    back_off_for_pain,
    can_progress,
    cap_at,
    clamp,
    exercise_hurt,
    is_good_session,
    progress,
    step_back,
)
from backcoach.coach.safety import (
    CAUTION_SKIPS,
    DOSE_LIMITING_CAUTIONS,
    Outcome,
    ScreeningRecord,
    rescreen_reason,
)
from backcoach.coach.wording import plain_date, spoken_list
from backcoach.content import Catalog, Exercise, Length, ProgramStep
from backcoach.errors import BackcoachError, UsageError
from backcoach.i18n import N_, _, ngettext

#: Exercise ids by the ramp group they join in; every other exercise joins last.
RAMP_GROUPS: tuple[frozenset[str], ...] = (
    frozenset(
        {"deep-breathing", "neck-nods", "neck-turns", "glute-bridge", "bird-dog", "relaxation"}
    ),
    frozenset({"shoulder-circles", "arm-circles", "overhead-side-bend", "high-knee-march"}),
)
#: Good sessions after which each later group joins (the last: the whole program).
RAMP_SESSIONS = (2, 5)
#: Exercises done at their easier variant while only the first group is in the plan.
RAMP_EASIER = frozenset({"bird-dog"})
#: Pain before a session (0-10) from which the ramp starts again.
RAMP_PAIN = 6
FULL_PROGRAM = len(RAMP_GROUPS)
#: How a caution that leaves exercises out is named in the plan's cautions.
_CAUTION_NAMES = {"pregnancy": N_("pregnancy")}


@dataclass(frozen=True)
class Ramp:
    """Where the first-week ramp stands: ``level`` groups of ``RAMP_GROUPS`` joined so far."""

    level: int
    why: str
    good: int = 0
    held: bool = False

    def sessions_to_next(self) -> int:
        """Good sessions still needed for the next group."""
        return _needed(self.level) - self.good


def _needed(level: int) -> int:
    """Good sessions in a row that take the ramp from ``level`` to the next group."""
    return RAMP_SESSIONS[level] - (RAMP_SESSIONS[level - 1] if level else 0)


def _went_well(session: SessionRecord, pain_limit: int) -> bool | None:
    """True for a good session, False when it holds the ramp back, None when neither."""
    hurt = any(exercise_hurt(r, session.pain_before, pain_limit) for r in session.exercises)
    if session.pain_rose or hurt:
        return False
    return True if session.completed else None


def ramp(
    sessions: Sequence[SessionRecord],
    *,
    program_id: str,
    pain_limit: int = DEFAULT_PAIN_LIMIT,
    pain_now: int | None = None,
    high_risk_on: date | None = None,
) -> Ramp | None:
    """The first-week ramp for today, or None once the whole program has joined.

    Args:
        sessions: past sessions, oldest first.
        program_id: the program planned today (the new-user start counts its sessions).
        pain_limit: the user's pain limit (an exercise that reached it "hurt").
        pain_now: today's pain before the session, if already asked.
        high_risk_on: the day of the latest STarT Back, when it was high risk.

    Example:
        >>> ramp([], program_id="back-basics").level
        0
    """
    own = [s for s in sessions if s.program_id in (None, program_id)]
    start, why = 0, _("you are new to this program")
    if high_risk_on is not None:
        start = next((i for i, s in enumerate(own) if s.day >= high_risk_on), len(own))
        why = _("your latest STarT Back answers put you in the high-risk group")
    for index in range(len(own) - 1, start - 1, -1):
        pain = own[index].pain_before
        if pain is not None and pain >= RAMP_PAIN:
            start = index
            why = _("your pain before the session on {day} was {pain}/10").format(
                day=plain_date(own[index].day), pain=pain
            )
            break
    if pain_now is not None and pain_now >= RAMP_PAIN:
        start, why = len(own), _("your pain now is {pain}/10").format(pain=pain_now)
    level, good, held = 0, 0, False
    for session in own[start:]:
        went_well = _went_well(session, pain_limit)
        if went_well is None:
            continue
        held = not went_well
        good = good + 1 if went_well else 0
        if good >= _needed(level):
            level, good = level + 1, 0
        if level >= FULL_PROGRAM:
            return None
    return Ramp(level=level, why=why, good=good, held=held)


class Refusal(StrEnum):
    NO_SCREENING = "no-screening"
    RED_FLAG = "red-flag"
    RESCREEN_DUE = "rescreen-due"


class PlanRefused(BackcoachError):
    """No plan today; the message says why and what to do."""

    def __init__(self, reason: Refusal, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class PlanDecision:
    """Either a plan (with cautions to show) or a refusal with its message."""

    plan: SessionPlan | None
    refusal: Refusal | None = None
    message: str = ""
    cautions: tuple[str, ...] = ()

    @property
    def refused(self) -> bool:
        return self.plan is None

    def require_plan(self) -> SessionPlan:
        """The plan, or ``PlanRefused`` carrying the refusal message."""
        if self.plan is None:
            raise PlanRefused(self.refusal or Refusal.NO_SCREENING, self.message)
        return self.plan


def _refuse(reason: Refusal, message: str) -> PlanDecision:
    return PlanDecision(plan=None, refusal=reason, message=message)


def _check_scale(name: str, value: int | None, low: int) -> None:
    if value is not None and not low <= value <= 10:
        raise UsageError(
            _("{name} must be a whole number from {low} to 10, got {value}").format(
                name=name, low=low, value=value
            )
        )


def _last_done(
    exercise_id: str, sessions: Sequence[SessionRecord]
) -> tuple[SessionRecord, int] | None:
    """The newest session containing the exercise, and its index."""
    for index in range(len(sessions) - 1, -1, -1):
        if sessions[index].exercise(exercise_id) is not None:
            return sessions[index], index
    return None


def _good_streak(exercise_id: str, sessions: Sequence[SessionRecord], pain_limit: int) -> int:
    """Good sessions in a row, newest first, with the exercise done at its latest dose."""
    latest = None
    count = 0
    for session in reversed(sessions):
        if not is_good_session(session):
            break
        record = session.exercise(exercise_id)
        if record is None:
            continue
        if latest is None:
            latest = record
        if (
            not record.completed
            or not record.same_dose(latest)
            or exercise_hurt(record, session.pain_before, pain_limit)
        ):
            break
        count += 1
    return count


def _pain_rise(session: SessionRecord | None) -> int:
    """How many points pain after a session was above pain before it (0 if not higher)."""
    if session is None or not session.pain_rose:
        return 0
    assert session.pain_before is not None and session.pain_after is not None
    return session.pain_after - session.pain_before


def _from_record(base: PlannedStep, session: SessionRecord, exercise_id: str) -> PlannedStep:
    record = session.exercise(exercise_id)
    assert record is not None  # _last_done found it
    return replace(
        base,
        variant=record.variant,
        reps=record.reps if record.reps is not None and base.reps is not None else base.reps,
        hold_s=record.hold_s
        if record.hold_s is not None and base.hold_s is not None
        else base.hold_s,
        duration_s=record.duration_s
        if record.duration_s is not None and base.duration_s is not None
        else base.duration_s,
    )


def _plan_step(
    exercise: Exercise,
    base: PlannedStep,
    sessions: Sequence[SessionRecord],
    *,
    today: date,
    pain_limit: int,
    hold_today: str,
    capped: bool,
    ramping: bool = False,
) -> PlannedStep:
    found = _last_done(exercise.id, sessions)
    if found is None:
        step = base
        notes: list[str] = []
    else:
        session = found[0]
        last = _from_record(base, session, exercise.id)
        step = clamp(last, exercise)
        notes = []
        record = session.exercise(exercise.id)
        assert record is not None
        done_days = [s.day for s in sessions if s.completed]
        gap = (today - max(done_days)).days if done_days else 0
        hurt = exercise_hurt(record, session.pain_before, pain_limit)
        if hurt:
            step = back_off_for_pain(step, exercise)
            notes.append(
                _(
                    "Easier version ({name}): this exercise hurt last time "
                    "(pain limit {limit}/10, or pain rose by 2 or more)."
                ).format(name=exercise.easier.name, limit=pain_limit)
            )
        if gap >= LONG_BREAK_DAYS:
            step = cap_at(step, base)
            notes.append(
                _("Starting again at the program's dose (or lower) after {days} days away.").format(
                    days=gap
                )
            )
        elif gap >= BREAK_DAYS:
            step = step_back(step, exercise)
            notes.append(_("One step easier after a {days}-day break.").format(days=gap))
        elif not hurt and can_progress(exercise):
            last_session = sessions[-1] if sessions else None
            streak = _good_streak(exercise.id, sessions, pain_limit)
            rise = _pain_rise(last_session)
            if rise >= PAIN_RISE_STOP and last_session is session:
                step = step_back(step, exercise)
                notes.append(
                    _(
                        "One step easier: your pain was {points} points higher after the "
                        "last session."
                    ).format(points=rise)
                )
            elif rise > 0:
                notes.append(
                    _("Same dose as last time: your pain was higher after the last session.")
                )
            elif streak >= SESSIONS_TO_PROGRESS and hold_today:
                notes.append(hold_today)
            elif streak >= SESSIONS_TO_PROGRESS and not capped:
                grown, why = progress(step, exercise, base)
                if ramping and cap_at(grown, base) != grown:
                    notes.append(
                        _(
                            "Same dose while you start gently: doses grow once the whole "
                            "program has joined."
                        )
                    )
                elif why:
                    step = grown
                    notes.append(why)
        step = clamp(step, exercise)
        if step != last and not notes:
            notes.append(_("Adjusted to stay within this exercise's safe range."))
    if ramping:
        # a dose stored above the program's (before the ramp began again) comes back down
        limited = clamp(cap_at(step, base), exercise)
        if limited != step:
            notes.append(_("At the program's dose or easier while you start gently."))
        step = limited
    if capped:
        limited = clamp(cap_at(step, base), exercise)
        if limited != step:
            notes.append(
                _("Kept at the program's dose or easier because of your screening caution.")
            )
        step = limited
    return replace(step, notes=tuple(notes))


def build_plan(
    catalog: Catalog,
    program_id: str,
    length: Length,
    history: Sequence[SessionRecord],
    *,
    today: date,
    screening: ScreeningRecord | None,
    pain_limit: int = DEFAULT_PAIN_LIMIT,
    pain_now: int | None = None,
    high_risk_on: date | None = None,
) -> PlanDecision:
    """Today's plan for a program, or a refusal.

    Args:
        catalog: the validated content.
        program_id: the program to follow.
        length: short or full.
        history: past sessions (any order; sessions after ``today`` are ignored).
        today: the day of the session.
        screening: the latest safety screening, if any.
        pain_limit: the user's pain limit during exercises, 1-10 (default 5).
        pain_now: today's pain before the session (0-10), if already asked.
        high_risk_on: the day of the latest STarT Back, when it was high risk (this
            starts the first-week ramp again).

    Raises:
        UsageError: unknown program or length, or a pain value out of range.

    Example:
        >>> decision = build_plan(catalog, "daily-back", Length.SHORT, [],  # doctest: +SKIP
        ...                       today=date(2026, 1, 5), screening=record)
        >>> decision.plan.steps[0].notes  # doctest: +SKIP
        ()
    """
    _check_scale(_("pain limit"), pain_limit, 1)
    _check_scale(_("pain now"), pain_now, 0)
    program = catalog.programs.get(program_id)
    if program is None:
        known = ", ".join(sorted(catalog.programs)) or _("none")
        raise UsageError(
            _("unknown program '{program}' (known programs: {known})").format(
                program=program_id, known=known
            )
        )
    if length not in program.lengths:
        have = ", ".join(str(k) for k in program.lengths)
        raise UsageError(
            _("program '{program}' has no '{length}' length (it has: {have})").format(
                program=program_id, length=length, have=have
            )
        )

    sessions = [s for s in chronological(history) if s.day <= today]
    if screening is not None and screening.result.outcome is Outcome.RED_FLAG:
        return _refuse(Refusal.RED_FLAG, screening.result.message)
    earlier = [s.pain_before for s in sessions if s.pain_before is not None and s.day < today]
    why = rescreen_reason(screening, today=today, pain_now=pain_now, earlier_pain=earlier)
    if why is not None or screening is None:
        reason = Refusal.NO_SCREENING if screening is None else Refusal.RESCREEN_DUE
        return _refuse(reason, why or "")

    cautions = screening.result.cautions
    capped = bool(DOSE_LIMITING_CAUTIONS.intersection(cautions))
    skips = {
        exercise_id: (caution, reason)
        for caution in cautions
        for exercise_id, reason in CAUTION_SKIPS.get(caution, {}).items()
    }
    hold_today = ""
    if pain_now is not None and pain_now >= pain_limit:
        hold_today = _(
            "Same dose as last time: your pain today ({pain}/10) is at or above "
            "your limit ({limit}/10)."
        ).format(pain=pain_now, limit=pain_limit)

    left_out: list[str] = []
    kept: list[tuple[Exercise, ProgramStep]] = []
    for program_step in program.lengths[length]:
        exercise = catalog.exercise(program_step.exercise)
        if exercise.id in skips:
            caution, skip_reason = skips[exercise.id]
            left_out.append(
                _("Left out {name} ({caution}: {reason}).").format(
                    name=exercise.name,
                    caution=_(_CAUTION_NAMES.get(caution, caution)),
                    reason=_(skip_reason),
                )
            )
            continue
        kept.append((exercise, program_step))

    gentle = ramp(
        sessions,
        program_id=program_id,
        pain_limit=pain_limit,
        pain_now=pain_now,
        high_risk_on=high_risk_on,
    )
    # a program without any exercise of the first groups starts at its gentlest group
    level = FULL_PROGRAM
    if gentle is not None and kept:
        level = max(gentle.level, min(ramp_group(e.id) for e, _ in kept))
    ramping = level < FULL_PROGRAM
    steps: list[PlannedStep] = []
    waiting: list[Exercise] = []
    eased: list[Exercise] = []
    for exercise, program_step in kept:
        if ramp_group(exercise.id) > level:
            waiting.append(exercise)
            continue
        base = clamp(default_step(exercise, program_step), exercise)
        step = _plan_step(
            exercise,
            base,
            sessions,
            today=today,
            pain_limit=pain_limit,
            hold_today=hold_today,
            capped=capped,
            ramping=ramping,
        )
        if level == 0 and exercise.id in RAMP_EASIER and step.variant is not VariantLevel.EASIER:
            step = replace(
                step,
                variant=VariantLevel.EASIER,
                notes=(
                    *step.notes,
                    _("Easier version ({name}) while you start gently.").format(
                        name=exercise.easier.name
                    ),
                ),
            )
            eased.append(exercise)
        steps.append(step)
    ramp_note: tuple[str, ...] = ()
    if gentle is not None and ramping and (waiting or eased):
        ramp_note = (_ramp_message(gentle, level, waiting),)
    return PlanDecision(
        plan=SessionPlan(program_id=program_id, length=length, steps=tuple(steps)),
        cautions=(*ramp_note, *screening.result.caution_texts, *left_out),
    )


def ramp_group(exercise_id: str) -> int:
    """The ramp group an exercise joins in (``FULL_PROGRAM`` for the whole program)."""
    for index, group in enumerate(RAMP_GROUPS):
        if exercise_id in group:
            return index
    return FULL_PROGRAM


def _names(exercises: Sequence[Exercise]) -> str:
    return spoken_list([e.name for e in exercises])


def _ramp_message(gentle: Ramp, level: int, waiting: Sequence[Exercise]) -> str:
    """Why today's session is short, what joins next and when (shown on Today)."""
    parts = [_("Starting gently: {why}.").format(why=gentle.why)]
    if waiting:
        parts.append(_("Not yet today: {names}.").format(names=_names(waiting)))
    left = gentle.sessions_to_next() if gentle.level == level else _needed(level)
    joining = [e for e in waiting if ramp_group(e.id) == level + 1]
    if level + 1 >= FULL_PROGRAM:
        joins = ngettext(
            "More exercises join as your sessions go well: the whole program joins after "
            "{left} more good session (finished, no exercise that hurt, pain afterwards no "
            "higher than before).",
            "More exercises join as your sessions go well: the whole program joins after "
            "{left} more good sessions (finished, no exercise that hurt, pain afterwards no "
            "higher than before).",
            left,
        )
    elif joining:
        joins = ngettext(
            "More exercises join as your sessions go well: {names} join after {left} more "
            "good session (finished, no exercise that hurt, pain afterwards no higher than "
            "before).",
            "More exercises join as your sessions go well: {names} join after {left} more "
            "good sessions (finished, no exercise that hurt, pain afterwards no higher than "
            "before).",
            left,
        )
    else:
        joins = ngettext(
            "More exercises join as your sessions go well: more exercises join after {left} "
            "more good session (finished, no exercise that hurt, pain afterwards no higher "
            "than before).",
            "More exercises join as your sessions go well: more exercises join after {left} "
            "more good sessions (finished, no exercise that hurt, pain afterwards no higher "
            "than before).",
            left,
        )
    parts.append(joins.format(names=_names(joining), left=left))
    if gentle.held:
        parts.append(_("Your pain rose or an exercise hurt last time, so the count started again."))
    parts.append(_("Stop any exercise that hurts: never push through pain."))
    return " ".join(parts)
