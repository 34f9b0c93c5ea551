"""Live coaching WebSockets: ``/ws/coach/{session_id}`` and ``/ws/practice/{exercise_id}``.

The client sends ``{"type": "frame", "t_s": float, "landmarks": [[x, y, z, v] x 33] | null}``
(landmarks only: the video stays in the browser) and gets one ``feedback``
message per frame (see ``services.live_coach``). A bad message gets an
``error`` message and is ignored; a client that keeps sending bad or too many
messages, or one too big, is closed with a policy code. Each connection only
ever affects its own session.

Input is bounded at every step: the server (``backcoach serve``) reads no
message above ``SERVER_MAX_MESSAGE_BYTES``, this module closes on anything
above ``MAX_MESSAGE_BYTES``, ``parse_message`` refuses deep nesting and numbers
out of range, and a path id that cannot be a session or an exercise is refused
before anything is looked up or kept.

``/ws/practice/clinic-...`` practises an exercise the user's clinician wrote
(one the user may see, ``services.clinic_exercises``); the generic counter
counts it when the clinician turned camera counting on.

While exercise is blocked (a red flag in the safety screening:
``services.safety.exercise_block``) both endpoints answer one ``error`` message
with the block's reason as its code and its message, and close with a policy
code, before any coaching.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from starlette.concurrency import run_in_threadpool

from backcoach.content import Exercise
from backcoach.errors import UsageError
from backcoach.i18n import _
from backcoach.services.clinic_exercises import CAMERA_COUNTER, visible_exercise
from backcoach.services.clinic_exercises import ID_PREFIX as CLINIC_ID_PREFIX
from backcoach.services.clock import SessionClock
from backcoach.services.live_coach import (
    LiveCoach,
    LiveCoaches,
    SessionCoach,
    exercise_dose,
    make_analyzer,
)
from backcoach.services.live_protocol import (
    BURST_FRAMES,
    MAX_MESSAGE_BYTES,
    MAX_REJECTED_IN_A_ROW,
    ProtocolError,
    RateLimiter,
    error_message,
    parse_message,
)
from backcoach.services.safety import Block, exercise_block
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.web.deps import user_of
from backcoach.web.state import app_state

router = APIRouter(tags=["live coaching"])

#: Close codes: 1008 policy violation (flooding, too many bad messages), 1009 too big.
CLOSE_POLICY = status.WS_1008_POLICY_VIOLATION
CLOSE_TOO_BIG = status.WS_1009_MESSAGE_TOO_BIG

#: Session numbers a path may name (the database's 64-bit signed integers).
MAX_SESSION_ID = 2**63 - 1
#: Exercise ids in a path: lower-case words joined by hyphens, like the catalog's.
EXERCISE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_EXERCISE_ID = 64


def live_coaches(websocket: WebSocket) -> LiveCoaches:
    return app_state(websocket.app).live_coaches


def _user_and_block(websocket: WebSocket) -> tuple[int, Block | None]:
    """Whose socket this is (the signed-in account, or the local user) and their block."""
    with app_state(websocket.app).sessions() as db:
        user_id = user_of(websocket, db).id
        return user_id, exercise_block(db, user_id=user_id)


def _clinic_exercise(websocket: WebSocket, exercise_id: str) -> Exercise | None:
    """A clinician's exercise this socket's user may see (``services.clinic_exercises``)."""
    with app_state(websocket.app).sessions() as db:
        try:
            info = visible_exercise(db, user_id=user_of(websocket, db).id, exercise_id=exercise_id)
        except LookupError:
            return None
        return info.exercise


class _Connection:
    """The receive loop shared by both endpoints: checks, rate limit, one reply per frame."""

    def __init__(self, websocket: WebSocket) -> None:
        self.websocket = websocket
        rate = app_state(websocket.app).live_max_frames_per_s
        self.limiter = RateLimiter(rate=rate, burst=max(BURST_FRAMES, rate * 1.5))
        self.rejected = 0

    async def frames(self) -> AsyncIterator[LandmarkFrame]:
        """Yield valid frames; answer bad messages; return when the client goes."""
        while True:
            try:
                message = await self.websocket.receive()
            except WebSocketDisconnect:
                return
            if message["type"] == "websocket.disconnect":
                return
            raw: str | bytes | None = message.get("text")
            if raw is None:
                raw = message.get("bytes") or b""
            if len(raw) > MAX_MESSAGE_BYTES:
                await self.websocket.close(CLOSE_TOO_BIG, "message too big")
                return
            if not self.limiter.allow(time.monotonic()):
                if not await self.reject("too-frequent", _("Too many messages; slow down.")):
                    return
                continue
            try:
                frame = parse_message(raw)
            except ProtocolError as exc:
                if not await self.reject(exc.code, str(exc)):
                    return
                continue
            if frame is None:
                await self.websocket.send_json({"type": "pong"})
                continue
            self.rejected = 0
            yield frame

    async def reject(self, code: str, text: str) -> bool:
        """Answer a bad message; False when the connection was closed for too many."""
        self.rejected += 1
        if self.rejected > MAX_REJECTED_IN_A_ROW:
            await self.websocket.close(CLOSE_POLICY, "too many bad or too frequent messages")
            return False
        await self.websocket.send_json(error_message(code, text))
        return True


def parse_session_id(raw: str) -> int | None:
    """The session number in a WebSocket path, or None unless it is 1 to ``MAX_SESSION_ID``."""
    if not (raw.isascii() and raw.isdecimal()) or len(raw) > len(str(MAX_SESSION_ID)):
        return None
    number = int(raw)
    return number if 1 <= number <= MAX_SESSION_ID else None


def is_exercise_id(raw: str) -> bool:
    """Whether ``raw`` is shaped like an exercise id (a short lower-case slug)."""
    return len(raw) <= MAX_EXERCISE_ID and EXERCISE_ID.fullmatch(raw) is not None


async def _refuse(websocket: WebSocket, code: str, text: str, reason: str | None = None) -> None:
    """Tell the client why (it has been accepted) and close with a policy violation.

    ``reason`` is the close frame's short reason (at most 123 bytes), ``text`` by default.
    """
    await websocket.send_json(error_message(code, text))
    await websocket.close(CLOSE_POLICY, text if reason is None else reason)


async def _refuse_blocked(websocket: WebSocket, block: Block) -> None:
    await _refuse(websocket, block.reason.value, block.web_message, "exercise is paused")


@router.websocket("/ws/practice/{exercise_id}")
async def practice(websocket: WebSocket, exercise_id: str) -> None:
    """Practise one exercise from the library with the camera (nothing is recorded)."""
    await websocket.accept()
    exercise = None
    if is_exercise_id(exercise_id):
        exercise = app_state(websocket.app).catalog.exercises.get(exercise_id)
        if exercise is None and exercise_id.startswith(CLINIC_ID_PREFIX):
            exercise = await run_in_threadpool(_clinic_exercise, websocket, exercise_id)
    if exercise is None:
        await _refuse(websocket, "unknown-exercise", _("No such exercise."))
        return
    _user, block = await run_in_threadpool(_user_and_block, websocket)
    if block is not None:
        await _refuse_blocked(websocket, block)
        return
    if exercise_id.startswith(CLINIC_ID_PREFIX):
        # A clinician's own exercise: the generic counter counts it, if they asked for that.
        counter = (
            make_analyzer(CAMERA_COUNTER, exercise_dose(exercise))
            if exercise.camera.supported
            else None
        )
        coach = LiveCoach(exercise_id, counter)
    else:
        coach = LiveCoach.for_exercise(exercise_id, exercise_dose(exercise))
    hello = {"type": "hello", "exercise": exercise_id, "camera_checks": coach.analyzer is not None}
    await websocket.send_json(hello)
    connection = _Connection(websocket)
    async for frame in connection.frames():
        try:
            feedback = coach.feed(frame)
        except ProtocolError as exc:
            if not await connection.reject(exc.code, str(exc)):
                return
            continue
        # The generic counter names itself; the page knows the exercise by its own id.
        await _send(websocket, {**coach.message(feedback), "exercise": exercise_id})


@router.websocket("/ws/coach/{session_id}")
async def coach_session(websocket: WebSocket, session_id: str) -> None:
    """Coach the current step of a guided session; camera counts are recorded as ``camera``."""
    await websocket.accept()
    number = parse_session_id(session_id)
    if number is None:
        await _refuse(websocket, "unknown-session", _("No such session."))
        return
    factory = app_state(websocket.app).sessions
    settings = app_state(websocket.app).settings
    user_id, block = await run_in_threadpool(_user_and_block, websocket)
    if block is not None:
        await _refuse_blocked(websocket, block)
        return
    coaches = live_coaches(websocket)
    coach = coaches.connect(
        number, user_id=user_id, factory=factory, clock=SessionClock.of(settings).now
    )
    keep = False  # anything unexpected drops the coach; a session going on keeps it
    try:
        try:
            await run_in_threadpool(_start, coach)
        except UsageError:
            await _refuse(websocket, "unknown-session", _("No such session."))
            return
        with contextlib.suppress(WebSocketDisconnect):  # it went while we answered
            await _coach(websocket, coach)
        keep = not coach.finished
    finally:
        coaches.release(coach, keep=keep)


async def _coach(websocket: WebSocket, coach: SessionCoach) -> None:
    """Say hello, then feed the session's frames until the client goes."""
    assert coach.coach is not None
    await websocket.send_json(
        {
            "type": "hello",
            "session_id": coach.session_id,
            "step_index": coach.step_index,
            "exercise": coach.coach.exercise_id,
            "kind": coach.kind,
            "camera_checks": coach.coach.analyzer is not None,
            "reps": 0 if coach.coach.last is None else coach.coach.last.reps,
        }
    )
    connection = _Connection(websocket)
    async for frame in connection.frames():
        async with coach.turn:
            try:
                before, feedback = coach.analyze(frame)
            except ProtocolError as exc:
                if not await connection.reject(exc.code, str(exc)):
                    return
                continue
            # Only frames that change the session (a rep, a hold) or are due for a
            # re-read touch the database, in a worker thread.
            if coach.needs_database(before, feedback):
                await run_in_threadpool(coach.update_session, before, feedback)
            reply = coach.reply(feedback)
        await _send(websocket, reply)


def _start(coach: SessionCoach) -> None:
    coach.new_connection()
    coach.sync()


async def _send(websocket: WebSocket, message: dict[str, Any]) -> None:
    await websocket.send_text(json.dumps(message, separators=(",", ":")))
