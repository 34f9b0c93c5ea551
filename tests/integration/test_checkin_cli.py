"""`backcoach screening`, `checkin` and `questionnaire` via the CLI (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from backcoach.coach.safety import QUESTIONS
from backcoach.store import (
    CheckIn,
    CheckinPhase,
    PainLocation,
    QuestionnaireResponse,
    Screening,
    ScreeningOutcome,
    add_checkin,
    add_screening,
    local_user,
    session_factory,
)
from tests.integration import cli_setup
from tests.integration.cli_setup import Invoke, flat

invoke = cli_setup.invoke  # the shared fixture, found by pytest under this name


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    with session_factory(engine)() as session:
        yield session


def rows(db: Session, model: type[Any]) -> list[Any]:
    db.expire_all()
    return list(db.scalars(select(model)))


def no_to_all() -> str:
    return "n\n" * len(QUESTIONS)


def test_screening_all_no_is_clear_and_stored(invoke: Invoke, db: Session) -> None:
    result = invoke("screening", input=no_to_all())
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "not medical advice" in out
    assert "All clear" in out
    assert QUESTIONS[0].text in out
    (row,) = rows(db, Screening)
    assert row.outcome is ScreeningOutcome.CLEAR
    assert row.answers == {q.id: False for q in QUESTIONS}


def test_screening_red_flag_says_see_a_doctor(invoke: Invoke, db: Session) -> None:
    # "maybe" is not an answer: asked again
    result = invoke("screening", input="maybe\ny\n" + "n\n" * (len(QUESTIONS) - 1))
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "Please see a doctor" in out
    assert "emergency department today" in out
    (row,) = rows(db, Screening)
    assert (row.outcome, row.red_flags) == (ScreeningOutcome.RED_FLAG, ["bladder-bowel"])


def test_screening_cut_short_stores_nothing(invoke: Invoke, db: Session) -> None:
    result = invoke("screening", input="n\nn\n")
    assert result.exit_code == 2, result.output
    assert "nothing was stored" in flat(result.output)
    assert rows(db, Screening) == []


def test_checkin_before_asks_pain_and_where(invoke: Invoke, db: Session) -> None:
    result = invoke("checkin", input="11\n3\nneck\n")  # 11 is out of range: asked again
    assert result.exit_code == 0, result.output
    assert "Saved: pain 3/10 (neck)." in flat(result.output)
    (row,) = rows(db, CheckIn)
    assert (row.phase, row.pain, row.location, row.effort) == (
        CheckinPhase.BEFORE,
        3,
        PainLocation.NECK,
        None,
    )
    # no screening yet: the check-in says so
    assert "safety screening first" in flat(result.output)


def test_checkin_after_asks_effort(invoke: Invoke, db: Session) -> None:
    result = invoke(
        "checkin", "--phase", "after", "--pain", "2", "--where", "low-back", input="5\n"
    )
    assert result.exit_code == 0, result.output
    assert "Saved: pain 2/10 (low-back), effort 5/10." in flat(result.output)
    (row,) = rows(db, CheckIn)
    assert (row.phase, row.pain, row.effort) == (CheckinPhase.AFTER, 2, 5)


@pytest.mark.parametrize(
    "args",
    [
        ("checkin", "--effort", "3", "--pain", "1", "--where", "neck"),
        ("checkin", "--pain", "12"),
        ("checkin", "--phase", "during"),
    ],
)
def test_checkin_bad_options_are_usage_errors(
    invoke: Invoke, db: Session, args: tuple[str, ...]
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert rows(db, CheckIn) == []


def test_a_pain_jump_asks_for_a_new_screening(invoke: Invoke, db: Session) -> None:
    user_id = local_user(db).id
    now = datetime.now(UTC)
    add_screening(
        db,
        user_id=user_id,
        taken_at=now - timedelta(days=3),
        answers={q.id: False for q in QUESTIONS},
        red_flags=[],
        outcome=ScreeningOutcome.CLEAR,
    )
    for days in (3, 2, 1):
        add_checkin(
            db,
            user_id=user_id,
            at=now - timedelta(days=days),
            phase=CheckinPhase.BEFORE,
            pain=2,
        )
    db.commit()
    calm = invoke("checkin", "--pain", "4", "--where", "low-back")
    assert calm.exit_code == 0, calm.output
    assert "Before you exercise" not in calm.output
    jump = invoke("checkin", "--pain", "7", "--where", "low-back")
    assert jump.exit_code == 0, jump.output
    assert "clearly higher than usual" in flat(jump.output)


def test_questionnaire_startback(invoke: Invoke, db: Session) -> None:
    answers = "agree\n" * 4 + "disagree\n" * 4 + "2\n"
    result = invoke("questionnaire", "startback", input=answers)
    assert result.exit_code == 0, result.output
    out = flat(result.output)
    assert "My back pain has spread down my leg(s)" in out
    assert "© Keele University 2007, all rights reserved" in out
    assert "Total 4/9, psychosocial 0/5: medium risk." in out
    (row,) = rows(db, QuestionnaireResponse)
    assert row.name == "startback"
    assert row.answers["9"] == 1  # "Slightly" is the second choice (index 1)
    assert row.scores["risk_group"] == "medium"


def test_questionnaire_psfs_stops_at_an_empty_activity(invoke: Invoke, db: Session) -> None:
    result = invoke("questionnaire", "psfs", input="sitting at work\n4\ncarrying shopping\n7\n\n")
    assert result.exit_code == 0, result.output
    assert "Average 5.5/10 over 2 activities" in flat(result.output)
    (row,) = rows(db, QuestionnaireResponse)
    assert row.answers == {
        "activity-1": "sitting at work",
        "rating-1": 4,
        "activity-2": "carrying shopping",
        "rating-2": 7,
    }


def test_questionnaire_pain_function(invoke: Invoke, db: Session) -> None:
    result = invoke("questionnaire", "pain-function", input="4\n2\n3\n4\n")
    assert result.exit_code == 0, result.output
    assert "overall 3.2/10" in flat(result.output)
    (row,) = rows(db, QuestionnaireResponse)
    assert row.scores["subscales"] == {"pain": 4.0, "interference": 3.0}


def test_unknown_questionnaire_lists_the_names(invoke: Invoke, db: Session) -> None:
    result = invoke("questionnaire", "sf-36")
    assert result.exit_code == 2
    assert "choose one of: pain-function, psfs, startback" in flat(result.output)
    assert rows(db, QuestionnaireResponse) == []
