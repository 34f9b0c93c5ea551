"""``backcoach serve``: loopback only, and it really serves the app (migrating the database)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.cli.serve import is_loopback
from tests.support.serve import backcoach_serve


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("example.org", False),
        ("", False),
    ],
)
def test_only_loopback_addresses_count_as_this_computer(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_refuses_other_hosts_with_a_clear_message() -> None:
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8765"])
    assert result.exit_code == 2, result.output
    assert "Refusing to serve on '0.0.0.0'" in result.output
    assert "127.0.0.1" in result.output


def test_serve_starts_the_app_on_a_fresh_data_dir(tmp_path: Path) -> None:
    with backcoach_serve(env={"BACKCOACH_DATA_DIR": str(tmp_path / "fresh")}) as served:
        page = httpx.get(f"{served.url}/", timeout=5)
        assert page.status_code == 200
        assert "Safety screening" in page.text  # a new user starts with the screening
        assert (tmp_path / "fresh" / "backcoach.db").is_file()


def test_a_clinic_on_postgresql_serves_the_sign_in_on_any_address(
    tmp_path: Path, postgres_url: str
) -> None:
    """Issue 15's "done when": BACKCOACH_MODE=clinic with a PostgreSQL URL serves /login, and
    `serve --host 0.0.0.0` is allowed in clinic mode (the page is fetched over loopback)."""
    env = {
        "BACKCOACH_MODE": "clinic",
        "BACKCOACH_DATABASE_URL": postgres_url,
        "BACKCOACH_DATA_DIR": str(tmp_path / "clinic"),
    }
    with backcoach_serve("--host", "0.0.0.0", env=env) as served:
        url = served.url  # 127.0.0.1: an address 0.0.0.0 listens on too
        login = httpx.get(f"{url}/login", timeout=5)
        assert login.status_code == 200
        assert "Sign in" in login.text
        today = httpx.get(f"{url}/", timeout=5)
        assert (today.status_code, today.headers["location"]) == (303, "/login")
        assert httpx.get(f"{url}/api/v1/plan", timeout=5).status_code == 401
    assert "running in clinic mode" in served.output
