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
