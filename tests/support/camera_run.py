"""A guided glute-bridge step driven by the camera coach, with the page's heartbeat.

``Run`` starts a session of one glute-bridge step in a real store, puts the
real ``SessionCoach`` on it with the frames' own time as the session clock, and
plays landmark frames (synthetic or from a real clip) while sending what the
page sends: a ``Tick`` every second, and buttons when a test presses them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from backcoach.coach.engine import Pause, RepDone, Resume, SessionState, Start, Tick
from backcoach.coach.plan import PlannedStep, SessionPlan
from backcoach.content import Kind, Length, default_catalog
from backcoach.services.live_coach import SessionCoach
from backcoach.services.sessions import apply_event, load_session, start_session
from backcoach.store import local_user
from backcoach.vision.landmarks import LandmarkFrame
from tests.support.synthetic import Pose, keyframe_poses


def bridge_poses() -> tuple[Pose, Pose]:
    lying, lifted, _ = keyframe_poses(default_catalog().exercise("glute-bridge"))
    return lying, lifted


@dataclass
class Run:
    """A started session of one glute-bridge step, its camera coach and the page's heartbeat."""

    factory: sessionmaker[Session]
    session_id: int
    now: float = 0.0
    next_beat: float = 1.0
    replies: list[dict[str, Any]] = field(default_factory=list)
    coach: SessionCoach = field(init=False)

    def __post_init__(self) -> None:
        with self.factory() as db:
            user_id = local_user(db).id
        self.coach = SessionCoach(self.session_id, user_id, self.factory, lambda: self.now)

    @classmethod
    def start(cls, factory: sessionmaker[Session], *, reps: int, hold_s: float) -> Run:
        step = PlannedStep(
            "glute-bridge", "Glute bridge", Kind.REPS, sets=1, reps=reps, hold_s=hold_s
        )
        plan = SessionPlan("test", Length.SHORT, (step,))
        now = datetime.now(UTC)
        with factory() as db:
            user = local_user(db)
            db.commit()
            active = start_session(db, user_id=user.id, plan=plan, now=now)
            apply_event(db, active=active, event=Start(0.0), now=now)
            # "I'm ready" at once: the step moves into position from t=0 on, as the scripts say
            apply_event(db, active=active, event=RepDone(0.0), now=now)
            return cls(factory, active.id)

    def page(self, event: Tick | Pause | Resume) -> None:
        """What the page sends: the heartbeat, or a button."""
        with self.factory() as db:
            active = load_session(db, session_id=self.session_id)
            apply_event(db, active=active, event=event, now=datetime.now(UTC))

    def play(self, frames: list[LandmarkFrame], *, until: float = math.inf) -> None:
        """Feed the frames up to ``until`` seconds, the heartbeat ticking every second."""
        for frame in frames:
            if frame.t_s > until or (self.replies and frame.t_s <= self.now):
                continue  # not yet, or played already
            self.now = frame.t_s
            if self.now >= self.next_beat:
                self.page(Tick(self.now))
                self.next_beat += 1.0
            self.replies.append(self.coach.feed(frame))

    def state(self) -> SessionState:
        with self.factory() as db:
            return load_session(db, session_id=self.session_id).engine.state

    def cues(self) -> list[str]:
        """The distinct cues the page was told, in order."""
        out: list[str] = []
        for reply in self.replies:
            if reply["cue"] and (not out or out[-1] != reply["cue"]):
                out.append(reply["cue"])
        return out
