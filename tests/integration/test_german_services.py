"""The services' messages in German on a real database: an import through the web app
(``Accept-Language: de``), a check-in for a session that does not exist or out of range,
a desk walk out of bounds and an ended session that cannot be resumed; English as before.

Ids, field paths and file names are quoted in a message and not words to translate: they
are cut out before the German text is checked for English marker words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from backcoach.errors import UsageError
from backcoach.i18n import use_language
from backcoach.services.checkins import record_checkin
from backcoach.services.desk import record_walk
from backcoach.services.sessions import resume_session
from backcoach.store import CheckinPhase, local_user
from tests.integration.import_world import (
    TestClient,
    export_text,
    import_client,
    populate,
    store,
)
from tests.support.german import english_leftovers

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GERMAN = {"Accept-Language": "de"}
QUOTED = re.compile(r"„[^“]*“|'[^']*'")


def words_of(message: str) -> str:
    return QUOTED.sub(" ", message)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with import_client(tmp_path / "data") as client:
        populate(client)
        yield client


def import_in_german(client: TestClient, body: bytes) -> Any:
    files = {"file": ("backup.json", body, "application/json")}
    return client.post("/api/v1/import", files=files, headers=GERMAN)


def test_the_same_file_again_is_answered_in_german(client: TestClient) -> None:
    response = import_in_german(client, export_text(client).encode())
    assert response.status_code == 200, response.text
    assert response.json()["message"] == (
        "Nichts Neues zu importieren: Alles in backup.json ist schon gespeichert. "
        "Es wurde nichts geändert."
    )


@pytest.mark.parametrize(
    ("change", "german", "english"),
    [
        (
            lambda s: s["state"].update(step_index=99),
            "sein aktueller Schritt liegt außerhalb des Plans",
            "its current step is outside the plan",
        ),
        (
            lambda s: s["state"].pop("records"),
            "Pflichtfeld fehlt (bei state.records)",
            "Field required (at state.records)",
        ),
    ],
    ids=["step", "missing-records"],
)
def test_a_session_snapshot_that_cannot_go_on_is_refused_in_german(
    client: TestClient, change: Any, german: str, english: str
) -> None:
    before = export_text(client)
    document = json.loads(before)
    running = next(s for s in document["tables"]["sessions"] if s["status"] == "in_progress")
    change(running["snapshot"])
    body = json.dumps(document).encode()
    response = import_in_german(client, body)
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert detail.startswith(
        "backup.json ist kein gültiger backcoach-Export; es wurde nichts importiert."
    )
    assert german in detail
    assert english_leftovers(words_of(detail)) == []
    english_response = client.post(
        "/api/v1/import", files={"file": ("backup.json", body, "application/json")}
    )
    assert english in english_response.json()["detail"]
    assert export_text(client) == before


def test_an_ended_session_cannot_be_resumed_in_either_language(client: TestClient) -> None:
    ended = next(
        s["id"]
        for s in json.loads(export_text(client))["tables"]["sessions"]
        if s["status"] == "quit"
    )
    with store(client)() as db:
        with pytest.raises(UsageError) as caught:
            resume_session(db, session_id=ended, now=NOW)
        assert str(caught.value) == f"Session {ended} is quit; it cannot be resumed."
        with use_language("de"), pytest.raises(UsageError) as caught:
            resume_session(db, session_id=ended, now=NOW)
        german = str(caught.value)
    assert german == (f"Einheit {ended} wurde abgebrochen; sie kann nicht fortgesetzt werden.")


@pytest.fixture
def user_id(db: Session) -> int:
    uid = local_user(db).id
    db.commit()
    return uid


def test_a_check_in_for_a_session_that_is_not_there_is_refused_in_german(
    db: Session, user_id: int
) -> None:
    def check_in() -> None:
        record_checkin(
            db, user_id=user_id, phase=CheckinPhase.BEFORE, pain=3, now=NOW, session_id=999
        )

    with pytest.raises(UsageError, match=r"^There is no session 999\.$"):
        check_in()
    with use_language("de"), pytest.raises(UsageError) as caught:
        check_in()
    assert str(caught.value) == "Es gibt keine Einheit 999."


@pytest.mark.parametrize(
    ("pain", "effort", "german"),
    [
        (11, None, "Der Schmerz muss eine ganze Zahl von 0 bis 10 sein, angegeben ist 11"),
        (3, -1, "Die Anstrengung muss eine ganze Zahl von 0 bis 10 sein, angegeben ist -1"),
    ],
)
def test_pain_and_effort_out_of_range_are_refused_in_german(
    db: Session, user_id: int, pain: int, effort: int | None, german: str
) -> None:
    def check_in() -> None:
        record_checkin(
            db, user_id=user_id, phase=CheckinPhase.AFTER, pain=pain, effort=effort, now=NOW
        )

    with pytest.raises(UsageError, match="must be a whole number from 0 to 10"):
        check_in()
    with use_language("de"), pytest.raises(UsageError) as caught:
        check_in()
    assert str(caught.value) == german
    assert english_leftovers(german) == []


@pytest.mark.parametrize("minutes", [0, 5000])
def test_walking_minutes_out_of_bounds_are_refused_in_german(
    db: Session, user_id: int, minutes: float
) -> None:
    with pytest.raises(UsageError) as caught:
        record_walk(db, user_id=user_id, minutes=minutes, now=NOW)
    assert str(caught.value).startswith("Walking time must be more than 0 and at most")
    with use_language("de"), pytest.raises(UsageError) as caught:
        record_walk(db, user_id=user_id, minutes=minutes, now=NOW)
    german = str(caught.value)
    assert german.startswith("Die Gehzeit muss mehr als 0 und höchstens")
    assert english_leftovers(german) == []
