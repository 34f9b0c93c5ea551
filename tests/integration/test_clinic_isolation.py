"""Clinic isolation, route by route, through a real server on PostgreSQL (issue 15, point 6).

Clinician C1 looks after patients A and B, clinician C2 after patient D. A has
data of every kind (screening, a session with events, check-ins, questionnaire
answers, desk state, habit logs, a clinician's note, an assigned program, a
questionnaire schedule). Then every route and WebSocket of the clinic app, read
from the app itself so later routes are covered without editing this file, is
called with A's ids in its path (and in its JSON body wherever an id field
exists):

- as B, D (patients) and C2 (another clinician): a route with one of A's ids
  answers 403 or 404, a clinic route answers a patient 403, and no answer holds
  anything of A's (A's e-mail, A's free-text answer, C1's note and program,
  A's session); A's stored rows are the same after every request;
- without signing in: 401 (API), a redirect to the sign-in (pages), a refused
  handshake (WebSockets), except on the few open sign-in routes.

The last test checks that every enumerated route was exercised for every caller.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from backcoach.coach.safety import QUESTIONS
from backcoach.config import Settings
from backcoach.web.security.signin import is_clinic_path, is_open
from tests.e2e.live_server import LiveServer, running_server
from tests.integration.postgres import PostgresServer
from tests.integration.test_trust_boundary import FORM as CHANGING_FORM
from tests.support.clinic import (
    PASSWORD,
    add_account,
    client_of,
    form_headers,
    invite_code,
    register_patient,
    signed_in_client,
)
from tests.support.routes import Endpoint, app_endpoints, fill_path
from tests.support.stored_rows import rows_of

ENDPOINTS = app_endpoints(Settings(mode="clinic"))
SOCKETS = [e for e in ENDPOINTS if e.method == "WS"]

ADMIN, C1, C2 = "admin@clinic.example", "c1@clinic.example", "c2@clinic.example"
A, B, D = "alice.a@clinic.example", "bob.b@clinic.example", "dora.d@clinic.example"
# Text only A's data (or C1's work on A) holds: none of it may reach anybody else.
A_ACTIVITY = "Kayaking past Quokka Reef 7Q"
C1_NOTE = "Note for A only: Zephyr lantern 42"
C1_PROGRAM = "C1 program Marmalade 9"
C1_EXERCISE = "Heron pivot obsidian"

#: Path parameters that name someone's data: another user's value must give 403 or 404.
PRIVATE = frozenset(
    {"session_id", "patient_id", "user_id", "template_id", "checkin_id", "note_id", "version_id"}
)
#: Fields of a JSON body that name someone's data, filled with A's (or C1's) ids.
ID_FIELDS = frozenset({*PRIVATE, "exercise_id", "program_id"})
REFUSED = (403, 404)

# The trust-boundary test's form that would change something on any page route that
# accepted it, with the clinic's fields too; sent to page routes with A's ids added.
FORM = {**CHANGING_FORM, "text": "a note", "every_days": "7", "name": "psfs", "role": "patient"}

#: Routes with a known server error, left out until fixed (none today).
KNOWN_SERVER_ERRORS: frozenset[str] = frozenset()


@dataclass
class Caller:
    """One account that tries A's ids; what it must never see."""

    name: str
    email: str
    patient: bool
    secrets: tuple[str, ...]
    private: frozenset[str]


@dataclass
class World:
    live: LiveServer
    settings: Settings
    users: dict[str, int]
    a_ids: dict[str, str]
    a_session: int
    own_ids: dict[str, dict[str, str]] = field(default_factory=dict)
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    exercised: dict[str, set[Endpoint]] = field(default_factory=dict)
    schema: dict[str, Any] = field(default_factory=dict)

    def client(self, email: str) -> httpx.Client:
        """A client signed in as ``email`` (again, when a route signed it out)."""
        client = self.clients.get(email)
        if client is not None and client.get("/api/v1/auth/me").status_code == 200:
            return client
        if client is not None:
            client.close()
        self.clients[email] = signed_in_client(self.live.url, email)
        return self.clients[email]


