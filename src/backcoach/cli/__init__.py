"""Command-line interface. Each module registers its commands on ``app``."""

from backcoach.cli import (
    checkin,  # noqa: F401
    content,  # noqa: F401
    data,  # noqa: F401
    desk,  # noqa: F401
    serve,  # noqa: F401
    vision,  # noqa: F401
    workout,  # noqa: F401
)
from backcoach.cli.app import app


def main() -> None:
    """Console-script entry point."""
    app(prog_name="backcoach")


__all__ = ["app", "main"]
