"""The first-week ramp (``coach/planner.py``): who starts gently, and when more joins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.coach.history import SessionRecord
from backcoach.coach.plan import VariantLevel
from backcoach.coach.planner import PlanDecision, build_plan
from backcoach.coach.safety import CAUTION_SKIPS, ScreeningRecord
from backcoach.content import Catalog, Length, default_catalog
from tests.unit.progression_factories import TODAY, record, screening, session

CATALOG = default_catalog()
PROGRAM = "back-basics"
GENTLE = ["deep-breathing", "neck-nods", "neck-turns", "glute-bridge", "bird-dog", "relaxation"]
NEXT = [
    "deep-breathing",
    "neck-nods",
    "neck-turns",
    "shoulder-circles",
    "arm-circles",
    "overhead-side-bend",
    "high-knee-march",
    "glute-bridge",
    "bird-dog",
    "relaxation",
]
FULL = [s.exercise for s in CATALOG.programs[PROGRAM].lengths[Length.SHORT]]


def plan(
    history: Sequence[SessionRecord],
    *,
    pain_now: int | None = None,
    high_risk_on: date | None = None,
    screened: ScreeningRecord | None = None,
    content: Catalog = CATALOG,
) -> PlanDecision:
    return build_plan(
        content,
        PROGRAM,
        Length.SHORT,
        history,
        today=TODAY,
        screening=screened or screening(),
        pain_now=pain_now,
        high_risk_on=high_risk_on,
    )


def ids(decision: PlanDecision) -> list[str]:
    assert decision.plan is not None, decision.message
    return [s.exercise_id for s in decision.plan.steps]


def ramp_note(decision: PlanDecision) -> str:
    notes = [c for c in decision.cautions if c.startswith("Starting gently")]
    return notes[0] if notes else ""


def done(
    days_ago: int, *, before: int = 2, after: int = 2, completed: bool = True
) -> SessionRecord:
    """A session of the program's first group (pain ``before`` -> ``after``)."""
    return session(
        days_ago,
        record("glute-bridge", reps=10),
        record("bird-dog", reps=6, variant=VariantLevel.EASIER),
        pain_before=before,
        pain_after=after,
        completed=completed,
    )


def good(count: int, start_days_ago: int = 1) -> list[SessionRecord]:
    """``count`` good sessions, one a day, the newest ``start_days_ago`` days ago."""
    return [done(start_days_ago + i) for i in range(count)]


# newest first in these tables, like the history reads back from today
RISE = done(1, before=2, after=3)
HURT = session(1, record("glute-bridge", reps=10, hurt=True), pain_before=2, pain_after=2)
EARLY = done(1, completed=False)


@pytest.mark.parametrize(
    ("history", "pain_now", "expected", "says"),
    [
        # new user
        ([], None, GENTLE, "you are new to this program"),
        # after N good sessions
        (good(1), None, GENTLE, "after 1 more good session "),
        (good(2), None, NEXT, "the whole program joins after 3 more good sessions"),
        (good(4), None, NEXT, "after 1 more good session "),
        (good(5), None, FULL, ""),
        (good(20), None, FULL, ""),
        # a pain rise or an exercise that hurt holds the ramp back
        ([RISE, *good(1, 2)], None, GENTLE, "the count started again"),
        ([RISE, *good(4, 2)], None, NEXT, "after 3 more good sessions"),
        (
            [done(1), done(2, before=2, after=3), *good(3, 3)],
            None,
            NEXT,
            "after 2 more good sessions",
        ),
        ([HURT, *good(4, 2)], None, NEXT, "the count started again"),
        ([RISE, *good(8, 2)], None, FULL, ""),  # the ramp was over before the rise
        # a session ended early neither counts nor holds
        ([EARLY, *good(1, 2)], None, GENTLE, "after 1 more good session "),
        ([EARLY, *good(2, 2)], None, NEXT, ""),
        # pain before 6 or more starts again: today's, or a session's in the history
        (good(10), 6, GENTLE, "your pain now is 6/10"),
        (good(10), 10, GENTLE, "your pain now is 10/10"),
        (good(10), 5, FULL, ""),
        ([done(1, before=7, after=5), *good(10, 2)], None, GENTLE, "was 7/10"),
        ([*good(2), done(3, before=6, after=4), *good(10, 4)], None, NEXT, "was 6/10"),
        ([*good(5), done(6, before=8, after=8), *good(10, 7)], None, FULL, ""),
    ],
)
def test_who_starts_gently_and_when_more_joins(
    history: list[SessionRecord], pain_now: int | None, expected: list[str], says: str
) -> None:
    decision = plan(history, pain_now=pain_now)
    assert ids(decision) == expected
    note = ramp_note(decision)
    if expected == FULL:
        assert note == ""
    else:
        assert says in note
        assert "more exercises join as your sessions go well" in note.lower()
        assert "never push through pain" in note


