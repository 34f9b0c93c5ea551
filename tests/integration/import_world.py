"""For the import tests: an app on a real SQLite file, and a real export made through the services.

``populate`` stores what a person's first week leaves behind, through the same
service calls the pages and the CLI make: a screening, a completed session, a
quit one with "this hurts", one still running, check-ins, two questionnaires,
habit logs and preferences.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.orm import Session, sessionmaker

from backcoach.coach.engine import Event, RepDone, Skip, Start, Tick
from backcoach.coach.plan import plan_from_program
from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.content import Length, default_catalog
from backcoach.services.checkins import record_checkin, record_this_hurts, save_questionnaire
from backcoach.services.desk import BreakAction, record_break, record_walk
from backcoach.services.preferences import PreferencesUpdate, save_preferences
from backcoach.services.safety import save_screening
from backcoach.services.sessions import ActiveSession, apply_event, finish_session, start_session
from backcoach.store import CheckinPhase, PainLocation, User, delete_user_data, local_user
from backcoach.web.app import create_app
from backcoach.web.state import app_state

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

# The Host allow-list accepts the address backcoach serves on.
BASE_URL = "http://127.0.0.1:8000"
PAGES = ("/", "/history", "/desk", "/exercises", "/settings")
EXPORTS = ("/api/v1/export", "/api/v1/export?format=csv")
# Everything else that reads stored data: pages and the JSON API.
READERS = (
    "/questionnaires",
    "/api/v1/plan",
    "/api/v1/checkins",
    "/api/v1/preferences",
    "/api/v1/history",
    "/api/v1/desk/state",
    "/api/v1/desk/days",
)
SESSION_READERS = ("/session/{}", "/api/v1/sessions/{}", "/api/v1/sessions/{}/summary")


@contextmanager
def import_client(data_dir: Path) -> Iterator[TestClient]:
    """The whole app, in process, on a SQLite file in ``data_dir``."""
    app = create_app(Settings(data_dir=data_dir))
    with TestClient(app, base_url=BASE_URL) as client:
        yield client


def store(client: TestClient) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app_state(client.app).sessions
    return factory


def reset(client: TestClient) -> None:
    """Delete everything stored for the local user (as Settings > Delete does)."""
    with store(client)() as db:
        delete_user_data(db, user_id=local_user(db).id)
        db.commit()


def export_text(client: TestClient) -> str:
    response = client.get("/api/v1/export")
    assert response.status_code == 200, response.text
    return response.text


def post_import(client: TestClient, body: bytes, name: str = "backup.json") -> httpx.Response:
    return client.post("/api/v1/import", files={"file": (name, body, "application/json")})


def _run(db: Session, active: ActiveSession, events: list[Event], at: datetime) -> None:
    for event in events:
        apply_event(db, active=active, event=event, now=at + timedelta(seconds=event.t))


def populate(client: TestClient, now: datetime | None = None) -> None:
    """A varied first week, stored through the services (see the module docstring)."""
    now = now or datetime.now(UTC)
    plan = plan_from_program(default_catalog(), "back-basics", Length.SHORT)
    with store(client)() as db:
        user: User = local_user(db)
        uid = user.id
        save_screening(
            db, user_id=uid, answers={q.id: False for q in QUESTIONS}, now=now - timedelta(days=6)
        )

        start = now - timedelta(days=5)
        done = start_session(db, user_id=uid, plan=plan, now=start, pain_before=4)
        record_checkin(
            db, user_id=uid, phase=CheckinPhase.BEFORE, pain=4, now=start, session_id=done.id
        )
        events: list[Event] = [Start(0.0), RepDone(5.0), RepDone(9.5), Tick(30.0)]
        events += [Skip(40.0 + i) for i in range(len(plan.steps))]
        _run(db, done, events, start)
        finish_session(
            db, session_id=done.id, now=start + timedelta(minutes=12), pain_after=3, effort=5
        )
        record_checkin(
            db,
            user_id=uid,
            phase=CheckinPhase.AFTER,
            pain=3,
            effort=5,
            now=start + timedelta(minutes=12),
            session_id=done.id,
        )

        start = now - timedelta(days=2)
        hurt = start_session(db, user_id=uid, plan=plan, now=start, pain_before=3)
        _run(db, hurt, [Start(0.0), Skip(2.0), RepDone(6.0)], start)
        record_this_hurts(
            db,
            user_id=uid,
            session_id=hurt.id,
            exercise_id=plan.steps[1].exercise_id,
            pain=6,
            now=start + timedelta(seconds=7),
            location=PainLocation.NECK,
        )
        finish_session(db, session_id=hurt.id, now=start + timedelta(seconds=8))

        start = now - timedelta(minutes=5)
        t0 = time.time()  # engine time as the web player's clock counts it
        running = start_session(db, user_id=uid, plan=plan, now=start, pain_before=2)
        _run(db, running, [Start(t0), Skip(t0 + 3.0), RepDone(t0 + 8.0), Tick(t0 + 9.25)], start)

        save_questionnaire(
            db,
            user_id=uid,
            name="psfs",
            now=now - timedelta(days=4),
            answers={"activity-1": "Schuhe binden 👟", "rating-1": 4},
        )
        save_questionnaire(
            db,
            user_id=uid,
            name="pain-function",
            now=now - timedelta(days=1),
            answers={
                "pain": 3,
                "interference-activity": 2,
                "interference-sleep": 1,
                "interference-mood": 2,
            },
        )
        record_walk(db, user_id=uid, minutes=22.5, now=now - timedelta(days=1))
        record_break(db, user_id=uid, action=BreakAction.TAKE, now=now - timedelta(hours=1))
        record_break(db, user_id=uid, action=BreakAction.SNOOZE, now=now - timedelta(minutes=3))
        save_preferences(
            db,
            user_id=uid,
            update=PreferencesUpdate(pain_limit=6, break_minutes=30, voice=False),
        )
