"""The clinic the program tests share: a real server in clinic mode with two clinicians.

A test module uses the ``live`` fixture by naming it: ``live = clinic_programs_setup.live``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from backcoach.config import Settings
from tests.e2e.live_server import LiveServer, running_server
from tests.support.clinic import add_account

DOCTOR = "doctor@clinic.example"
OTHER_DOCTOR = "other.doctor@clinic.example"
PATIENT = "anna@clinic.example"


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    settings = Settings(
        data_dir=tmp_path / "data", database_url=db_url, mode="clinic", time_scale=50.0
    )
    add_account(settings, email=DOCTOR, role="clinician")
    add_account(settings, email=OTHER_DOCTOR, role="clinician")
    with running_server(settings) as live:
        yield live
