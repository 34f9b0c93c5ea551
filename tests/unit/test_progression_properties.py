"""Invariants of the planner over generated programs, histories and check-ins."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.coach.history import ExerciseRecord, SessionRecord
from backcoach.coach.plan import PlannedStep, VariantLevel, default_step
from backcoach.coach.planner import build_plan
from backcoach.coach.progression import clamp, variant_rank
from backcoach.content import Amount, Catalog, DoseOverride, Exercise, Kind, Length, Stage
from tests.unit.progression_factories import TODAY, catalog, exercise, screening

IDS = ("bridge", "superman", "plank")
DOSE_FIELDS = ("reps", "hold_s", "duration_s")


@st.composite
def amounts(draw: st.DrawFn) -> Amount:
    low = draw(st.integers(min_value=1, max_value=10))
    high = draw(st.integers(min_value=low, max_value=low + 30))
    default = draw(st.integers(min_value=low, max_value=high))
    return Amount(default=default, min=low, max=high)


@st.composite
def exercises(draw: st.DrawFn, exercise_id: str) -> Exercise:
    kind = draw(st.sampled_from(list(Kind)))
    return exercise(
        exercise_id,
        kind=kind,
        stage=draw(st.sampled_from(list(Stage))),
        sets=draw(amounts()),
        reps=draw(amounts()) if kind in (Kind.REPS, Kind.BREATHING) else None,
        hold_s=draw(st.none() | amounts()) if kind in (Kind.REPS, Kind.HOLD) else None,
        duration_s=draw(amounts()) if kind is Kind.TIMED else None,
    )


def _dose(draw: st.DrawFn, amount: Amount | None, in_range: bool) -> float | None:
    if amount is None:
        return None
    if in_range:
        return draw(st.integers(min_value=int(amount.min), max_value=int(amount.max)))
    return draw(st.integers(min_value=0, max_value=100))


@st.composite
def records(draw: st.DrawFn, ex: Exercise, in_range: bool) -> ExerciseRecord:
    dose = ex.dosage
    reps = _dose(draw, dose.reps, in_range)
    hold_s = _dose(draw, dose.hold_s, in_range)
    return ExerciseRecord(
        exercise_id=ex.id,
        completed=draw(st.integers(min_value=0, max_value=4)) > 0,  # mostly done
        variant=draw(st.sampled_from(list(VariantLevel))),
        reps=int(reps) if reps is not None else None,
        hold_s=float(hold_s) if hold_s is not None else None,
        duration_s=_dose(draw, dose.duration_s, in_range),
        pain_during=draw(st.none() | st.none() | st.integers(min_value=0, max_value=10)),
        hurt=draw(st.integers(min_value=0, max_value=4)) == 0,  # rarely
    )


pain = st.none() | st.integers(min_value=0, max_value=10)
# Mostly the last week or so (breaks stop progression), sometimes long ago.
recent_days = st.integers(min_value=0, max_value=6) | st.integers(min_value=0, max_value=45)


@st.composite
def histories(draw: st.DrawFn, content: Catalog, in_range: bool) -> list[SessionRecord]:
    # One usual record per exercise, reused often, so runs of good sessions at the same
    # dose (which trigger progression) are common.
    usual = {i: draw(records(content.exercise(i), in_range)) for i in content.exercises}
    sessions = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        chosen = draw(st.lists(st.sampled_from(list(content.exercises)), max_size=3, unique=True))
        if draw(st.booleans()):  # a good session
            before = draw(st.integers(min_value=0, max_value=10))
            checkins = (
                True,
                before,
                draw(st.integers(min_value=0, max_value=before)),
                draw(st.integers(min_value=0, max_value=6)),
            )
        else:
            checkins = (draw(st.booleans()), draw(pain), draw(pain), draw(pain))
        completed, pain_before, pain_after, effort = checkins
        sessions.append(
            SessionRecord(
                day=TODAY - timedelta(days=draw(recent_days)),
                completed=completed,
                pain_before=pain_before,
                pain_after=pain_after,
                effort=effort,
                exercises=tuple(
                    usual[i]
                    if draw(st.integers(min_value=0, max_value=3))
                    else draw(records(content.exercise(i), in_range))
                    for i in chosen
                ),
            )
        )
    return sessions


@st.composite
def scenarios(draw: st.DrawFn, in_range: bool = False) -> tuple[Catalog, list[SessionRecord]]:
    overrides = {
        i: DoseOverride(
            sets=draw(st.none() | st.integers(min_value=1, max_value=60)),
            reps=draw(st.none() | st.integers(min_value=1, max_value=60)),
            hold_s=draw(st.none() | st.integers(min_value=1, max_value=60)),
            duration_s=draw(st.none() | st.integers(min_value=1, max_value=60)),
        )
        for i in IDS
        if draw(st.booleans())
    }
    # Program overrides may lie outside an exercise's safe range; the planner must clamp.
    content = catalog(*(draw(exercises(i)) for i in IDS), overrides=overrides)
    return content, draw(histories(content, in_range))


# Mostly no caution (a dose-limiting caution stops all progression).
rarely = st.integers(min_value=0, max_value=4).map(lambda n: n == 0)
cautions = st.fixed_dictionaries(
    {"recent_surgery": rarely, "pregnancy": rarely, "age_new_pain": st.booleans()}
)


def _in_range(value: float | None, amount: Amount | None) -> bool:
    return value is None or (amount is not None and amount.min <= value <= amount.max)


@settings(max_examples=400, deadline=None)
@given(
    scenario=scenarios(),
    pain_now=pain,
    pain_limit=st.integers(min_value=1, max_value=10),
    caution=cautions,
)
def test_every_dose_stays_within_the_safe_range(
    scenario: tuple[Catalog, list[SessionRecord]],
    pain_now: int | None,
    pain_limit: int,
    caution: dict[str, bool],
) -> None:
    content, history = scenario
    decision = build_plan(
        content,
        "test",
        Length.FULL,
        history,
        today=TODAY,
        screening=screening(TODAY, **caution),
        pain_limit=pain_limit,
        pain_now=pain_now,
    )
    assert decision.plan is not None  # screened today without red flags: always a plan
    for step in decision.plan.steps:
        dose = content.exercise(step.exercise_id).dosage
        assert dose.sets.min <= step.sets <= dose.sets.max
        assert _in_range(step.reps, dose.reps)
        assert _in_range(step.hold_s, dose.hold_s)
        assert _in_range(step.duration_s, dose.duration_s)


def _latest_record(exercise_id: str, history: list[SessionRecord]) -> ExerciseRecord | None:
    # Like the planner: newest day last, same-day sessions in the order given.
    ordered = sorted(history, key=lambda s: s.day)
    for session in ordered[::-1]:
        if session.day <= TODAY and (found := session.exercise(exercise_id)) is not None:
            return found
    return None


def _base(content: Catalog, exercise_id: str) -> PlannedStep:
    program_step = next(
        s for s in content.program("test").lengths[Length.FULL] if s.exercise == exercise_id
    )
    return clamp(
        default_step(content.exercise(exercise_id), program_step), content.exercise(exercise_id)
    )


@settings(max_examples=400, deadline=None)
@given(
    scenario=scenarios(in_range=True),
    pain_now=pain,
    before=st.integers(min_value=0, max_value=9),
    rise=st.integers(min_value=1, max_value=10),
    caution=cautions,
)
def test_never_progress_after_pain_rose(
    scenario: tuple[Catalog, list[SessionRecord]],
    pain_now: int | None,
    before: int,
    rise: int,
    caution: dict[str, bool],
) -> None:
    content, history = scenario
    newest = max((s.day for s in history), default=TODAY - timedelta(days=1))
    # Pain went up in the newest session (the planner sorts sessions by day, stable).
    history = sorted(history, key=lambda s: s.day)
    latest = SessionRecord(
        day=newest,
        completed=True,
        pain_before=before,
        pain_after=min(10, before + rise),
        effort=3,
        exercises=history[-1].exercises if history else (),
    )
    history = [*history, latest]
    decision = build_plan(
        content,
        "test",
        Length.FULL,
        history,
        today=TODAY,
        screening=screening(TODAY, **caution),
        pain_now=pain_now,
    )
    assert decision.plan is not None
    for step in decision.plan.steps:
        last = _latest_record(step.exercise_id, history)
        if last is None:
            continue
        base = _base(content, step.exercise_id)
        assert variant_rank(step.variant) <= variant_rank(last.variant)
        for field in DOSE_FIELDS:
            now = getattr(step, field)
            before_value = getattr(last, field)
            if before_value is None:
                before_value = getattr(base, field)
            assert now is None or now <= before_value, (field, step, last)
