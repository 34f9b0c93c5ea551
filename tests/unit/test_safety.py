from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcoach.coach.planner import PlanRefused, Refusal, build_plan
from backcoach.coach.safety import (
    DISCLAIMER,
    QUESTION_IDS,
    QUESTIONS,
    Kind,
    Outcome,
    ScreeningRecord,
    Severity,
    evaluate,
    pain_jumped,
    rescreen_reason,
)
from backcoach.content import Length
from backcoach.errors import UsageError
from tests.unit.progression_factories import TODAY, catalog, good_run, screening

RED_FLAG_IDS = [q.id for q in QUESTIONS if q.kind is Kind.RED_FLAG]


def answers_with(*yes: str) -> dict[str, bool]:
    answers = dict.fromkeys(QUESTION_IDS, False)
    answers.update(dict.fromkeys(yes, True))
    return answers


@pytest.mark.parametrize(
    ("question_id", "severity"),
    [
        ("bladder-bowel", Severity.EMERGENCY),
        ("saddle-numbness", Severity.EMERGENCY),
        ("leg-weakness-worsening", Severity.URGENT),
        ("both-legs", Severity.URGENT),
        ("major-trauma", Severity.URGENT),
        ("minor-trauma-fragile-bones", Severity.URGENT),
        ("fever-unwell", Severity.URGENT),
        ("cancer-history", Severity.SOON),
        ("weight-loss", Severity.SOON),
        ("infection-risk", Severity.SOON),
        ("constant-night-pain", Severity.SOON),
    ],
)
def test_each_red_flag_alone_blocks_with_its_severity(question_id: str, severity: Severity) -> None:
    result = evaluate(answers_with(question_id))
    assert result.outcome is Outcome.RED_FLAG
    assert result.red_flags == (question_id,)
    assert result.severity is severity
    assert "will not offer exercises" in result.message


def test_cauda_equina_signs_send_to_the_emergency_department_today() -> None:
    result = evaluate(answers_with("saddle-numbness"))
    assert "emergency department today" in result.message
    assert "cauda equina" in result.message


def test_the_most_urgent_flag_decides_the_message() -> None:
    result = evaluate(answers_with("cancer-history", "bladder-bowel", "both-legs"))
    assert result.severity is Severity.EMERGENCY
    assert set(result.red_flags) == {"cancer-history", "bladder-bowel", "both-legs"}


@pytest.mark.parametrize(
    ("flags", "severity"),
    [
        (("cancer-history",), Severity.URGENT),
        (("fever-unwell",), Severity.EMERGENCY),
        (("bladder-bowel",), Severity.EMERGENCY),
    ],
)
def test_new_pain_over_50_or_under_20_makes_a_red_flag_more_urgent(
    flags: tuple[str, ...], severity: Severity
) -> None:
    assert evaluate(answers_with("age-new-pain", *flags)).severity is severity


@pytest.mark.parametrize(
    ("yes", "cautions"),
    [
        (("recent-surgery",), ("recent-surgery",)),
        (("pregnancy",), ("pregnancy",)),
        (("age-new-pain",), ("age-new-pain",)),
        (("recent-surgery", "pregnancy"), ("recent-surgery", "pregnancy")),
    ],
)
def test_cautions_still_allow_a_plan(yes: tuple[str, ...], cautions: tuple[str, ...]) -> None:
    result = evaluate(answers_with(*yes))
    assert result.outcome is Outcome.CAUTION
    assert result.cautions == cautions
    assert result.severity is None
    assert len(result.caution_texts) == len(cautions)


def test_all_no_is_clear() -> None:
    result = evaluate(answers_with())
    assert result.outcome is Outcome.CLEAR
    assert result.red_flags == result.cautions == ()


def test_every_combination_of_answers_is_classified_correctly() -> None:
    red = {q.id for q in QUESTIONS if q.kind is Kind.RED_FLAG}
    for values in itertools.product((False, True), repeat=len(QUESTION_IDS)):
        answers = dict(zip(QUESTION_IDS, values, strict=True))
        result = evaluate(answers)
        yes = {qid for qid, value in answers.items() if value}
        if yes & red:
            assert result.outcome is Outcome.RED_FLAG
            assert set(result.red_flags) == yes & red
        elif yes:
            assert result.outcome is Outcome.CAUTION
        else:
            assert result.outcome is Outcome.CLEAR


