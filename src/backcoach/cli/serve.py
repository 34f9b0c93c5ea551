"""``backcoach serve``: the web app on this computer.

In local mode (the default) only loopback addresses are allowed: there is no
sign-in, so the app must not be reachable from other machines. Clinic mode
(``BACKCOACH_MODE=clinic``) has accounts and may listen on any address, behind a
TLS proxy (``--proxy-headers``).

``--workers N`` runs N server processes (uvicorn workers) on PostgreSQL. Every
piece of state that outlives a request is in the database (session snapshots,
the desk timer, what a camera reconnect needs), so any worker may answer any
request. SQLite is refused for more than one worker: its file takes one writer
at a time, so more processes add no throughput, only waiting for its lock.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

import typer
from rich.markup import escape

from backcoach.cli.app import app, console
from backcoach.config import get_settings
from backcoach.errors import UsageError
from backcoach.i18n import _

LOOPBACK_NAMES = {"localhost"}


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1, ``[::1]``)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(bind_address(host)).is_loopback
    except ValueError:
        return False


def bind_address(host: str) -> str:
    """The address to bind: an IPv6 address without the brackets of its URL spelling.

    ``[::1]`` is how an address goes in a URL; sockets (and uvicorn) want ``::1``.
    """
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    return host


def server_url(host: str, port: int) -> str:
    """The address people open: ``http://127.0.0.1:8000``, ``http://[::1]:8000``."""
    address = bind_address(host)
    if ":" in address:  # IPv6 goes in brackets in a URL
        address = f"[{address}]"
    return f"http://{address}:{port}"


@app.command(
    help=_(
        "Serve the web app at http://127.0.0.1:8000 (this computer only, unless in clinic mode)."
        "\n\nA clinic's server: BACKCOACH_MODE=clinic, PostgreSQL, --workers 2 and "
        '--proxy-headers behind a TLS proxy (README, "Run it for a clinic").'
    )
)
def serve(
    host: Annotated[
        str | None,
        typer.Option(
            help=_(
                "Address to bind: loopback only in local mode; in clinic mode any address "
                "(behind a TLS proxy, keep 127.0.0.1). Default: BACKCOACH_HOST."
            )
        ),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help=_("Port to listen on. Default: BACKCOACH_PORT.")),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help=_(
                "Server processes to run; more than 1 needs PostgreSQL (BACKCOACH_DATABASE_URL)."
            ),
        ),
    ] = 1,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers",
            help=_(
                "Behind a reverse proxy (clinic mode): trust its X-Forwarded-For and "
                "X-Forwarded-Proto, so sign-in cookies are Secure and rate limits see the client."
            ),
        ),
    ] = False,
    forwarded_allow_ips: Annotated[
        str,
        typer.Option(
            help=_(
                "With --proxy-headers: the proxies' addresses (comma-separated) whose "
                "forwarded headers are trusted."
            )
        ),
    ] = "127.0.0.1",
) -> None:
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    if not is_loopback(host) and not settings.clinic:
        raise UsageError(
            _(
                "Refusing to serve on '{host}': in local mode backcoach has no sign-in, so it "
                "only listens on this computer. Use --host 127.0.0.1 (or localhost), or run a "
                "clinic server with BACKCOACH_MODE=clinic (accounts and sign-in; see the README)."
            ).format(host=host)
        )
    if proxy_headers and not settings.clinic:
        raise UsageError(_("--proxy-headers is for a clinic server behind a proxy (clinic mode)."))
    if workers > 1 and not settings.effective_database_url.startswith("postgresql"):
        raise UsageError(
            _(
                "Refusing --workers {workers} on SQLite: its database file takes one writer at a "
                "time, so several workers would only wait for each other. Run one worker, or use "
                "PostgreSQL (BACKCOACH_DATABASE_URL=postgresql+psycopg://user:pass@host/db)."
            ).format(workers=workers)
        )
    # The web stack takes about half a second to import; only this command needs it,
    # so every other command (and `backcoach --help`) starts without it.
    import uvicorn

    from backcoach.services.live_coach import SERVER_MAX_MESSAGE_BYTES
    from backcoach.web import create_app

    url = escape(server_url(host, port))
    if workers > 1:
        # The database is brought up to date once, here: each worker upgrades it again as it
        # starts (a no-op then), and two workers creating a fresh database's tables at the
        # same moment would fail one of them and stop the server.
        from backcoach.store import upgrade_database

        upgrade_database(settings)
        # Each worker process imports the factory and builds its own app.
        console.print(
            _("backcoach is running at [bold]{url}[/] with {workers} workers").format(
                url=url, workers=workers
            )
        )
        target: Any = "backcoach.web.worker:app"
        options: dict[str, Any] = {
            "factory": True,
            "workers": workers,
            # A worker busy with a burst (or still importing on a loaded machine) is not
            # hung: uvicorn's 5 s health check would kill it and reset its connections.
            "timeout_worker_healthcheck": 30,
        }
    else:
        target, options = create_app(settings), {}
        running = (
            _("backcoach is running in clinic mode at [bold]{url}[/]  (Ctrl+C to stop)")
            if settings.clinic
            else _("backcoach is running at [bold]{url}[/]  (Ctrl+C to stop)")
        )
        console.print(running.format(url=url))
    uvicorn.run(
        target,
        **options,
        host=bind_address(host),
        port=port,
        log_level="warning",
        # Landmark messages are small JSON; compressing each one costs more CPU than it saves.
        ws_per_message_deflate=False,
        # A bigger WebSocket message is refused from its header, before it is read.
        ws_max_size=SERVER_MAX_MESSAGE_BYTES,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips if proxy_headers else None,
    )
