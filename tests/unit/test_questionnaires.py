from __future__ import annotations

from datetime import date

import pytest

from backcoach.coach.questionnaires import (
    NAMES,
    STARTBACK_NOTICE,
    AnswerError,
    RiskGroup,
    get,
    is_due,
    score,
    startback_risk,
)


def startback(agree: str = "", bother: int = 0) -> dict[str, int | str]:
    """Answers with the listed items (1-8) agreed and item 9 at choice ``bother``."""
    answers: dict[str, int | str] = {str(i): int(str(i) in agree) for i in range(1, 9)}
    answers["9"] = bother
    return answers


@pytest.mark.parametrize(
    ("agree", "bother", "total", "psychosocial", "risk"),
    [
        ("", 0, 0, 0, RiskGroup.LOW),
        ("123", 0, 3, 0, RiskGroup.LOW),  # 3 is still low
        ("567", 3, 4, 4, RiskGroup.HIGH),  # 4 with psychosocial 4: high
        ("1234", 0, 4, 0, RiskGroup.MEDIUM),  # 4, psychosocial 0: medium
        ("1256", 3, 5, 3, RiskGroup.MEDIUM),  # psychosocial 3 is not high
        ("12345678", 4, 9, 5, RiskGroup.HIGH),
        ("5678", 2, 4, 4, RiskGroup.HIGH),  # "moderately" does not count
        ("5678", 0, 4, 4, RiskGroup.HIGH),
        ("678", 2, 3, 3, RiskGroup.LOW),  # low wins even with distress items
        ("1234567", 2, 7, 3, RiskGroup.MEDIUM),
    ],
)
def test_startback_scoring_and_risk_groups(
    agree: str, bother: int, total: int, psychosocial: int, risk: RiskGroup
) -> None:
    result = score("startback", startback(agree, bother))
    assert result.total == total
    assert result.subscales == {"psychosocial": psychosocial}
    assert result.risk_group is risk
    assert f"{risk} risk" in result.summary


@pytest.mark.parametrize(("bother", "point"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_startback_bothersomeness_counts_only_very_much_and_extremely(
    bother: int, point: int
) -> None:
    assert score("startback", startback("", bother)).total == point


@pytest.mark.parametrize(
    ("total", "psychosocial", "risk"),
    [
        (3, 3, RiskGroup.LOW),
        (4, 3, RiskGroup.MEDIUM),
        (4, 4, RiskGroup.HIGH),
        (9, 5, RiskGroup.HIGH),
        (9, 3, RiskGroup.MEDIUM),
    ],
)
def test_startback_risk_boundaries(total: int, psychosocial: int, risk: RiskGroup) -> None:
    assert startback_risk(total, psychosocial) is risk


def test_startback_wording_and_notice() -> None:
    questionnaire = get("startback")
    assert len(questionnaire.items) == 9
    assert questionnaire.items[0].text == (
        "My back pain has spread down my leg(s) at some time in the last 2 weeks"
    )
    assert questionnaire.items[8].choices == (
        "Not at all",
        "Slightly",
        "Moderately",
        "Very much",
        "Extremely",
    )
    assert "© Keele University 2007, all rights reserved" in questionnaire.notice
    assert "non-commercial" in STARTBACK_NOTICE


@pytest.mark.parametrize(
    ("values", "total", "pain", "interference"),
    [
        ((0, 0, 0, 0), 0.0, 0.0, 0.0),
        ((10, 10, 10, 10), 10.0, 10.0, 10.0),
        ((4, 2, 3, 4), 3.2, 4.0, 3.0),
        ((5, 1, 0, 0), 1.5, 5.0, 0.3),
    ],
)
def test_pain_function_score(
    values: tuple[int, int, int, int], total: float, pain: float, interference: float
) -> None:
    ids = [item.id for item in get("pain-function").items]
    result = score("pain-function", dict(zip(ids, values, strict=True)))
    assert result.total == total
    assert result.subscales == {"pain": pain, "interference": interference}
    assert result.risk_group is None


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        ({"activity-1": "sitting at work", "rating-1": 4}, 4.0),
        ({"activity-1": "sitting", "rating-1": 4, "activity-2": "lifting", "rating-2": 7}, 5.5),
        (
            {
                "activity-1": "a",
                "rating-1": 0,
                "activity-2": "b",
                "rating-2": 10,
                "activity-3": "c",
                "rating-3": 5,
            },
            5.0,
        ),
        ({"activity-1": "a", "rating-1": 3, "activity-2": "  ", "rating-3": None}, 3.0),
    ],
)
def test_psfs_score_is_the_mean_rating(answers: dict[str, int | str], total: float) -> None:
    result = score("psfs", answers)
    assert result.total == total
    assert len(result.subscales) == sum(
        1 for k in answers if k.startswith("rating-") and answers[k] is not None
    )


@pytest.mark.parametrize(
    ("name", "answers", "message"),
    [
        ("startback", {**startback(), "9": 5}, "item '9' must be from 0 to 4, got 5"),
        ("startback", {**startback(), "1": 2}, "item '1' must be from 0 to 1"),
        ("startback", {**startback(), "3": -1}, "item '3' must be from 0 to 1"),
        ("startback", {k: v for k, v in startback().items() if k != "4"}, "answer item '4'"),
        ("startback", {**startback(), "10": 1}, "unknown item"),
        ("startback", {**startback(), "2": "yes"}, "needs a whole number"),
        (
            "pain-function",
            {
                "pain": 11,
                "interference-activity": 0,
                "interference-sleep": 0,
                "interference-mood": 0,
            },
            "item 'pain' must be from 0 to 10, got 11",
        ),
        ("psfs", {"activity-1": "sitting", "rating-1": 12}, "from 0 to 10"),
        ("psfs", {"activity-1": "sitting"}, "answer item 'rating-1'"),
        ("psfs", {"activity-1": "a", "rating-1": 1, "activity-2": "b"}, "both a name and a rating"),
        ("psfs", {"activity-1": "a", "rating-1": 1, "rating-2": 4}, "both a name and a rating"),
        ("psfs", {"activity-1": 3, "rating-1": 1}, "needs text"),
        ("sf-36", {}, "choose one of: pain-function, psfs, startback"),
    ],
)
def test_invalid_answers_are_refused_with_a_plain_message(
    name: str, answers: dict[str, int | str], message: str
) -> None:
    with pytest.raises(AnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        score(name, answers)


def test_names_and_schedule() -> None:
    assert NAMES == ("pain-function", "psfs", "startback")
    check = get("pain-function")
    assert check.interval_days == 14
    assert is_due(check, None, today=date(2026, 1, 15))
    assert not is_due(check, date(2026, 1, 2), today=date(2026, 1, 15))
    assert is_due(check, date(2026, 1, 1), today=date(2026, 1, 15))
    assert not is_due(get("startback"), None, today=date(2026, 1, 15))
