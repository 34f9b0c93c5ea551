"""Clinic exercises through a real server in clinic mode: the API, the clinician's pages,
pictures, and the patient's library; every answer scoped to who is asking."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis.generation import GenerationMode
from sqlalchemy import select
from websockets.sync.client import ClientConnection, connect

from backcoach.config import Settings
from backcoach.content import default_catalog
from backcoach.services import accounts
from backcoach.services.clinic_images import MAX_IMAGE_BYTES
from backcoach.store import User, open_database
from backcoach.vision.landmarks import frame_to_json
from backcoach.web.security.csrf import COOKIE as CSRF_COOKIE
from backcoach.web.security.signin import COOKIE as SESSION_COOKIE
from backcoach.web.state import app_state
from tests.e2e.live_server import LiveServer, running_server
from tests.integration.test_clinic_exercises_services import add_program
from tests.support.schema_run import run_operation
from tests.support.synthetic import Pose, generate, repetitions
from tests.unit.test_clinic_exercise_build import sample_input
from tests.unit.test_clinic_exercise_images import pillow_bytes, png_bytes

PASSWORD = "a long enough secret 1"
API = "/api/v1/clinic/exercises"


@dataclass
class Clinic:
    live: LiveServer
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def sign_in(self, email: str) -> httpx.Client:
        client = httpx.Client(base_url=self.live.url, timeout=15)
        answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return client

    def register(self, clinician: httpx.Client, email: str) -> httpx.Client:
        code = clinician.post("/api/v1/clinic/invites", json={}).json()["code"]
        client = httpx.Client(base_url=self.live.url, timeout=15)
        body = {"code": code, "email": email, "password": PASSWORD}
        answer = client.post("/api/v1/auth/register", json=body)
        assert answer.status_code == 201, answer.text
        return client


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    """Clinicians A and B with a patient each, and an admin, on a clinic-mode server."""
    data = tmp_path_factory.mktemp("clinic-exercises")
    settings = Settings(data_dir=data, mode="clinic", time_scale=50)
    with open_database(settings) as db:
        for email, role in (
            ("a@c.test", "clinician"),
            ("b@c.test", "clinician"),
            ("admin@c.test", "admin"),
        ):
            accounts.create_user(
                db, email=email, password=PASSWORD, role=role, now=datetime.now(UTC)
            )
    with running_server(settings) as live:
        clinic = Clinic(live)
        for name in ("a", "b", "admin"):
            clinic.clients[name] = clinic.sign_in(f"{name}@c.test")
        clinic.clients["pa"] = clinic.register(clinic.clients["a"], "pa@c.test")
        clinic.clients["pb"] = clinic.register(clinic.clients["b"], "pb@c.test")
        yield clinic
        for client in clinic.clients.values():
            client.close()


def body(**changes: Any) -> dict[str, Any]:
    return sample_input(**changes).model_dump(mode="json", exclude_none=True)


def create(client: httpx.Client, name: str) -> str:
    answer = client.post(API, json=body(name=name))
    assert answer.status_code == 201, answer.text
    exercise_id: str = answer.json()["id"]
    return exercise_id


def test_a_clinician_writes_reads_changes_and_deletes_an_exercise(clinic: Clinic) -> None:
    a = clinic.clients["a"]
    answer = a.post(API, json=body(name="Cat camel", count_with_camera=True))
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["id"] == "clinic-cat-camel"
    assert made["image_url"] is None
    assert made["exercise"]["camera"]["supported"] is True
    assert made["exercise"]["steps"] == body()["steps"]
    assert "clinic-cat-camel" in [e["id"] for e in a.get(API).json()]
    changed = a.put(f"{API}/clinic-cat-camel", json=body(name="Cat and camel"))
    assert changed.status_code == 200, changed.text
    assert a.get(f"{API}/clinic-cat-camel").json()["exercise"]["name"] == "Cat and camel"
    assert a.delete(f"{API}/clinic-cat-camel").status_code == 204
    assert a.get(f"{API}/clinic-cat-camel").status_code == 404


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"steps": ["Only one step."]}, 422, "at least 2"),
        ({"dosage": {"sets": {"default": 5, "min": 1, "max": 3}}}, 422, "min <= default <= max"),
        ({"kind": "hold"}, 400, "hold_s: A 'hold' exercise needs a hold time"),
        ({"voice_cue": "Keep (this) in mind"}, 400, "voice_cue"),
    ],
    ids=["missing-steps", "bad-dose", "dose-for-kind", "voice"],
)
def test_invalid_exercises_are_refused_with_the_reason(
    clinic: Clinic, changes: dict[str, Any], status: int, words: str
) -> None:
    data = {**body(), **changes}
    answer = clinic.clients["a"].post(API, json=data)
    assert answer.status_code == status, answer.text
    assert words in answer.text


def test_another_clinician_can_neither_see_nor_change_it(clinic: Clinic) -> None:
    exercise_id = create(clinic.clients["a"], "Pelvic tilt")
    b = clinic.clients["b"]
    assert exercise_id not in [e["id"] for e in b.get(API).json()]
    assert b.get(f"{API}/{exercise_id}").status_code == 404
    assert b.put(f"{API}/{exercise_id}", json=body(name="Mine now")).status_code == 404
    assert b.delete(f"{API}/{exercise_id}").status_code == 404
    picture = png_bytes()
    headers = {"content-type": "image/png"}
    assert b.put(f"{API}/{exercise_id}/image", content=picture, headers=headers).status_code == 404
    assert b.get(f"/clinic/exercises/{exercise_id}").status_code == 404
    assert b.get(f"/exercises/{exercise_id}").status_code == 404
    # The admin sees and may change every clinician's.
    admin = clinic.clients["admin"]
    assert exercise_id in [e["id"] for e in admin.get(API).json()]
    assert clinic.clients["a"].get(f"{API}/{exercise_id}").json()["exercise"]["name"] == (
        "Pelvic tilt"
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", API),
        ("POST", API),
        ("GET", f"{API}/clinic-x"),
        ("PUT", f"{API}/clinic-x"),
        ("DELETE", f"{API}/clinic-x"),
        ("PUT", f"{API}/clinic-x/image"),
        ("GET", f"{API}/clinic-x/image"),
        ("GET", "/clinic/exercises"),
        ("GET", "/clinic/exercises/new"),
    ],
)
def test_a_patient_is_stopped_at_the_gate(clinic: Clinic, method: str, path: str) -> None:
    answer = clinic.clients["pa"].request(method, path, json={} if method != "GET" else None)
    assert answer.status_code == 403


def test_pictures_by_their_bytes_and_size(clinic: Clinic) -> None:
    a = clinic.clients["a"]
    exercise_id = create(a, "Side lying clam")
    url = f"{API}/{exercise_id}/image"
    text = a.put(url, content=b"not a picture at all", headers={"content-type": "image/png"})
    assert text.status_code == 415
    assert "not a PNG, JPEG or WebP" in text.json()["detail"]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    assert a.put(url, content=svg, headers={"content-type": "image/svg+xml"}).status_code == 415
    jpeg = pillow_bytes("JPEG", 80, 60)
    stored = a.put(url, content=jpeg, headers={"content-type": "application/octet-stream"})
    assert stored.status_code == 200, stored.text
    assert stored.json()["image_url"] == url
    served = a.get(url)
    assert served.content == jpeg
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert a.delete(url).status_code == 204
    assert a.get(url).status_code == 404


def test_too_large_a_picture_is_refused(clinic: Clinic) -> None:
    a = clinic.clients["a"]
    exercise_id = create(a, "Heel slide")
    url = f"{API}/{exercise_id}/image"
    declared = a.put(url, content=png_bytes() + bytes(MAX_IMAGE_BYTES))
    assert declared.status_code == 413
    assert "larger than 2 MB" in declared.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        yield png_bytes()
        for _ in range(40):
            yield bytes(64 * 1024)

    streamed = a.put(url, content=chunks())
    assert streamed.status_code == 413
    assert a.get(url).status_code == 404  # nothing stored


def form_post(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    client.get("/clinic/exercises")  # the CSRF cookie
    return client.post(path, data={**data, "csrf_token": client.cookies[CSRF_COOKIE]})


FORM = {
    "name": "Wall push",
    "stage": "workout",
    "kind": "reps",
    "purpose": "Strengthens the arms and trunk against a wall.",
    "muscles": "chest, triceps",
    "start_position": "Stand an arm's length from a wall, hands on it at shoulder height.",
    "steps": "Bend the elbows to bring the chest to the wall.\nPush back to straight arms.",
    "breathing": "Breathe in as you bend, out as you push.",
    "safety": "Stop if your shoulder hurts.",
    "avoid_if": "You have a shoulder injury that is not yet cleared.",
    "sets": "2",
    "sets_min": "1",
    "sets_max": "3",
    "reps": "10",
    "reps_min": "5",
    "reps_max": "15",
    "rest_s": "20",
    "position": "standing",
    "camera_view": "side",
    "count_with_camera": "on",
}


def test_the_form_shows_plain_errors_next_to_the_fields(clinic: Clinic) -> None:
    a = clinic.clients["a"]
    data = {**FORM, "steps": "Only one step.", "reps": "20", "safety": ""}
    answer = form_post(a, "/clinic/exercises/new", data)
    assert answer.status_code == 422
    page = answer.text
    assert re.search(r'id="steps-error">Write at least 2 \(one per line\)\.<', page)
    assert re.search(r'id="reps-error">The usual amount must lie in the safe range', page)
    assert re.search(r'id="safety-error">Write at least 1 \(one per line\)\.<', page)
    assert 'value="Wall push"' in page  # what was typed stays
    answer = form_post(a, "/clinic/exercises/new", {**FORM, "kind": "hold"})
    assert answer.status_code == 422
    assert 'id="count_with_camera-error"' in answer.text
    assert 'id="hold_s-error"' in answer.text


def test_the_form_saves_and_the_patient_sees_it_in_the_library(clinic: Clinic) -> None:
    a, pa, pb = clinic.clients["a"], clinic.clients["pa"], clinic.clients["pb"]
    answer = form_post(a, "/clinic/exercises/new", FORM)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/clinic/exercises/clinic-wall-push?done=created"
    edit = a.get("/clinic/exercises/clinic-wall-push?done=created")
    assert "Exercise saved." in edit.text
    assert "Stop if your shoulder hurts." in edit.text
    # A picture from the page: the token in the action URL, the type from the bytes.
    token = a.cookies[CSRF_COOKIE]
    upload = f"/clinic/exercises/clinic-wall-push/image?csrf_token={token}"
    fake = {"image": ("wall.png", b"just text, named like a picture", "image/png")}
    refused = a.post(upload, files=fake)
    assert refused.status_code == 415
    assert 'id="image-error"' in refused.text
    real = {"image": ("wall.png", png_bytes(48, 48), "image/png")}
    assert a.post(upload, files=real).status_code == 303
    assert a.post("/clinic/exercises/clinic-wall-push/image", files=real).status_code == 403

    library = pa.get("/exercises").text
    assert "From your clinician" in library
    assert 'href="/exercises/clinic-wall-push"' in library
    assert "From your clinician" not in pb.get("/exercises").text
    detail = pa.get("/exercises/clinic-wall-push")
    assert detail.status_code == 200
    for words in (
        "Stop if your shoulder hurts.",
        "You have a shoulder injury that is not yet cleared.",
        "Do not do it if",
        "Written by your clinician",
        "Not medical advice",
        "2 sets \u00d7 10 reps",
    ):
        assert words in detail.text
    picture = pa.get("/exercises/clinic-wall-push/image")
    assert picture.headers["content-type"] == "image/png"
    assert pb.get("/exercises/clinic-wall-push").status_code == 404
    assert pb.get("/exercises/clinic-wall-push/image").status_code == 404
    # The clinician's preview is the same page, marked as a preview.
    preview = a.get("/clinic/exercises/clinic-wall-push/preview").text
    assert "Preview: this is how your patients see this exercise." in preview
    assert "Do not do it if" in preview


def test_the_patients_api_finds_their_clinicians_exercises_only(clinic: Clinic) -> None:
    a, pa, pb = clinic.clients["a"], clinic.clients["pa"], clinic.clients["pb"]
    exercise_id = create(a, "Wall angel")
    one = pa.get(f"/api/v1/exercises/{exercise_id}")
    assert one.status_code == 200
    assert (one.json()["id"], one.json()["name"]) == (exercise_id, "Wall angel")
    found = pa.get("/api/v1/exercises", params={"q": "angel"}).json()
    assert [e["id"] for e in found] == [exercise_id]
    assert exercise_id in [e["id"] for e in pa.get("/api/v1/exercises").json()]
    assert pa.get("/api/v1/exercises/bird-dog").status_code == 200  # the built-in ones too
    missing = pb.get(f"/api/v1/exercises/{exercise_id}")
    assert missing.status_code == 404
    assert missing.json()["detail"] == f"No exercise with id '{exercise_id}'."
    assert exercise_id not in [e["id"] for e in pb.get("/api/v1/exercises").json()]


def test_the_form_changes_and_deletes(clinic: Clinic) -> None:
    a, pa = clinic.clients["a"], clinic.clients["pa"]
    assert form_post(a, "/clinic/exercises/new", {**FORM, "name": "Calf raise"}).status_code == 303
    changed = form_post(
        a, "/clinic/exercises/clinic-calf-raise", {**FORM, "name": "Calf raise, slow"}
    )
    assert changed.status_code == 303
    assert "Calf raise, slow" in pa.get("/exercises/clinic-calf-raise").text
    deleted = form_post(a, "/clinic/exercises/clinic-calf-raise/delete", {})
    assert deleted.status_code == 303
    assert pa.get("/exercises/clinic-calf-raise").status_code == 404


def test_an_exercise_in_a_program_is_not_deleted(clinic: Clinic) -> None:
    a = clinic.clients["a"]
    exercise_id = create(a, "Dead bug at home")
    with open_database(clinic.live.settings) as db:
        owner = db.scalar(select(User.id).where(User.email == "a@c.test"))
        assert owner is not None
        add_program(db, owner, "Core for Ben", [exercise_id])
    answer = a.delete(f"{API}/{exercise_id}")
    assert answer.status_code == 409
    assert "'Core for Ben' (version 1)" in answer.json()["detail"]
    page = form_post(a, f"/clinic/exercises/{exercise_id}/delete", {})
    assert page.status_code == 409
    assert 'id="delete-alert"' in page.text
    assert a.get(f"{API}/{exercise_id}").status_code == 200


def practice_socket(clinic: Clinic, who: str, exercise_id: str) -> ClientConnection:
    url = clinic.live.url.replace("http://", "ws://") + f"/ws/practice/{exercise_id}"
    cookie = f"{SESSION_COOKIE}={clinic.clients[who].cookies[SESSION_COOKIE]}"
    headers = {"Cookie": cookie, "Origin": clinic.live.url}
    return connect(url, additional_headers=headers, open_timeout=10)


def test_camera_practice_counts_a_clinic_exercise_with_the_generic_counter(
    clinic: Clinic,
) -> None:
    a = clinic.clients["a"]
    counted = create_with(a, name="Sit to stand at home", count_with_camera=True)
    plain = create_with(a, name="Hamstring stretch at home")
    pa = clinic.clients["pa"]
    assert f'data-ws="/ws/practice/{counted}"' in pa.get(f"/exercises/{counted}").text
    assert "data-ws=" not in pa.get(f"/exercises/{plain}").text
    app_state(clinic.live.server.config.app).live_max_frames_per_s = 10_000  # replay fast
    squat = default_catalog().exercise("squat")
    stand, bottom = (Pose(k.segments) for k in squat.keyframes[:2])
    clip = generate(repetitions(stand, bottom, 4, move_s=1.2, rest_s=1.0))
    with practice_socket(clinic, "pa", counted) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello == {"type": "hello", "exercise": counted, "camera_checks": True}
        replies = []
        for frame in clip.frames:
            ws.send(json.dumps({"type": "frame", **frame_to_json(frame)}))
            replies.append(json.loads(ws.recv(timeout=10)))
    assert {r["exercise"] for r in replies} == {counted}
    assert abs(replies[-1]["reps"] - len(clip.reps)) <= 1
    with practice_socket(clinic, "pa", plain) as ws:
        assert json.loads(ws.recv(timeout=10))["camera_checks"] is False
    # Another clinician's patient: as if it did not exist.
    with practice_socket(clinic, "pb", counted) as ws:
        assert json.loads(ws.recv(timeout=10))["code"] == "unknown-exercise"


def create_with(client: httpx.Client, **changes: Any) -> str:
    answer = client.post(API, json=body(**changes))
    assert answer.status_code == 201, answer.text
    exercise_id: str = answer.json()["id"]
    return exercise_id


def test_local_mode_has_no_clinic_exercises(tmp_path: Path) -> None:
    with (
        running_server(Settings(data_dir=tmp_path / "data")) as live,
        httpx.Client(base_url=live.url, timeout=15) as client,
    ):
        assert client.get(API).status_code == 404
        assert client.get("/clinic/exercises").status_code == 404
        library = client.get("/exercises")
        assert library.status_code == 200
        assert "From your clinician" not in library.text
        assert client.get("/exercises/clinic-anything").status_code == 404


def test_generated_requests_get_documented_answers_as_a_clinician(clinic: Clinic) -> None:
    """schemathesis on these routes, signed in as a clinician (the shared run is local mode)."""
    api = schemathesis.openapi.from_dict(clinic.clients["a"].get("/openapi.json").json())
    operations = [
        result.ok() for result in api.get_all_operations() if result.ok().path.startswith(API)
    ]
    assert len(operations) == 8
    cookie = {"Cookie": f"{SESSION_COOKIE}={clinic.clients['a'].cookies[SESSION_COOKIE]}"}
    calls = 0
    for operation, mode in itertools.product(operations, GenerationMode):
        calls += run_operation(
            operation, mode, max_examples=5, base_url=clinic.live.url, headers=cookie
        )
    assert calls >= len(operations)