CALLERS = {
    "B": Caller(
        "B", B, True, (A, A_ACTIVITY, C1_NOTE, C1_PROGRAM), PRIVATE
    ),  # same clinician as A: C1's exercises are B's library too
    "D": Caller(
        "D",
        D,
        True,
        (A, A_ACTIVITY, C1_NOTE, C1_PROGRAM, C1_EXERCISE),
        PRIVATE | {"exercise_id"},
    ),
    "C2": Caller(
        "C2",
        C2,
        False,
        (A, A_ACTIVITY, C1_NOTE, C1_PROGRAM, C1_EXERCISE),
        PRIVATE | {"exercise_id"},
    ),
}


def exercise_body(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "purpose": "Turns the trunk slowly while standing on both feet.",
        "muscles": ["obliques", "back extensors"],
        "start_position": "Stand tall with your hands on your hips.",
        "steps": ["Turn your chest slowly to one side.", "Come back to the middle and switch."],
        "breathing": "Breathe out as you turn, in as you come back.",
        "safety": ["Stop if the pain in your back increases."],
        "avoid_if": ["Turning brings pain down a leg."],
        "dosage": {
            "sets": {"default": 2, "min": 1, "max": 3},
            "reps": {"default": 8, "min": 5, "max": 12},
        },
    }


def screen_clear(client: httpx.Client) -> None:
    answer = client.post("/api/v1/screening", json={"answers": {q.id: False for q in QUESTIONS}})
    assert answer.status_code in (200, 201), answer.text


