"""``backcoach serve`` on IPv6 loopback, and the WebSocket size bound it gives uvicorn.

``[::1]`` is how the IPv6 loopback address is written in a URL; uvicorn binds
``::1``. The command must take either spelling, bind the bare address and print
the URL people open, ``http://[::1]:PORT``.
"""

from __future__ import annotations

import socket
from typing import Any

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.cli.serve import bind_address, is_loopback, server_url
from backcoach.services.live_coach import SERVER_MAX_MESSAGE_BYTES
from tests.support.serve import backcoach_serve


@pytest.mark.parametrize(
    ("host", "address", "url"),
    [
        ("127.0.0.1", "127.0.0.1", "http://127.0.0.1:8123"),
        ("localhost", "localhost", "http://localhost:8123"),
        ("[::1]", "::1", "http://[::1]:8123"),
        ("::1", "::1", "http://[::1]:8123"),
        ("[0:0:0:0:0:0:0:1]", "0:0:0:0:0:0:0:1", "http://[0:0:0:0:0:0:0:1]:8123"),
    ],
)
def test_hosts_are_bound_without_brackets_and_shown_with_them(
    host: str, address: str, url: str
) -> None:
    assert is_loopback(host)
    assert bind_address(host) == address
    assert server_url(host, 8123) == url


def serve_arguments(monkeypatch: pytest.MonkeyPatch, host: str) -> tuple[dict[str, Any], str]:
    """Run ``backcoach serve --host HOST`` with uvicorn.run recording its arguments."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(app, ["serve", "--host", host, "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    return calls[0], result.output


@pytest.mark.parametrize(
    ("host", "address", "url"),
    [("[::1]", "::1", "http://[::1]:8123"), ("127.0.0.1", "127.0.0.1", "http://127.0.0.1:8123")],
)
def test_serve_gives_uvicorn_the_bare_address_and_a_small_message_bound(
    monkeypatch: pytest.MonkeyPatch, host: str, address: str, url: str
) -> None:
    kwargs, output = serve_arguments(monkeypatch, host)
    assert kwargs["host"] == address
    assert kwargs["port"] == 8123
    assert kwargs["ws_max_size"] == SERVER_MAX_MESSAGE_BYTES
    assert f"backcoach is running at {url}" in output


def ipv6_loopback_port() -> int | None:
    """A free port on ``::1``, or None when this machine has no IPv6 loopback."""
    if not socket.has_ipv6:
        return None
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
            port: int = sock.getsockname()[1]
            return port
    except OSError:
        return None


def test_serve_on_ipv6_loopback_answers_at_the_url_it_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = ipv6_loopback_port()
    if port is None:
        # No IPv6 here: check what the command hands to uvicorn instead (never skipped).
        kwargs, output = serve_arguments(monkeypatch, "[::1]")
        assert kwargs["host"] == "::1" and "http://[::1]:8123" in output
        return
    with backcoach_serve("--host", "[::1]", host="::1", port=port) as served:
        page = httpx.get(f"{served.url}/", timeout=5)
        assert page.status_code == 200
        assert "Safety screening" in page.text
    output, errors = served.output, served.errors
    assert f"backcoach is running at http://[::1]:{port}" in output, (output, errors)