@pytest.mark.parametrize(
    ("history", "high_days_ago", "expected"),
    [
        (good(20), 0, GENTLE),  # high risk today, after a long good history
        (good(20), 1, GENTLE),  # one good session since
        (good(20), 2, NEXT),  # two since
        (good(20), 5, FULL),  # five since: the ramp is over
        ([], 30, GENTLE),
    ],
)
def test_a_high_risk_start_back_starts_the_ramp_from_its_day(
    history: list[SessionRecord], high_days_ago: int, expected: list[str]
) -> None:
    decision = plan(history, high_risk_on=TODAY - timedelta(days=high_days_ago))
    assert ids(decision) == expected
    if expected != FULL:
        assert "high-risk group" in ramp_note(decision)


def test_the_bird_dog_is_easier_only_in_the_first_group() -> None:
    first = plan([])
    assert first.plan is not None
    steps = {s.exercise_id: s for s in first.plan.steps}
    bird_dog = steps["bird-dog"]
    assert bird_dog.variant is VariantLevel.EASIER
    assert any("while you start gently" in n for n in bird_dog.notes)
    assert steps["glute-bridge"].variant is VariantLevel.STANDARD
    # three good sessions at the easier variant: back to standard, as progression says
    later = plan(good(3))
    assert later.plan is not None
    later_steps = {s.exercise_id: s for s in later.plan.steps}
    assert later_steps["bird-dog"].variant is VariantLevel.STANDARD
    assert any("standard version" in n for n in later_steps["bird-dog"].notes)


def test_doses_do_not_grow_beyond_the_program_while_the_ramp_runs() -> None:
    first = plan([]).plan
    assert first is not None
    program_reps = {s.exercise_id: s for s in first.steps}["glute-bridge"].reps
    assert program_reps is not None
    history = [
        session(1 + i, record("glute-bridge", reps=program_reps), pain_before=2, pain_after=2)
        for i in range(3)
    ]
    during = plan(history)
    assert ids(during) == NEXT
    bridge = {s.exercise_id: s for s in during.plan.steps}["glute-bridge"]  # type: ignore[union-attr]
    assert bridge.reps == program_reps
    assert any("Same dose while you start gently" in n for n in bridge.notes)
    # once the whole program has joined, the same good run progresses as before
    after = plan([*history, *good(5, 4)])
    assert ids(after) == FULL
    bridge = {s.exercise_id: s for s in after.plan.steps}["glute-bridge"]  # type: ignore[union-attr]
    assert bridge.reps == program_reps + 1


def test_a_program_without_the_gentle_exercises_still_gets_a_plan() -> None:
    decision = build_plan(
        CATALOG, "desk-break", Length.SHORT, [], today=TODAY, screening=screening()
    )
    assert ids(decision) == ["neck-turns", "neck-nods", "deep-breathing"]
    assert "Shoulder circles" in ramp_note(decision)


days = st.integers(min_value=1, max_value=40)
pain = st.integers(min_value=0, max_value=10)
histories = st.lists(
    st.builds(
        lambda d, b, a, completed, hurt: session(
            d,
            record("glute-bridge", reps=10, hurt=hurt),
            record("superman", reps=6),
            pain_before=b,
            pain_after=a,
            completed=completed,
        ),
        days,
        pain,
        st.one_of(st.none(), pain),
        st.booleans(),
        st.booleans(),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    history=histories,
    pain_now=st.one_of(st.none(), pain),
    high=st.one_of(st.none(), days),
    pregnant=st.booleans(),
)
def test_the_ramp_never_brings_back_what_safety_leaves_out(
    history: list[SessionRecord],
    pain_now: int | None,
    high: int | None,
    pregnant: bool,
) -> None:
    decision = plan(
        history,
        pain_now=pain_now,
        high_risk_on=None if high is None else TODAY - timedelta(days=high),
        screened=screening(pregnancy=pregnant),
    )
    planned = ids(decision)
    assert planned, "a plan is never empty"
    assert set(planned) <= set(FULL)
    if pregnant:
        assert not set(planned) & set(CAUTION_SKIPS["pregnancy"])
    if pain_now is not None and pain_now >= 6:
        assert planned == GENTLE
    whole = [x for x in FULL if not (pregnant and x in CAUTION_SKIPS["pregnancy"])]
    note = ramp_note(decision)
    assert bool(note) == (planned != whole)
    for step in decision.plan.steps if decision.plan else ():
        if note:
            assert step.variant is not VariantLevel.HARDER
        for text in (*step.notes, *decision.cautions):
            assert "push through" not in text.lower().replace("never push through", "")