def give_a_data(world: World, a: httpx.Client) -> dict[str, str]:
    """A's screening, session, events, check-ins, questionnaires, desk and habits; A's ids."""
    screen_clear(a)
    before = a.post("/api/v1/checkins", json={"phase": "before", "pain": 7})
    assert before.status_code == 201, before.text
    started = a.post("/api/v1/sessions", json={})
    assert started.status_code == 201, started.text
    session_id = started.json()["session_id"]
    for kind in ("start", "tick", "skip"):
        event = a.post(f"/api/v1/sessions/{session_id}/events", json={"type": kind})
        assert event.status_code == 200, event.text
    after = a.post(
        "/api/v1/checkins",
        json={"phase": "after", "pain": 6, "effort": 4, "session_id": session_id},
    )
    assert after.status_code == 201, after.text
    forms = form_headers(a)
    psfs = {"activity-1": A_ACTIVITY, "rating-1": "4"}
    answer = a.post("/questionnaires/psfs", data=psfs, headers=forms, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    answer = a.post("/habits", data={"kind": "walk"}, headers=forms, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    for desk in ("tick", "away"):
        assert a.post(f"/api/v1/desk/{desk}", json={}).is_success
    assert a.patch("/api/v1/preferences", json={"break_minutes": 37}).is_success
    return {"session_id": str(session_id), "checkin_id": str(after.json()["id"])}


def give_c1_work_on_a(c1: httpx.Client, a_id: int) -> dict[str, str]:
    """C1's note on A, a program assigned to A, a questionnaire schedule, an exercise."""
    note = c1.post(f"/api/v1/clinic/patients/{a_id}/notes", json={"text": C1_NOTE})
    assert note.is_success, note.text
    schedule = c1.put(f"/api/v1/clinic/patients/{a_id}/schedules/psfs", json={"every_days": 14})
    assert schedule.is_success, schedule.text
    template = c1.post(
        "/api/v1/clinic/programs", json={"base_program_id": "back-basics", "name": C1_PROGRAM}
    )
    assert template.status_code == 201, template.text
    template_id = template.json()["id"]
    assigned = c1.post(f"/api/v1/clinic/patients/{a_id}/program", json={"template_id": template_id})
    assert assigned.is_success, assigned.text
    exercise = c1.post("/api/v1/clinic/exercises", json=exercise_body(C1_EXERCISE))
    assert exercise.status_code == 201, exercise.text
    return {
        "template_id": str(template_id),
        "version_id": str(template.json()["versions"][0]["id"]),
        "exercise_id": str(exercise.json()["id"]),
    }


@pytest.fixture(scope="module")
def world(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    database = postgres_server.new_database()
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("isolation")) / "data",
        database_url=postgres_server.url(database),
        mode="clinic",
        time_scale=50.0,
    )
    users = {
        email: add_account(settings, email=email, role=role)
        for email, role in ((ADMIN, "admin"), (C1, "clinician"), (C2, "clinician"))
    }
    with running_server(settings) as live:
        world = World(live, settings, users, {}, 0)
        c1, c2 = world.client(C1), world.client(C2)
        for email, clinician in ((A, c1), (B, c1), (D, c2)):
            patient = register_patient(live.url, invite_code(clinician), email)
            world.clients[email] = patient
            users[email] = patient.get("/api/v1/auth/me").json()["id"]
            screen_clear(patient)
        screen_clear(c2)
        a_ids = give_a_data(world, world.clients[A])
        a_ids |= give_c1_work_on_a(c1, users[A])
        world.a_session = int(a_ids["session_id"])
        world.a_ids = {
            **a_ids,
            "patient_id": str(users[A]),
            "user_id": str(users[A]),
            "step_index": "0",
            "program_id": "back-basics",
            "name": "psfs",
            "secret": "x" * 43,
        }
        world.schema = c1.get("/openapi.json").json()
        world.own_ids = own_ids(world)
        yield world
        for client in world.clients.values():
            client.close()
    postgres_server.drop_database(database)


def own_ids(world: World) -> dict[str, dict[str, str]]:
    """For each caller, ids of their own: their own session, patient, program, exercise."""
    found: dict[str, dict[str, str]] = {}
    for caller in CALLERS.values():
        client = world.client(caller.email)
        started = client.post("/api/v1/sessions", json={})
        assert started.status_code == 201, started.text
        ids = {**world.a_ids, "session_id": str(started.json()["session_id"])}
        ids["patient_id"] = ids["user_id"] = str(world.users[caller.email])
        if not caller.patient:
            ids["patient_id"] = str(world.users[D])
            template = client.post("/api/v1/clinic/programs", json={"name": "C2's program"})
            assert template.status_code == 201, template.text
            ids["template_id"] = str(template.json()["id"])
            exercise = client.post("/api/v1/clinic/exercises", json=exercise_body("C2 twist"))
            assert exercise.status_code == 201, exercise.text
            ids["exercise_id"] = str(exercise.json()["id"])
        found[caller.name] = ids
    return found


# --- the enumeration ----------------------------------------------------------------------


def test_the_enumeration_sees_the_routes_we_know() -> None:
    """Guards against a silently short list (a router not registered, a wrong app)."""
    known = {
        Endpoint("GET", "/api/v1/sessions/{session_id}"),
        Endpoint("POST", "/api/v1/sessions/{session_id}/events"),
        Endpoint("GET", "/api/v1/checkins"),
        Endpoint("GET", "/api/v1/export"),
        Endpoint("GET", "/api/v1/auth/me"),
        Endpoint("POST", "/api/v1/clinic/invites"),
        Endpoint("GET", "/api/v1/clinic/patients"),
        Endpoint("GET", "/api/v1/clinic/patients/{patient_id}"),
        Endpoint("GET", "/api/v1/clinic/programs/{template_id}"),
        Endpoint("GET", "/clinic"),
        Endpoint("GET", "/clinic/patients/{patient_id}"),
        Endpoint("GET", "/session/{session_id}"),
        Endpoint("POST", "/questionnaires/{name}"),
        Endpoint("POST", "/settings/delete"),
        Endpoint("WS", "/ws/coach/{session_id}"),
        Endpoint("WS", "/ws/practice/{exercise_id}"),
    }
    assert known <= set(ENDPOINTS), known - set(ENDPOINTS)
    assert len(ENDPOINTS) >= 100
    assert len(set(ENDPOINTS)) == len(ENDPOINTS)


def test_a_still_sees_her_own_data(world: World) -> None:
    """The secrets are real: A (and C1) see them, so their absence elsewhere means something."""
    stored = {row.split(":", 1)[0] for row in guarded_rows(world)}
    kinds = {"screenings", "sessions", "step_events", "checkins", "questionnaire_responses"}
    kinds |= {"habit_logs", "desk_state", "settings", "clinician_notes", "care_links"}
    kinds |= {"program_assignments", "program_templates", "program_versions"}
    kinds |= {"questionnaire_schedules", "clinic_exercises", "audit_log"}
    assert kinds <= stored, kinds - stored
    a = world.client(A)
    assert A_ACTIVITY in a.get("/api/v1/export").text
    assert a.get(f"/api/v1/sessions/{world.a_session}").status_code == 200
    c1 = world.client(C1)
    detail = c1.get(f"/api/v1/clinic/patients/{world.users[A]}")
    assert detail.status_code == 200 and C1_NOTE in detail.text
    assert C1_PROGRAM in c1.get(f"/api/v1/clinic/programs/{world.a_ids['template_id']}").text
    cookie = "; ".join(f"{k}={v}" for k, v in a.cookies.items())
    path = f"/ws/coach/{world.a_session}"
    with connect(socket_url(world, path), additional_headers={"Cookie": cookie}) as socket:
        hello = json.loads(socket.recv(timeout=5))
        assert hello["type"] == "hello" and hello["session_id"] == world.a_session
    c2 = world.client(C2)
    assert c2.get(f"/api/v1/clinic/patients/{world.users[D]}").status_code == 200
    assert A not in c2.get("/api/v1/clinic/patients").text


# --- building requests ---------------------------------------------------------------------


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        node: Any = root
        for part in str(schema["$ref"]).removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, root).get("type") != "null"]
            return _resolve(options[0], root)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], root)
    return schema


