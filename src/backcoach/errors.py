"""Errors that carry a message meant for people, not a traceback."""

from __future__ import annotations


class BackcoachError(Exception):
    """An error whose message can be shown to the user as it is."""

    exit_code: int = 1


class UsageError(BackcoachError):
    """The user asked for something that does not exist or cannot be done."""

    exit_code = 2


class ContentError(BackcoachError):
    """A content file (YAML) is malformed; the message names file, id and field."""


class MissingExtraError(BackcoachError):
    """An optional extra (such as ``backcoach[vision]``) is not installed."""

    def __init__(self, extra: str, package: str) -> None:
        super().__init__(
            f"This needs the optional '{extra}' extra ({package} is not installed). "
            f"Install it with: pip install 'backcoach[{extra}]'  (or run `make setup`)."
        )
