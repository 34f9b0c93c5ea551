"""Command-line interface. Each module registers its commands on ``app``."""

import os
import sys

from backcoach.cli import (
    checkin,  # noqa: F401
    companion,  # noqa: F401
    content,  # noqa: F401
    data,  # noqa: F401
    desk,  # noqa: F401
    handout,  # noqa: F401
    report,  # noqa: F401
    serve,  # noqa: F401
    users,  # noqa: F401
    vision,  # noqa: F401
    workout,  # noqa: F401
)
from backcoach.cli.app import LANGUAGE_PROBLEM, app, err_console


def main() -> None:
    """Console-script entry point."""
    # Everything this process creates (database side files, exports, reports) is
    # private by default; the store also sets explicit modes on its own files.
    os.umask(0o077)
    if LANGUAGE_PROBLEM is not None:
        err_console.print(
            f"[bold red]Error:[/] {LANGUAGE_PROBLEM}", highlight=False, soft_wrap=True
        )
        sys.exit(2)
    app(prog_name="backcoach")


__all__ = ["app", "main"]
