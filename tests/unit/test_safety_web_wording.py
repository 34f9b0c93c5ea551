"""Screening messages worded for the web: no terminal command; the terminal keeps its own."""

from __future__ import annotations

from datetime import date

import pytest

from backcoach.coach.safety import (
    QUESTION_IDS,
    QUESTIONS,
    RESCREEN_DAYS,
    Kind,
    ScreeningRecord,
    evaluate,
    for_web,
    rescreen_reason,
)

TODAY = date(2026, 3, 2)
RED_FLAGS = [q.id for q in QUESTIONS if q.kind is Kind.RED_FLAG]


@pytest.mark.parametrize("question_id", RED_FLAGS)
def test_every_red_flag_message_has_a_web_wording(question_id: str) -> None:
    answers = dict.fromkeys(QUESTION_IDS, False) | {question_id: True}
    message = evaluate(answers).message
    assert "`backcoach screening`" in message  # the terminal keeps its command
    web = for_web(message)
    assert "backcoach screening" not in web and "`" not in web
    assert web.endswith("you can answer the safety questions again here.")
    assert web.removesuffix("you can answer the safety questions again here.") == (
        message.removesuffix("you can answer the screening again with `backcoach screening`.")
    )


def test_the_first_screening_message() -> None:
    message = rescreen_reason(None, today=TODAY)
    assert message is not None and "`backcoach screening`" in message
    assert for_web(message) == "Please answer the short safety questions first."


def test_messages_without_a_command_are_unchanged() -> None:
    clear = evaluate(dict.fromkeys(QUESTION_IDS, False))
    old = ScreeningRecord(taken_on=date(2026, 1, 1), result=clear)
    due = rescreen_reason(old, today=TODAY)
    assert due is not None and f"every {RESCREEN_DAYS} days" in due
    assert for_web(due) == due
    assert for_web(clear.message) == clear.message