def example(schema: Mapping[str, Any], root: Mapping[str, Any], ids: Mapping[str, str]) -> Any:
    """A valid value for ``schema``, with A's ids in every id field of an object."""
    schema = _resolve(schema, root)
    if "default" in schema and schema.get("type") != "object":
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        body: dict[str, Any] = {}
        for name, sub in schema.get("properties", {}).items():
            typed = _resolve(sub, root).get("type")
            if name in ID_FIELDS and name in ids:
                body[name] = int(ids[name]) if typed == "integer" else ids[name]
            elif name in schema.get("required", ()):
                body[name] = example(sub, root, ids)
        return body
    if kind == "array":
        count = int(schema.get("minItems", 0))
        return [example(schema.get("items", {}), root, ids) for _ in range(count)]
    if kind in ("integer", "number"):
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "boolean":
        return False
    if schema.get("format") == "date":
        return date.today().isoformat()
    if schema.get("format") == "date-time":
        return datetime.now(UTC).isoformat()
    return "x" * max(int(schema.get("minLength", 1)), 1)


@dataclass(frozen=True)
class Request:
    url: str
    json: Any = None
    form: dict[str, str] | None = None
    query: dict[str, str] = field(default_factory=dict)


def build_request(
    world: World,
    endpoint: Endpoint,
    ids: Mapping[str, str],
    actor: str,
    path_ids: Mapping[str, str] | None = None,
) -> Request:
    """The request for ``endpoint`` with ``ids`` in its body and required query, and in its
    path unless ``path_ids`` are given."""
    url = fill_path(endpoint.path, ids if path_ids is None else path_ids)
    operation = world.schema.get("paths", {}).get(endpoint.path, {}).get(endpoint.method.lower())
    query: dict[str, str] = {}
    if operation is not None:
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "query" and parameter.get("required"):
                value = example(parameter.get("schema", {}), world.schema, ids)
                query[parameter["name"]] = str(value)
    if endpoint.method in ("GET", "HEAD", "WS"):
        return Request(url, query=query)
    if url.startswith("/api/"):
        body: Any = {}
        content = (operation or {}).get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = example(content["application/json"].get("schema", {}), world.schema, ids)
        if isinstance(body, dict):
            for key in ("email", "password"):
                if key in body:
                    body[key] = actor if key == "email" else PASSWORD
        return Request(url, json=body, query=query)
    form = {**FORM, "email": actor, "password": PASSWORD}
    form |= {name: ids[name] for name in ID_FIELDS if name in ids}
    return Request(url, form=form, query=query)


