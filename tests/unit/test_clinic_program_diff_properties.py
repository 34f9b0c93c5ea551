"""The version diff under random edits: it accounts for every step added or removed."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.content import Length, default_catalog
from backcoach.services.program_definition import (
    AddStep,
    Edit,
    MoveStep,
    RemoveStep,
    SetVariant,
    apply_edits,
    check_definition,
    diff,
    from_program,
)

CATALOG = default_catalog()
BASE = check_definition(
    from_program(CATALOG.program("back-basics"), CATALOG, sessions_per_week=3), CATALOG
)
EXERCISES = sorted(CATALOG.exercises)


@st.composite
def edits(draw: st.DrawFn) -> list[Edit]:
    """A few edits that are valid one after the other (steps stay between 1 and 30)."""
    sizes = {length: len(BASE.steps(length)) for length in Length}
    chosen: list[Edit] = []
    for _ in range(draw(st.integers(1, 6))):
        length = draw(st.sampled_from(list(Length)))
        size = sizes[length]
        kind = draw(st.sampled_from(["add", "remove", "move", "variant"]))
        if kind == "add" and size < 30:
            at = draw(st.integers(1, size + 1))
            exercise = draw(st.sampled_from(EXERCISES))
            chosen.append(AddStep(op="add", length=length, exercise=exercise, at=at))
            sizes[length] += 1
        elif kind == "remove" and size > 1:
            chosen.append(RemoveStep(op="remove", length=length, step=draw(st.integers(1, size))))
            sizes[length] -= 1
        elif kind == "move":
            step, to = draw(st.integers(1, size)), draw(st.integers(1, size))
            chosen.append(MoveStep(op="move", length=length, step=step, to=to))
        elif kind == "variant":
            variant = draw(st.sampled_from(["easier", "standard", "harder"]))
            step = draw(st.integers(1, size))
            chosen.append(SetVariant(op="variant", length=length, step=step, variant=variant))
    return chosen


@settings(max_examples=60, deadline=None)
@given(edits())
def test_the_diff_accounts_for_every_step_and_nothing_else(changes: list[Edit]) -> None:
    edited = apply_edits(BASE, changes, CATALOG)
    found = diff(BASE, edited, CATALOG)
    for length in Length:
        kinds = Counter(c.kind for c in found if c.length == length)
        old = Counter(s.exercise for s in BASE.steps(length))
        new = Counter(s.exercise for s in edited.steps(length))
        added = Counter(c.exercise for c in found if c.length == length and c.kind == "added")
        removed = Counter(c.exercise for c in found if c.length == length and c.kind == "removed")
        assert new - old == added and old - new == removed  # per exercise, exactly
        assert kinds["added"] - kinds["removed"] == len(edited.steps(length)) - len(
            BASE.steps(length)
        )
    assert diff(edited, edited, CATALOG) == []
    if edited == BASE:
        assert found == []


@settings(max_examples=30, deadline=None)
@given(edits())
def test_editing_never_changes_the_version_it_started_from(changes: list[Edit]) -> None:
    before = BASE.model_dump(mode="json")
    apply_edits(BASE, changes, CATALOG)
    assert BASE.model_dump(mode="json") == before
