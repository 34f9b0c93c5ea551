"""A real uvicorn server running the web app in a background thread, for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from backcoach.config import Settings
from backcoach.content import Catalog
from backcoach.services.live_coach import SERVER_MAX_MESSAGE_BYTES
from backcoach.web import create_app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    url: str
    settings: Settings
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def start_server(
    settings: Settings, *, catalog: Catalog | None = None, **uvicorn_options: Any
) -> LiveServer:
    """Start the app on a free loopback port; returns once it accepts connections.

    ``uvicorn_options`` are more ``uvicorn.Config`` settings (e.g. ``proxy_headers``).
    """
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, catalog=catalog),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
        ws_max_size=SERVER_MAX_MESSAGE_BYTES,  # as `backcoach serve`
        **uvicorn_options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.02)
    return LiveServer(f"http://127.0.0.1:{port}", settings, server, thread)


@contextmanager
def running_server(
    settings: Settings, *, catalog: Catalog | None = None, **uvicorn_options: Any
) -> Iterator[LiveServer]:
    live = start_server(settings, catalog=catalog, **uvicorn_options)
    try:
        yield live
    finally:
        live.stop()