def send(client: httpx.Client, endpoint: Endpoint, request: Request) -> httpx.Response:
    headers = form_headers(client) if request.form is not None else {}
    return client.request(
        endpoint.method,
        request.url,
        params=request.query,
        json=request.json,
        data=request.form,
        headers=headers,
        follow_redirects=False,
    )


def private_params(endpoint: Endpoint, private: frozenset[str]) -> set[str]:
    return set(re.findall(r"\{(\w+)(?::\w+)?\}", endpoint.path)) & private


def shows_a_session(value: Any, session_id: int) -> bool:
    """Whether a JSON answer holds A's session (a ``session_id`` field with its number)."""
    if isinstance(value, dict):
        if value.get("session_id") == session_id:
            return True
        return any(shows_a_session(v, session_id) for v in value.values())
    if isinstance(value, list):
        return any(shows_a_session(v, session_id) for v in value)
    return False


def assert_nothing_of_a(world: World, caller: Caller, what: str, text: str) -> None:
    for secret in caller.secrets:
        assert secret not in text, f"{what}: {caller.name} saw {secret!r}"
    link = re.search(rf"/sessions?/{world.a_session}(?!\d)", text)
    assert link is None, f"{what}: a link to A's session"
    try:
        parsed = json.loads(text)
    except ValueError:
        return
    assert not shows_a_session(parsed, world.a_session), f"{what}: A's session"


def guarded_rows(world: World) -> list[str]:
    """A's stored rows and C1's (C1's note, program and its versions, exercise, sessions).

    C1's links to other patients and the invites they used are left out: a patient who
    deletes their own account (B, last in its run) removes both, as they may.
    """
    a = rows_of(world.settings, world.users[A])
    return a + rows_of(world.settings, world.users[C1], skip=("care_links", "account_tokens"))


# --- as B, D and C2 --------------------------------------------------------------------------


def _destructive_last(endpoint: Endpoint) -> tuple[bool, str]:
    """Deleting one's own account comes last, so the caller can sign in for the others."""
    return ("delete" in endpoint.path and not is_clinic_path(endpoint.path), str(endpoint))


CASES = [
    (caller, endpoint)
    for caller in CALLERS.values()
    for endpoint in sorted(ENDPOINTS, key=_destructive_last)
]


def _deletes_the_caller(endpoint: Endpoint) -> bool:
    return _destructive_last(endpoint)[0]


OWN_PATH_CASES = [
    (caller, endpoint)
    for caller in CALLERS.values()
    for endpoint in ENDPOINTS
    if endpoint.changes and not _deletes_the_caller(endpoint)
]


@pytest.mark.parametrize(
    ("caller", "endpoint"), OWN_PATH_CASES, ids=[f"{c.name}-{e}" for c, e in OWN_PATH_CASES]
)
def test_a_body_naming_a_s_ids_on_ones_own_path_is_refused(
    world: World, caller: Caller, endpoint: Endpoint
) -> None:
    """The caller's own ids in the path, A's (and C1's) in the body: e.g. a check-in on
    A's session, or C1's program assigned to C2's own patient."""
    before = guarded_rows(world)
    own = world.own_ids[caller.name]
    request = build_request(world, endpoint, world.a_ids, caller.email, path_ids=own)
    answer = send(world.client(caller.email), endpoint, request)
    what = f"{caller.name} {endpoint} -> {request.url} {request.json or ''}"
    if str(endpoint) not in KNOWN_SERVER_ERRORS:
        assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text[:300]}"
    assert_nothing_of_a(world, caller, what, answer.text)
    named = set(request.json) & caller.private if isinstance(request.json, dict) else set()
    if named:
        assert not answer.is_success, f"{what}: {answer.status_code} {answer.text[:300]}"
    assert guarded_rows(world) == before, f"{what} changed A's (or C1's) data"


