"""Every page the app serves, opened in Chromium under the Content Security Policy.

The page fixture fails a test on any CSP violation Chromium reports and on any
JavaScript error, so this walks all GET routes (read from the app, so new pages
are covered) with enough data stored that charts, the player and the desk draw.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from backcoach.coach.safety import QUESTIONS
from tests.e2e.live_server import LiveServer
from tests.support.routes import app_endpoints, clinic_only, fill_path

pytestmark = pytest.mark.browser

# Machine-facing GET routes: JSON, pictures, files to save or print (PDF: the browser
# hands them to its viewer or saves them, ``test_pdf_downloads``), or fragments that
# HTMX swaps into a page.
NOT_PAGES = re.compile(r"^/(api/|openapi\.json|static)|/step/|/image$|\.pdf$")


# Clinic pages answer 404 in local mode: test_clinic_csp walks them in clinic mode.
PAGE_PATHS = sorted(
    e.path
    for e in app_endpoints()
    if e.method == "GET" and not NOT_PAGES.search(e.path) and not clinic_only(e.path)
)


def _seed(live: LiveServer) -> dict[str, str]:
    with httpx.Client(base_url=live.url, timeout=10) as client:
        answers = {q.id: False for q in QUESTIONS}
        assert client.post("/api/v1/screening", json={"answers": answers}).is_success
        for pain in (4, 3):
            client.post("/api/v1/checkins", json={"phase": "before", "pain": pain})
        started = client.post("/api/v1/sessions", json={})
        assert started.status_code == 201, started.text
        session_id = str(started.json()["session_id"])
    return {
        "session_id": session_id,
        "exercise_id": "glute-bridge",
        "name": "pain-function",
        "program_id": "back-basics",
    }


def test_the_page_list_is_complete() -> None:
    for path in ("/", "/history", "/desk", "/settings", "/session/{session_id}", "/docs"):
        assert path in PAGE_PATHS


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_every_page_runs_under_the_csp(page: Page, live_server: LiveServer, path: str) -> None:
    ids = _seed(live_server)
    url = fill_path(path, ids)
    response = page.goto(live_server.url + url)
    assert response is not None and response.status == 200, url
    assert "default-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("body")).not_to_be_empty()
    # Give deferred scripts (charts, the player, the pose model loader) time to run.
    page.wait_for_load_state("networkidle")
