"""Errors that carry a message meant for people, not a traceback."""

from __future__ import annotations

from backcoach.i18n import _


class BackcoachError(Exception):
    """An error whose message can be shown to the user as it is.

    ``http_status``: what the web app answers with it (400 unless a subclass says).
    """

    exit_code: int = 1
    http_status: int = 400


class UsageError(BackcoachError):
    """The user asked for something that does not exist or cannot be done."""

    exit_code = 2


class NotSignedIn(BackcoachError):
    """Clinic mode: the request has no valid sign-in (or a wrong e-mail or password)."""

    http_status = 401


class NotAllowed(BackcoachError):
    """Clinic mode: signed in, but this user's role or patients do not include this."""

    http_status = 403


class TooManyAttempts(BackcoachError):
    """Too many failed sign-ins from one account or address: wait, then try again."""

    http_status = 429


class ContentError(BackcoachError):
    """A content file (YAML) is malformed; the message names file, id and field."""


class MissingExtraError(BackcoachError):
    """An optional extra (such as ``backcoach[vision]``) is not installed."""

    def __init__(self, extra: str, package: str) -> None:
        super().__init__(
            _(
                "This needs the optional '{extra}' extra ({package} is not installed). "
                "Install it with: pip install 'backcoach[{extra}]'  (or run `make setup`)."
            ).format(extra=extra, package=package)
        )
