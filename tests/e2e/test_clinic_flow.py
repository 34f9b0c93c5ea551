"""Clinic mode in a real Chromium: a clinician invites a patient, the patient registers and
does a short session, and the clinician sees it on ``/clinic`` with adherence and pain."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from backcoach.config import Settings
from backcoach.services import accounts
from backcoach.store import open_database
from tests.e2e.conftest import TIME_SCALE, axe_violations, screenshot_both
from tests.e2e.live_server import LiveServer, running_server
from tests.e2e.test_web_session import run_to_the_end, start_session

pytestmark = pytest.mark.browser

CLINICIAN = ("physio@clinic.example", "clinician password")
PATIENT = ("sam@patient.example", "patient password")


@pytest.fixture
def clinic_server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(data_dir=tmp_path / "clinic-data", time_scale=TIME_SCALE, mode="clinic")
    with open_database(settings) as db:
        accounts.create_user(
            db, email=CLINICIAN[0], password=CLINICIAN[1], role="clinician", now=datetime.now(UTC)
        )
    with running_server(settings) as live:
        yield live


def sign_in(page: Page, who: tuple[str, str]) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def test_a_wrong_password_is_told_plainly_and_pages_need_a_sign_in(
    page: Page, clinic_server: LiveServer
) -> None:
    page.goto(clinic_server.url + "/history")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fhistory$"))
    sign_in(page, (CLINICIAN[0], "not the password"))
    expect(page.locator("#login-error")).to_have_text("Wrong e-mail or password.")
    assert axe_violations(page) == []
    screenshot_both(page, "clinic-login-error")
    page.get_by_label("Password").fill(CLINICIAN[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(clinic_server.url + "/history")  # back where the visit began
    expect(page.locator("#signed-in-as")).to_have_text(CLINICIAN[0])


def test_invite_register_train_and_the_clinician_sees_it(
    page: Page, clinic_server: LiveServer
) -> None:
    url = clinic_server.url
    page.goto(url + "/")
    expect(page).to_have_url(url + "/login")
    sign_in(page, CLINICIAN)
    expect(page).to_have_url(url + "/clinic")
    page.get_by_role("button", name="Invite a patient").click()
    invite = page.locator("#invite-link")
    expect(invite).to_have_value(re.compile(r"/register\?code=[\w-]{20,}$"))
    invite_url = invite.input_value()
    sign_out(page)

    page.goto(invite_url)
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    assert axe_violations(page) == []
    screenshot_both(page, "clinic-register")
    page.get_by_label("E-mail").fill(PATIENT[0])
    page.get_by_label("Password").fill(PATIENT[1])
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(url + "/")
    expect(page.locator("#signed-in-as")).to_have_text(PATIENT[0])
    start_session(page, clinic_server, pain=4)
    run_to_the_end(page)
    expect(page.locator("#finished-title")).to_have_text("Session complete. Well done!")
    page.locator("input[name='pain_after'][value='2']").check()
    page.locator("input[name='effort'][value='4']").check()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#summary")).to_contain_text("4 → 2")
    sign_out(page)

    sign_in(page, CLINICIAN)
    expect(page).to_have_url(url + "/clinic")
    row = page.locator("#patients-table tbody tr", has_text=PATIENT[0])
    expect(row).to_have_count(1)
    expect(row.locator("[data-label='7 days']")).to_have_text(re.compile(r"^1 of \d+$"))
    expect(row.locator("[data-label='Pain']")).to_contain_text("4→2")
    assert axe_violations(page) == []
    screenshot_both(page, "clinic-dashboard")
    row.get_by_role("link", name=PATIENT[0]).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PATIENT[0])
    expect(page.locator("#adherence-7")).to_have_text(re.compile(r"^1 of \d+$"))
    expect(page.locator("#pain-change")).to_have_text("-2.0")
    expect(page.locator("#sessions-table tbody tr")).to_have_count(1)
    assert axe_violations(page) == []
    screenshot_both(page, "clinic-patient")
