"""The dashboard's flag rules, due dates and prescribed sessions, without a database."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from backcoach.services import clinic_flags as flags
from backcoach.services.clinic_dashboard import prescribed
from backcoach.services.questionnaire_schedules import (
    latest_due_date,
    next_due_date,
    unanswered_since,
)

TODAY = date(2026, 11, 20)


def pair(days_ago: int, before: int, after: int) -> flags.PainPair:
    return flags.PainPair(day=TODAY - timedelta(days=days_ago), before=before, after=after)


def test_red_flag_names_the_flags_and_keeps_the_date() -> None:
    flag = flags.red_flag(TODAY, ["bladder-bowel", "saddle-numbness"])
    assert flag is not None
    assert flag.code == "red-flag"
    assert flag.since == TODAY
    assert "(bladder bowel, saddle numbness)" in flag.message
    assert flags.red_flag(None, []) is None


def test_pain_rising_looks_at_the_latest_two_only() -> None:
    assert flags.pain_rising([pair(1, 2, 4), pair(3, 1, 5)]) is not None
    assert flags.pain_rising([pair(1, 2, 3), pair(3, 1, 5), pair(5, 1, 5)]) is None
    assert flags.pain_rising([pair(1, 2, 4)]) is None
    assert flags.pain_rising([pair(1, 4, 2), pair(3, 5, 1)]) is None  # pain fell


def test_start_back_high_only_for_high_risk() -> None:
    assert flags.start_back_high(TODAY, {"risk_group": "high", "total": 7.0}) is not None
    assert flags.start_back_high(TODAY, {"risk_group": "medium", "total": 5.0}) is None
    assert flags.start_back_high(None, None) is None


def test_inactive_after_five_days() -> None:
    assert flags.inactive(TODAY - timedelta(days=4), TODAY - timedelta(days=30), TODAY) is None
    flag = flags.inactive(TODAY - timedelta(days=5), TODAY - timedelta(days=30), TODAY)
    assert flag is not None and flag.since == TODAY - timedelta(days=5)
    assert flags.inactive(None, TODAY - timedelta(days=4), TODAY) is None
    assert flags.inactive(None, TODAY - timedelta(days=5), TODAY) is not None


def test_flags_sort_by_severity_then_age() -> None:
    found = flags.by_severity(
        [
            flags.questionnaire_due("PSFS", TODAY),
            None,
            flags.inactive(None, TODAY - timedelta(days=9), TODAY),
            flags.red_flag(TODAY, []),
            flags.questionnaire_due("STarT Back", TODAY - timedelta(days=3)),
        ]
    )
    due = "questionnaire-due"
    assert [f.code for f in found] == ["red-flag", "inactive", due, due]
    assert found[2].since == TODAY - timedelta(days=3)


def test_due_dates() -> None:
    first = date(2026, 11, 1)
    assert latest_due_date(first, 14, date(2026, 10, 31)) is None
    assert latest_due_date(first, 14, first) == first
    assert latest_due_date(first, 14, date(2026, 11, 14)) == first
    assert latest_due_date(first, 14, date(2026, 11, 15)) == date(2026, 11, 15)
    assert next_due_date(first, 14, date(2026, 10, 1)) == first
    assert next_due_date(first, 14, date(2026, 11, 15)) == date(2026, 11, 29)
    assert unanswered_since(first, 14, date(2026, 11, 15), date(2026, 11, 20)) is None
    assert unanswered_since(first, 14, date(2026, 11, 14), date(2026, 11, 20)) == date(2026, 11, 15)


@given(
    first=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    every=st.integers(7, 90),
    offset=st.integers(0, 1000),
)
def test_the_latest_due_date_is_within_one_period(first: date, every: int, offset: int) -> None:
    today = first + timedelta(days=offset)
    due = latest_due_date(first, every, today)
    assert due is not None
    assert due <= today < due + timedelta(days=every)
    assert (due - first).days % every == 0


def test_prescribed_sessions_round_half_up() -> None:
    assert prescribed(5, 7) == 5
    assert prescribed(5, 28) == 20
    assert prescribed(5, 1) == 1  # 0.71
    assert prescribed(5, 3) == 2  # 2.14
    assert prescribed(3, 7) == 3
    assert prescribed(7, 1) == 1
    assert prescribed(1, 3) == 0  # 0.43
    assert prescribed(1, 4) == 1  # 0.57
    assert prescribed(2, 0) == 0