@pytest.mark.parametrize(("caller", "endpoint"), CASES, ids=[f"{c.name}-{e}" for c, e in CASES])
def test_another_account_gets_nothing_of_a(
    world: World, caller: Caller, endpoint: Endpoint
) -> None:
    before = guarded_rows(world)
    assert any(row.startswith("step_events:") for row in before), "A has no session events"
    request = build_request(world, endpoint, world.a_ids, caller.email)
    what = f"{caller.name} {endpoint} -> {request.url}"
    if endpoint.method == "WS":
        world.exercised.setdefault(caller.name, set()).add(endpoint)
        check_socket(world, caller, endpoint, request.url)
    else:
        client = world.client(caller.email)
        answer = send(client, endpoint, request)
        world.exercised.setdefault(caller.name, set()).add(endpoint)
        if str(endpoint) not in KNOWN_SERVER_ERRORS:
            assert answer.status_code < 500, f"{what}: {answer.status_code} {answer.text[:300]}"
        assert_nothing_of_a(world, caller, what, answer.text)
        assert_nothing_of_a(world, caller, what, answer.headers.get("location", ""))
        if caller.patient and is_clinic_path(endpoint.path):
            assert answer.status_code == 403, f"{what}: {answer.status_code} {answer.text[:200]}"
        elif private_params(endpoint, caller.private):
            assert answer.status_code in REFUSED, (
                f"{what}: {answer.status_code} {answer.text[:300]}"
            )
    assert guarded_rows(world) == before, f"{what} changed A's (or C1's) data"


def socket_url(world: World, path: str) -> str:
    return world.live.url.replace("http://", "ws://") + path


def check_socket(world: World, caller: Caller, endpoint: Endpoint, path: str) -> None:
    """Refused, or an error message (unknown session/exercise), never A's session."""
    cookie = world.client(caller.email).cookies
    header = "; ".join(f"{name}={value}" for name, value in cookie.items())
    what = f"{caller.name} {endpoint} -> {path}"
    try:
        with connect(
            socket_url(world, path), additional_headers={"Cookie": header}, open_timeout=5
        ) as socket:
            first = json.loads(socket.recv(timeout=5))
            if private_params(endpoint, caller.private):
                assert first["type"] == "error", f"{what}: {first}"
                assert first["code"].startswith("unknown-"), f"{what}: {first}"
            assert_nothing_of_a(world, caller, what, json.dumps(first))
    except (InvalidStatus, ConnectionClosed):
        return  # refused


# --- without signing in ------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_without_signing_in_only_the_sign_in_routes_answer(
    world: World, endpoint: Endpoint
) -> None:
    before = guarded_rows(world)
    request = build_request(world, endpoint, world.a_ids, "nobody@clinic.example")
    path = request.url
    if endpoint.method == "WS":
        world.exercised.setdefault("anonymous", set()).add(endpoint)
        with pytest.raises(InvalidStatus) as refused:
            connect(socket_url(world, path), open_timeout=5)
        assert refused.value.response.status_code == 403
        return
    with client_of(world.live.url) as client:
        answer = send(client, endpoint, request)
    world.exercised.setdefault("anonymous", set()).add(endpoint)
    what = f"anonymous {endpoint}: {answer.status_code} {answer.text[:200]}"
    assert answer.status_code < 500, what
    anonymous = Caller("anonymous", "", True, (A, A_ACTIVITY, C1_NOTE, C1_PROGRAM), PRIVATE)
    assert_nothing_of_a(world, anonymous, what, answer.text)
    if is_open(path):
        return
    if path.startswith("/api/") or path == "/openapi.json":
        assert answer.status_code == 401, what
        if endpoint.method != "HEAD":
            assert "Sign in first" in answer.json()["detail"]
    else:
        assert answer.status_code == 303, what
        assert answer.headers["location"].startswith("/login"), what
    assert guarded_rows(world) == before


def test_every_route_was_exercised_by_every_caller(world: World) -> None:
    """Coverage: 100 % of the enumerated routes, for B, D, C2 and without signing in."""
    everything = set(ENDPOINTS)
    for name in (*CALLERS, "anonymous"):
        missed = everything - world.exercised.get(name, set())
        coverage = 1 - len(missed) / len(everything)
        assert not missed, f"{name}: {coverage:.0%} of routes, missed {sorted(map(str, missed))}"
