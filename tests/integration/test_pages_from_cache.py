"""Pages read once per change of the user's data, and render with no connection held.

On a SQLite file and on a real PostgreSQL, in-process (the real app and templates):

- every page gives its database connection back before its template is rendered
  (the template gets everything in its context; a slow render never keeps a
  connection from other requests);
- a second visit of Today, History and Desk reads only the user's row (the rest
  comes from ``services.page_cache`` under the user's revision);
- a write made by the request itself, then rendered by it (a habit ticked from
  Today), and a write from another connection both show at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine, event

from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.services.clock import SessionClock, local_today
from backcoach.store import add_habit_log, local_user
from backcoach.web.app import create_app
from backcoach.web.state import app_state

with warnings.catch_warnings():
    # This Starlette wants the httpx2 fork for its test client; plain httpx still works.
    warnings.filterwarnings("ignore", message=".*httpx2.*")
    from starlette.testclient import TestClient

PAGES = ("/", "/history", "/exercises", "/exercises/bird-dog", "/desk", "/settings",
         "/questionnaires")  # fmt: skip


@pytest.fixture
def app(db_settings: Settings) -> FastAPI:
    return create_app(db_settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False) as client:
        assert client.get("/").status_code == 200  # the user and the CSRF cookie
        headers = {"X-CSRF-Token": client.cookies["backcoach_csrf"]}
        answers = {q.id: "no" for q in QUESTIONS}
        assert client.post("/screening", data=answers, headers=headers).status_code == 303
        yield client


def engine_of(app: FastAPI) -> Engine:
    bind = app_state(app).sessions().get_bind()
    assert isinstance(bind, Engine)
    return bind


def test_every_page_renders_with_its_connection_back_in_the_pool(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = engine_of(app).pool
    held: dict[str, int] = {}
    render = Jinja2Templates.TemplateResponse

    def watched(self: Jinja2Templates, request: Any, name: str, *args: Any, **kw: Any) -> Any:
        held[request.url.path] = pool.checkedout()  # type: ignore[attr-defined]
        return render(self, request, name, *args, **kw)

    monkeypatch.setattr(Jinja2Templates, "TemplateResponse", watched)
    for page in PAGES:
        assert client.get(page).status_code == 200, page
    assert held == dict.fromkeys(PAGES, 0)


def test_a_second_visit_reads_only_the_users_row(app: FastAPI, client: TestClient) -> None:
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    engine = engine_of(app)
    for page in ("/", "/history", "/desk"):
        assert client.get(page).status_code == 200  # fills the caches
    event.listen(engine, "before_cursor_execute", note)
    try:
        for page in ("/", "/history"):
            statements.clear()
            assert client.get(page).status_code == 200
            assert len(statements) == 1 and "FROM users" in statements[0], (page, statements)
        statements.clear()
        assert client.get("/desk").status_code == 200
        # the user and the break timer's own row (it moves with time)
        assert len(statements) == 2 and "desk_state" in statements[1], statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_habit_ticked_on_today_shows_at_once(app: FastAPI, client: TestClient) -> None:
    headers = {"X-CSRF-Token": client.cookies["backcoach_csrf"]}
    assert 'name="kind" value="walk"' in client.get("/").text  # not done yet: a button
    history_before = client.get("/history").text

    htmx = {**headers, "HX-Request": "true"}
    ticked = client.post("/habits", data={"kind": "walk"}, headers=htmx)
    assert ticked.status_code == 200
    assert 'name="kind" value="walk"' not in ticked.text  # the fragment the request rendered
    assert 'name="kind" value="walk"' not in client.get("/").text  # and the next page
    history_after = client.get("/history").text
    assert history_after != history_before
    assert "20 min" in history_after  # walking minutes in the desk week


def test_a_write_from_another_connection_shows_on_the_next_page(
    app: FastAPI, client: TestClient
) -> None:
    assert "Breaks taken" in client.get("/history").text
    before = client.get("/desk").text
    with app_state(app).sessions() as db:  # as another process would, past the web app
        user_id = local_user(db).id
        add_habit_log(db, user_id=user_id, day=local_today(), at=SessionClock.wall(),
                      kind="walk", amount=35)  # fmt: skip
        db.commit()
    assert "35 min" in client.get("/history").text
    assert client.get("/desk").text != before