def test_unanswered_and_unknown_questions_are_refused() -> None:
    answers = answers_with()
    del answers["pregnancy"]
    with pytest.raises(UsageError, match="missing: pregnancy"):
        evaluate(answers)
    with pytest.raises(UsageError, match="unknown screening question"):
        evaluate({**answers_with(), "shoe-size": True})


def test_questions_have_plain_text_and_help() -> None:
    assert len(set(QUESTION_IDS)) == len(QUESTIONS)
    for q in QUESTIONS:
        assert q.text.endswith("?")
        assert q.help
        assert (q.severity is not None) == (q.kind is Kind.RED_FLAG)
        assert bool(q.caution) == (q.kind is Kind.CAUTION)


def test_disclaimer_says_what_matters() -> None:
    assert "not medical advice" in DISCLAIMER
    assert "Stop an exercise if your pain increases" in DISCLAIMER
    assert "physiotherapist" in DISCLAIMER


@pytest.mark.parametrize(
    ("pain_now", "earlier", "jumped"),
    [
        (8, [], True),  # 8+ always
        (7, [], False),
        (5, [2, 2, 2], True),  # 3 above the median
        (4, [2, 2, 2], False),
        (5, [1, 2, 9], True),  # median, not mean (mean 4)
        (6, [9, 9, 9, 9, 9, 2, 3, 3, 3, 3], True),  # only the last 5 count
        (2, [0], False),
        (3, [0], True),
    ],
)
def test_pain_jump(pain_now: int, earlier: list[int], jumped: bool) -> None:
    assert pain_jumped(pain_now, earlier) is jumped


@pytest.mark.parametrize(
    ("screened_days_ago", "pain_now", "earlier", "due"),
    [
        (None, None, [], "screening first"),
        (27, None, [], None),
        (28, None, [], "28 days ago"),
        (3, 6, [2, 2, 3], "clearly higher"),
        (0, 6, [2, 2, 3], None),  # screened today, after the jump
        (3, 4, [2, 2, 3], None),
    ],
)
def test_rescreen_reason(
    screened_days_ago: int | None, pain_now: int | None, earlier: list[int], due: str | None
) -> None:
    record = (
        None if screened_days_ago is None else screening(TODAY - timedelta(days=screened_days_ago))
    )
    reason = rescreen_reason(record, today=TODAY, pain_now=pain_now, earlier_pain=earlier)
    if due is None:
        assert reason is None
    else:
        assert reason is not None and due in reason


def test_planner_refuses_without_a_screening_and_when_due() -> None:
    content = catalog()
    missing = build_plan(content, "test", Length.FULL, [], today=TODAY, screening=None)
    assert missing.refusal is Refusal.NO_SCREENING and missing.plan is None
    with pytest.raises(PlanRefused, match="screening"):
        missing.require_plan()
    old = build_plan(
        content,
        "test",
        Length.FULL,
        [],
        today=TODAY,
        screening=screening(TODAY - timedelta(days=30)),
    )
    assert old.refusal is Refusal.RESCREEN_DUE
    jump = build_plan(
        content,
        "test",
        Length.FULL,
        good_run(3),
        today=TODAY,
        screening=screening(TODAY - timedelta(days=5)),
        pain_now=7,
    )
    assert jump.refusal is Refusal.RESCREEN_DUE and "7/10" in jump.message


@settings(max_examples=300, deadline=None)
@given(
    answers=st.fixed_dictionaries({qid: st.booleans() for qid in QUESTION_IDS}),
    days_ago=st.integers(min_value=0, max_value=60),
    pain_now=st.none() | st.integers(min_value=0, max_value=10),
    history_length=st.integers(min_value=0, max_value=5),
)
def test_any_red_flag_means_no_plan(
    answers: dict[str, bool], days_ago: int, pain_now: int | None, history_length: int
) -> None:
    record = ScreeningRecord(taken_on=TODAY - timedelta(days=days_ago), result=evaluate(answers))
    decision = build_plan(
        catalog(),
        "test",
        Length.FULL,
        good_run(history_length),
        today=TODAY,
        screening=record,
        pain_now=pain_now,
    )
    if any(answers[qid] for qid in RED_FLAG_IDS):
        assert decision.plan is None
        assert decision.refusal is Refusal.RED_FLAG
        assert decision.message == record.result.message
        with pytest.raises(PlanRefused):
            decision.require_plan()
    elif days_ago >= 28:
        assert decision.refusal is Refusal.RESCREEN_DUE
    elif pain_now is None or pain_now < 5 or days_ago == 0:
        # good_run has pain 2 before every session: below 5 is never a jump.
        assert decision.plan is not None
