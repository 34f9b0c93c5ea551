"""What a live-coaching client may send: one message checked, and a rate limit.

The browser sends ``{"type": "frame", "t_s": float, "landmarks": [[x, y, z, v] x 33] | null}``
(or a ``ping``). ``parse_message`` checks one message (size, JSON, shape, finite
numbers in their range) and turns it into a ``LandmarkFrame`` or a plain-words
``ProtocolError``; ``RateLimiter`` is a token bucket per connection, so a client
that floods the server only hurts itself.
"""

from __future__ import annotations

import json
import reprlib
from dataclasses import dataclass, field
from typing import Any

from backcoach.i18n import N_, _
from backcoach.vision.landmarks import (
    MAX_COORDINATE,
    MAX_T_S,
    NUM_LANDMARKS,
    Landmark,
    LandmarkFrame,
    parse_landmarks,
)

#: Largest message accepted (a frame of 33 landmarks is about 2-3 KB of JSON).
MAX_MESSAGE_BYTES = 16_384
#: Largest message the web server reads at all (uvicorn's ``ws_max_size``): a bit above
#: ``MAX_MESSAGE_BYTES``, so the app still answers a slightly-too-big message with its own
#: close reason, while a huge one is refused from its frame header, before it is read.
SERVER_MAX_MESSAGE_BYTES = 2 * MAX_MESSAGE_BYTES
#: Most lists and objects in one message (a frame has 35).
MAX_CONTAINERS = 64
#: Sustained frames per second a client may send (cameras give 30, some 60).
MAX_FRAMES_PER_S = 65.0
#: Frames a client may send at once above that rate (a burst after a stall).
BURST_FRAMES = 90
#: Rejected messages in a row after which the connection is closed.
MAX_REJECTED_IN_A_ROW = 120

TOO_NESTED = N_("The message has too many nested lists or objects; a frame is 33 points.")


class ProtocolError(ValueError):
    """A client message that breaks the protocol; the message says why, in plain words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def parse_message(text: str | bytes) -> LandmarkFrame | None:
    """Check one client message; a ``frame`` gives its ``LandmarkFrame``, a ``ping`` None.

    Every number must be finite and in its range (see ``vision.landmarks``): JSON
    allows ``1e400`` (infinity once parsed) and ``10**400`` written out, and neither
    is a landmark.

    Raises:
        ProtocolError: too big, too nested, not JSON, not an object, unknown type, or a
            bad frame.
    """
    if isinstance(text, bytes):
        raise ProtocolError("binary", _("Send JSON text messages, not binary data."))
    if len(text) > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            "too-big", _("Messages must be under {n} bytes.").format(n=MAX_MESSAGE_BYTES)
        )
    # Counted before parsing (in C, so cheap at 30 frames a second): a frame has 35
    # lists and objects, and thousands of nested brackets would exhaust the parser's stack.
    if text.count("[") + text.count("{") > MAX_CONTAINERS:
        raise ProtocolError("too-nested", _(TOO_NESTED))
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise ProtocolError("too-nested", _(TOO_NESTED)) from None
    except (json.JSONDecodeError, ValueError) as exc:
        raise ProtocolError(
            "not-json", _("The message is not valid JSON: {error}").format(error=exc)
        ) from None
    if not isinstance(obj, dict):
        raise ProtocolError("not-object", _("A message must be a JSON object with a 'type'."))
    kind = obj.get("type")
    if kind == "ping":
        return None
    if kind != "frame":
        raise ProtocolError(
            "unknown-type",
            _("Unknown message type {kind}; send 'frame'.").format(kind=reprlib.repr(kind)),
        )
    t_s = obj.get("t_s")
    # Range checks compare exactly, so NaN, infinities and huge integers all fail them.
    if isinstance(t_s, bool) or not isinstance(t_s, int | float) or not 0 <= t_s <= MAX_T_S:
        raise ProtocolError(
            "bad-frame",
            _("'t_s' must be a number of seconds from 0 to {most}.").format(most=f"{MAX_T_S:.0f}"),
        )
    if "landmarks" not in obj:
        raise ProtocolError("bad-frame", _("A frame needs 'landmarks' (33 points, or null)."))
    landmarks = _landmarks(obj["landmarks"])
    aspect = obj.get("aspect", 1.0)
    if isinstance(aspect, bool) or not isinstance(aspect, int | float) or not 0.1 < aspect < 10:
        raise ProtocolError("bad-frame", _("'aspect' must be the image width / height."))
    return LandmarkFrame(t_s=float(t_s), landmarks=landmarks, aspect=float(aspect))


_NUMBERS = (int, float)  # exact types: JSON true/false must not pass as numbers
_new_landmark = tuple.__new__  # builds the named tuple without a Python-level call
_LIMIT = MAX_COORDINATE


def _landmarks(raw: object) -> tuple[Landmark, ...] | None:
    """``parse_landmarks`` with a fast path for well-formed frames (30 per second per client)."""
    if raw is None:
        return None
    if type(raw) is list and len(raw) == NUM_LANDMARKS:
        points = []
        for item in raw:
            if type(item) is not list or len(item) != 4:
                break
            x, y, z, v = item
            if not (
                type(x) in _NUMBERS
                and type(y) in _NUMBERS
                and type(z) in _NUMBERS
                and type(v) in _NUMBERS
                and -_LIMIT <= x <= _LIMIT
                and -_LIMIT <= y <= _LIMIT
                and -_LIMIT <= z <= _LIMIT
                and 0 <= v <= 1
            ):
                break
            points.append(_new_landmark(Landmark, (float(x), float(y), float(z), float(v))))
        else:
            return tuple(points)
    try:  # the slow, thorough check says exactly what is wrong
        parse_landmarks(raw)
    except ValueError as exc:
        raise ProtocolError("bad-frame", str(exc)) from None
    raise ProtocolError("bad-frame", _("'landmarks' values must be finite numbers."))


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number")


def error_message(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


@dataclass
class RateLimiter:
    """Token bucket: ``rate`` messages per second on average, bursts up to ``burst``.

    Time comes from the caller (``allow(now)``), so the rule is testable.
    """

    rate: float = MAX_FRAMES_PER_S
    burst: float = BURST_FRAMES
    _tokens: float = field(default=-1.0, init=False)
    _last: float = field(default=0.0, init=False)

    def allow(self, now: float) -> bool:
        if self._tokens < 0:
            self._tokens, self._last = self.burst, now
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
