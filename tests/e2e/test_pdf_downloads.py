"""The PDFs as a person gets them in Chromium: the History form downloads the progress
report, the exercise page's "Print handout" opens the handout; both are real PDFs."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from backcoach.coach.safety import QUESTIONS
from tests.e2e.live_server import LiveServer
from tests.support.pdf import pdf_info, pdf_text

pytestmark = pytest.mark.browser


def test_history_downloads_the_progress_report(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/history")
    form = page.locator("#report-form")
    expect(form.get_by_label("From")).not_to_have_value("")
    with page.expect_download() as downloading:
        form.get_by_role("button", name="Download the report").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = Path(download.path()).read_bytes()
    assert pdf_info(pdf)["Title"].startswith("Progress report")
    assert "not medical advice" in pdf_text(pdf)


def test_print_handout_opens_the_exercises_handout(page: Page, live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as client:  # screened: doses shown
        answers = {q.id: False for q in QUESTIONS}
        assert client.post("/api/v1/screening", json={"answers": answers}).is_success
    page.goto(live_server.url + "/exercises/glute-bridge")
    link = page.get_by_role("link", name="Print handout")
    expect(link).to_have_attribute("href", "/exercises/glute-bridge/handout.pdf")
    answer = page.request.get(live_server.url + "/exercises/glute-bridge/handout.pdf")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert "default-src 'self'" in answer.headers["content-security-policy"]
    assert "Glute bridge" in pdf_text(answer.body())
