"""``read_answers``: typed form text in, answers and a plain message per wrong item out."""

from __future__ import annotations

import pytest

from backcoach.coach.questionnaires import MAX_TEXT_LENGTH, AnswerError, get, read_answers, score


def test_typed_answers_become_numbers_and_text() -> None:
    answers, errors = read_answers(
        get("psfs"), {"activity-1": "  sitting  ", "rating-1": "07", "activity-2": " "}
    )
    assert errors == {}
    assert answers == {"activity-1": "sitting", "rating-1": 7}
    assert score("psfs", answers).total == 7.0


@pytest.mark.parametrize("typed", ["\u00b2", "\u0663", "9" * 5000, "1e1", "+1", "1_0", "11"])
def test_only_short_ascii_whole_numbers_in_range_count(typed: str) -> None:
    answers, errors = read_answers(get("pain-function"), {"pain": typed})
    assert "pain" not in answers
    assert errors["pain"] == "Choose a whole number from 0 to 10."


def test_surrounding_spaces_are_trimmed() -> None:
    answers, errors = read_answers(get("pain-function"), {"pain": " 10 "})
    assert answers["pain"] == 10 and "pain" not in errors


def test_every_wrong_item_gets_its_own_message() -> None:
    answers, errors = read_answers(get("startback"), {"1": "1", "2": "2", "9": "4"})
    assert answers == {"1": 1, "9": 4}
    assert errors["2"] == "Choose one of the answers."
    assert all(errors[item] == "Please answer this question." for item in "345678")


def test_score_refuses_text_answers_that_are_too_long() -> None:
    with pytest.raises(AnswerError, match=f"at most {MAX_TEXT_LENGTH} characters"):
        score("psfs", {"activity-1": "x" * (MAX_TEXT_LENGTH + 1), "rating-1": 3})
