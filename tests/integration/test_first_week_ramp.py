"""The first-week ramp through the store and on a running server: the STarT Back risk
the planner is given, and the reason for a short first session on Today and in the API."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from backcoach.coach.safety import QUESTION_IDS
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.services import checkins, planning, safety
from backcoach.store import local_user
from tests.e2e.live_server import running_server

TODAY = date(2026, 3, 2)
GENTLE = ["deep-breathing", "neck-nods", "neck-turns", "glute-bridge", "bird-dog", "relaxation"]
HIGH = {str(i): 1 for i in range(1, 9)} | {"9": 4}  # all agree, "extremely": total 9, high
LOW = {str(i): 0 for i in range(1, 10)}


@pytest.fixture
def user_id(db: Session) -> int:
    uid = local_user(db).id
    db.commit()
    return uid


def answer_startback(db: Session, user_id: int, answers: dict[str, int], day: date) -> None:
    checkins.save_questionnaire(
        db,
        user_id=user_id,
        name="startback",
        answers=dict(answers),
        now=datetime.combine(day, time(9), tzinfo=UTC),
    )


def test_the_latest_high_risk_start_back_gives_its_day(db: Session, user_id: int) -> None:
    assert planning.high_risk_since(db, user_id=user_id) is None
    answer_startback(db, user_id, LOW, TODAY - timedelta(days=9))
    assert planning.high_risk_since(db, user_id=user_id) is None
    answer_startback(db, user_id, HIGH, TODAY - timedelta(days=3))
    assert planning.high_risk_since(db, user_id=user_id) == TODAY - timedelta(days=3)
    answer_startback(db, user_id, LOW, TODAY - timedelta(days=1))
    assert planning.high_risk_since(db, user_id=user_id) is None


def test_todays_plan_says_a_high_risk_start_back_is_why_it_starts_gently(
    db: Session, user_id: int
) -> None:
    safety.save_screening(
        db,
        user_id=user_id,
        answers=dict.fromkeys(QUESTION_IDS, False),
        now=datetime.combine(TODAY, time(8), tzinfo=UTC),
    )
    answer_startback(db, user_id, HIGH, TODAY)
    decision = planning.todays_plan(
        db, default_catalog(), today=TODAY, program_id="back-basics", length=Length.SHORT,
        user_id=user_id,
    )  # fmt: skip
    assert decision.plan is not None, decision.message
    assert [s.exercise_id for s in decision.plan.steps] == GENTLE
    assert decision.cautions[0].startswith("Starting gently: your latest STarT Back answers")


@pytest.fixture
def client(tmp_path: Path) -> Iterator[httpx.Client]:
    with (
        running_server(Settings(data_dir=tmp_path / "data")) as live,
        httpx.Client(base_url=live.url, timeout=10) as client,
    ):
        yield client


def test_today_and_the_plan_say_why_the_first_session_is_gentle(client: httpx.Client) -> None:
    questions = client.get("/api/v1/screening/questions").json()
    screened = client.post(
        "/api/v1/screening", json={"answers": {q["id"]: False for q in questions}}
    )
    assert screened.json()["outcome"] == "clear"

    plan = client.get("/api/v1/plan").json()
    assert [s["exercise_id"] for s in plan["steps"]] == GENTLE
    bird_dog = next(s for s in plan["steps"] if s["exercise_id"] == "bird-dog")
    assert bird_dog["variant"] == "easier"
    (ramp,) = [c for c in plan["cautions"] if c.startswith("Starting gently")]
    assert "you are new to this program" in ramp
    assert "Superman" in ramp and "more exercises join as your sessions go well" in ramp.lower()

    today = client.get("/")
    assert today.status_code == 200
    cautions = re.search(r'<section[^>]*id="cautions">(.*?)</section>', today.text, re.S)
    assert cautions is not None, today.text
    assert ramp in html.unescape(cautions.group(1))
    listed = re.findall(r'<a href="/exercises/([^"]+)"', today.text.split('id="plan-steps"')[1])
    assert listed[: len(GENTLE)] == GENTLE
