"""Fixtures and hooks for every test.

Under CI (``CI`` set), a test that skips for a missing dependency fails
instead: CI must run every test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from backcoach.config import Settings, get_settings

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Tests speak English unless they choose German: the developer's locale does not decide.
TEST_LANGUAGE = "en"
os.environ["BACKCOACH_LANG"] = TEST_LANGUAGE  # before any test module imports the CLI


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, which must run every test: {report.longrepr}"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's BACKCOACH_* variables or their data dir."""
    for name in list(os.environ):
        if name.startswith("BACKCOACH_") and name != "BACKCOACH_TEST_DATA":
            monkeypatch.delenv(name)
    monkeypatch.setenv("BACKCOACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BACKCOACH_LANG", TEST_LANGUAGE)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh data dir (SQLite file inside it)."""
    return Settings(data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared third-party clips and pose data (``BACKCOACH_TEST_DATA`` overrides)."""
    path = Path(os.environ.get("BACKCOACH_TEST_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not (path / "MANIFEST.md").is_file():
        pytest.skip(f"shared test data not found at {path}")
    return path
