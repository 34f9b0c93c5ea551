"""``backcoach serve`` as a real process, for tests that need the command itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

START_TIMEOUT_S = 60.0


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    output: str = ""  # what the command printed, once it has stopped
    errors: str = ""


@contextmanager
def backcoach_serve(
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    program: Sequence[str] = (sys.executable, "-m", "backcoach"),
) -> Iterator[Served]:
    """Run ``python -m backcoach serve --port PORT ARGS``; yields once it answers ``/``.

    ``program`` replaces ``python -m backcoach``, e.g. with an installed
    ``backcoach`` console script. The process is stopped (SIGTERM) on leaving;
    ``output`` and ``errors`` then hold what it printed.
    """
    port = port if port is not None else free_port(host)
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{port}"
    with subprocess.Popen(
        [*program, "serve", "--port", str(port), *args],
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        served = Served(url, process)
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                if process.poll() is not None:
                    raise AssertionError(f"backcoach serve stopped: {process.communicate()}")
                try:
                    httpx.get(f"{url}/", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise AssertionError("backcoach serve did not answer in 60 s") from None
                    time.sleep(0.2)
            yield served
        finally:
            process.terminate()
            served.output, served.errors = process.communicate(timeout=10)
