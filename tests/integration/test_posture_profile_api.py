"""The desk page's calibration preview: ``POST /api/v1/desk/posture`` with ``save_upright``
saves the preview's last seconds as a desk profile's upright posture, which
``backcoach posture --profile`` then uses (real server, SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from backcoach.config import Settings
from backcoach.content import View
from backcoach.services.posture_profiles import load_profile, profile_names
from backcoach.store import local_user, open_database
from backcoach.vision.landmarks import LandmarkFrame, frame_to_json
from tests.e2e.live_server import running_server
from tests.unit.test_posture import UPRIGHT, desk_render, film


@pytest.fixture
def client(db_settings: Settings) -> Iterator[httpx.Client]:
    with running_server(db_settings) as live, httpx.Client(base_url=live.url, timeout=10) as client:
        yield client


def preview(seconds: float) -> list[dict[str, object]]:
    frames = film([(UPRIGHT, seconds, desk_render(View.FRONT, fps=3, noise=0.001))])
    return [frame_to_json(f) for f in frames]


def test_saving_the_preview_keeps_a_desk_profile(
    client: httpx.Client, db_settings: Settings
) -> None:
    body = {"frames": [], "save_upright": {"profile": "laptop", "frames": preview(5)}}
    response = client.post("/api/v1/desk/posture", json=body)
    assert response.status_code == 200, response.text
    with open_database(db_settings) as db:
        user = local_user(db).id
        assert profile_names(db, user_id=user) == ["laptop"]
        baseline = load_profile(db, user_id=user, name="laptop")
        assert baseline is not None and baseline.face_size is not None
        assert baseline.face_to_shoulders is not None  # seen from the front


def test_too_short_a_preview_or_a_bad_name_is_refused_and_nothing_is_saved(
    client: httpx.Client, db_settings: Settings
) -> None:
    short = {"frames": [], "save_upright": {"profile": "laptop", "frames": preview(2)}}
    response = client.post("/api/v1/desk/posture", json=short)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][:3] == ["body", "save_upright", "frames"]
    assert "long enough" in detail["msg"]
    nobody = [frame_to_json(LandmarkFrame(t_s=i / 3, landmarks=None)) for i in range(15)]
    empty = {"frames": [], "save_upright": {"profile": "monitor", "frames": nobody}}
    assert client.post("/api/v1/desk/posture", json=empty).status_code == 422
    named = {"frames": [], "save_upright": {"profile": "My Desk", "frames": preview(5)}}
    assert client.post("/api/v1/desk/posture", json=named).status_code == 422
    with open_database(db_settings) as db:
        assert profile_names(db, user_id=local_user(db).id) == []


def test_the_desk_page_offers_the_preview(client: httpx.Client) -> None:
    page = client.get("/desk").text
    assert 'id="posture-profile"' in page and 'value="laptop"' in page
    assert "Save my upright posture" in page


def test_the_desk_camera_starts_from_the_saved_upright(client: httpx.Client) -> None:
    """Once a desk profile is saved, switching the desk page's camera on needs no
    calibration: the monitor starts from the profile saved last."""
    first = preview(1)
    before = client.post("/api/v1/desk/posture", json={"frames": first, "restart": True})
    assert before.json()["calibrating"] is True  # no profile yet: it learns the first seconds
    body = {"frames": [], "save_upright": {"profile": "laptop", "frames": preview(5)}}
    assert client.post("/api/v1/desk/posture", json=body).status_code == 200
    after = client.post("/api/v1/desk/posture", json={"frames": first, "restart": True})
    assert after.json()["calibrating"] is False
