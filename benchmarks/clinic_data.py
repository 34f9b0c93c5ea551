"""A clinic's data for ``bench_clinic``: one clinician, their patients, weeks of use each.

Written with bulk inserts, the way ``bench_store`` writes ten years of one
person's use: the sessions' plans and snapshots are real (the short
back-basics session, a finished engine snapshot), questionnaire scores come
from the real scorers and screenings from the real screening rules, so the
clinician's views read what a clinic's database holds.

Each patient keeps to their own rate (a session on 35 % to 95 % of days), with
pain before and after that slowly falls, two check-ins per session, a safety
screening every four weeks, STarT Back at the start, the pain and function
check every two weeks and PSFS every four. Some patients carry the dashboard's
flags (``Flags``): a red flag in the newest screening, pain after higher than
before by 2 or more in their last two sessions, no session for 6 to 10 days,
STarT Back high risk, the pain and function check overdue.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, text

from backcoach.coach.plan import SessionPlan, plan_from_program
from backcoach.coach.questionnaires import score
from backcoach.coach.safety import QUESTION_IDS, evaluate
from backcoach.content import Length, default_catalog
from backcoach.services.sessions import plan_to_json
from backcoach.store import (
    CareLink,
    CheckIn,
    QuestionnaireResponse,
    Role,
    Screening,
    ScreeningOutcome,
    StepEvent,
    User,
    WorkoutSession,
    session_factory,
)
from backcoach.store.db import bulk_insert, bulk_insert_returning_ids
from benchmarks.bench_store import finished_snapshot

PATIENTS = 200
WEEKS = 8
PROGRAM = "back-basics"
PASSWORD = "bench-clinic-password"
CLINICIAN = "clinician@bench.example.org"
RED_FLAG_QUESTION = "saddle-numbness"

Row = dict[str, Any]


def patient_email(index: int) -> str:
    return f"patient-{index:03d}@bench.example.org"


@dataclass(frozen=True)
class Flags:
    """Which patients (by index) carry which of the dashboard's flags."""

    red_flag: frozenset[int]
    pain_rising: frozenset[int]
    inactive: frozenset[int]
    startback_high: frozenset[int]
    questionnaire_due: frozenset[int]

    @classmethod
    def among(cls, patients: int) -> Flags:
        def every(step: int, offset: int) -> frozenset[int]:
            return frozenset(range(offset % step, patients, step))

        return cls(
            red_flag=every(25, 7),
            pain_rising=every(10, 3),
            inactive=every(7, 5),
            startback_high=every(12, 1),
            questionnaire_due=every(9, 4),
        )

    def counts(self) -> dict[str, int]:
        return {
            "red-flag screening": len(self.red_flag),
            "pain rising": len(self.pain_rising),
            "no session 6-10 days": len(self.inactive),
            "STarT Back high": len(self.startback_high),
            "questionnaire overdue": len(self.questionnaire_due),
        }


@dataclass(frozen=True)
class Clinic:
    """What ``build_clinic`` wrote: who signs in, and how many rows of each kind."""

    clinician: str
    patients: tuple[str, ...]
    red_flagged: frozenset[str]
    counts: dict[str, int]
    flags: dict[str, int]


def _questionnaire(user_id: int, name: str, at: datetime, answers: dict[str, Any]) -> Row:
    """A questionnaire response, scored and stored as ``services.checkins`` stores it."""
    result = score(name, answers)
    scores = {
        "total": result.total,
        "subscales": dict(result.subscales),
        "risk_group": None if result.risk_group is None else str(result.risk_group),
        "summary": result.summary,
    }
    return {"user_id": user_id, "name": name, "taken_at": at, "answers": answers, "scores": scores}


def _screening(user_id: int, at: datetime, red_flag: bool) -> Row:
    answers = dict.fromkeys(QUESTION_IDS, False)
    answers[RED_FLAG_QUESTION] = red_flag
    result = evaluate(answers)
    return {
        "user_id": user_id,
        "taken_at": at,
        "answers": answers,
        "red_flags": list(result.red_flags),
        "outcome": ScreeningOutcome(result.outcome.value),
    }


@dataclass
class _Rows:
    """Rows to insert, by table (sessions first: the others need their ids)."""

    links: list[Row]
    sessions: list[Row]
    screenings: list[Row]
    questionnaires: list[Row]


class _Writer:
    """Makes one patient's rows after another, from one random stream."""

    def __init__(self, *, now: datetime, weeks: int, flags: Flags, seed: int) -> None:
        self.now, self.days, self.flags = now, weeks * 7, flags
        self.rng = random.Random(seed)
        self.plan: SessionPlan = plan_from_program(default_catalog(), PROGRAM, Length.SHORT)
        self.plan_json = plan_to_json(self.plan)
        self.snapshot = finished_snapshot(self.plan)
        self.rows = _Rows([], [], [], [])

    def patient(self, index: int, uid: int, clinician_id: int) -> None:
        rng, days, flags = self.rng, self.days, self.flags
        linked = self.now - timedelta(days=days, hours=rng.randint(1, 72))
        self.rows.links.append(
            {"patient_id": uid, "clinician_id": clinician_id, "linked_at": linked}
        )
        pain = rng.randint(3, 6)
        sessions = self._sessions(uid, linked, pain, inactive=index in flags.inactive)
        if index in flags.pain_rising:
            for row in sessions[-2:]:
                row["pain_after"] = min(10, row["pain_before"] + rng.randint(2, 3))
        self.rows.sessions += sessions
        monthly = [linked + timedelta(days=d) for d in range(0, days, 28)]
        # Screened when they joined and whenever the screening fell due (every 28 days), so
        # the newest one is current (they may start a session today), unless it found a red flag.
        screened = [linked + timedelta(days=d) for d in range(0, days + 1, 28)]
        self.rows.screenings += [
            _screening(uid, at, red_flag=index in flags.red_flag and at == screened[-1])
            for at in screened
        ]
        forms = self.rows.questionnaires
        forms.append(_questionnaire(uid, "startback", linked, self._startback(index)))
        overdue = index in flags.questionnaire_due
        for day in range(0, 20 if overdue else days, 14):
            answers = self._pain_function(max(0, pain - day // 21))
            forms.append(
                _questionnaire(uid, "pain-function", linked + timedelta(days=day, hours=1), answers)
            )
        for at in monthly:
            rating = min(10, 4 + (at - linked).days // 14)
            psfs = {"activity-1": "sitting through a work meeting", "rating-1": rating}
            forms.append(_questionnaire(uid, "psfs", at + timedelta(hours=1), psfs))

    def _sessions(self, uid: int, linked: datetime, pain: int, *, inactive: bool) -> list[Row]:
        rng = self.rng
        rate = rng.uniform(0.35, 0.95)
        last_day = self.days - rng.randint(6, 10) if inactive else self.days
        rows: list[Row] = []
        for day in range(last_day):
            if rng.random() >= rate:
                continue
            started = linked + timedelta(days=day, hours=rng.randint(0, 12))
            if started > self.now - timedelta(hours=1):
                break
            if day % 14 == 13:
                pain = max(0, pain - 1)  # most people get better over the weeks
            roll = rng.random()
            status = "completed" if roll < 0.88 else ("quit" if roll < 0.96 else "abandoned")
            before = max(0, min(10, pain + rng.choice((-1, 0, 0, 1))))
            rows.append(
                {
                    "user_id": uid,
                    "program_id": PROGRAM,
                    "length": "short",
                    "plan": self.plan_json,
                    "snapshot": self.snapshot,
                    "status": status,
                    "started_at": started,
                    "ended_at": started + timedelta(minutes=14),
                    "pain_before": before,
                    "pain_after": max(0, min(10, before + rng.choice((-1, 0, 0, 1)))),
                    "effort": rng.randint(2, 7),
                }
            )
        return rows

    def _startback(self, index: int) -> dict[str, int]:
        if index in self.flags.startback_high:
            return {**{str(i): 1 for i in range(1, 9)}, "9": 4}
        rng = self.rng
        return {**{str(i): int(rng.random() < 0.3) for i in range(1, 9)}, "9": rng.randint(0, 2)}

    def _pain_function(self, pain: int) -> dict[str, int]:
        rng = self.rng
        return {
            "pain": pain,
            "interference-activity": max(0, pain + rng.randint(-2, 1)),
            "interference-sleep": max(0, pain + rng.randint(-3, 0)),
            "interference-mood": max(0, pain + rng.randint(-3, 1)),
        }

    def steps_and_checkins(self, session_ids: list[int]) -> tuple[list[Row], list[Row]]:
        """The step events and the two check-ins of each written session."""
        rng, steps = self.rng, self.plan.steps
        events: list[Row] = []
        checkins: list[Row] = []
        for sid, row in zip(session_ids, self.rows.sessions, strict=True):
            done = len(steps) if row["status"] == "completed" else rng.randint(1, len(steps) - 1)
            at = row["started_at"]
            for step_index, step in enumerate(steps[:done]):
                at += timedelta(seconds=50)
                events.append(
                    {
                        "session_id": sid,
                        "step_index": step_index,
                        "exercise_id": step.exercise_id,
                        "variant": str(step.variant),
                        "status": "completed" if rng.random() < 0.97 else "skipped",
                        "reps": step.reps,
                        "hold_s": step.hold_s,
                        "duration_s": 40.0 + rng.random() * 20,
                        "source": "camera" if rng.random() < 0.3 else "manual",
                        "pain": None,
                        "at": at,
                    }
                )
            for phase, pain, moment in (
                ("before", row["pain_before"], row["started_at"]),
                ("after", row["pain_after"], row["ended_at"]),
            ):
                checkins.append(
                    {
                        "user_id": row["user_id"],
                        "session_id": sid,
                        "at": moment,
                        "phase": phase,
                        "pain": pain,
                        "location": "low-back",
                        "effort": row["effort"] if phase == "after" else None,
                        "exercise_id": None,
                    }
                )
        return events, checkins


def build_clinic(
    engine: Engine,
    *,
    patients: int = PATIENTS,
    weeks: int = WEEKS,
    now: datetime | None = None,
    seed: int = 15,
) -> Clinic:
    """Write one clinician and ``patients`` patients with ``weeks`` weeks of use each.

    The database must be migrated and hold no accounts yet. Every account's
    password is ``PASSWORD`` (one argon2 hash, made once: hashing is slow on purpose).
    """
    now = now or datetime.now(UTC)
    flags = Flags.among(patients)
    writer = _Writer(now=now, weeks=weeks, flags=flags, seed=seed)
    password_hash = PasswordHasher().hash(PASSWORD)
    emails = [patient_email(i) for i in range(patients)]
    accounts = [(CLINICIAN, Role.CLINICIAN), *((e, Role.PATIENT) for e in emails)]
    with session_factory(engine)() as db:
        ids = bulk_insert_returning_ids(
            db,
            User,
            [
                {
                    "name": email,
                    "email": email,
                    "role": role,
                    "password_hash": password_hash,
                    "created_at": now - timedelta(weeks=weeks + 1),
                }
                for email, role in accounts
            ],
        )
        for index, uid in enumerate(ids[1:]):
            writer.patient(index, uid, clinician_id=ids[0])
        rows = writer.rows
        bulk_insert(db, CareLink, rows.links)
        events, checkins = writer.steps_and_checkins(
            bulk_insert_returning_ids(db, WorkoutSession, rows.sessions)
        )
        bulk_insert(db, StepEvent, events)
        bulk_insert(db, CheckIn, checkins)
        bulk_insert(db, Screening, rows.screenings)
        bulk_insert(db, QuestionnaireResponse, rows.questionnaires)
        db.commit()
    analyze(engine)
    return Clinic(
        clinician=CLINICIAN,
        patients=tuple(emails),
        red_flagged=frozenset(emails[i] for i in flags.red_flag),
        counts={
            "patients": patients,
            "sessions": len(rows.sessions),
            "step events": len(events),
            "check-ins": len(checkins),
            "screenings": len(rows.screenings),
            "questionnaires": len(rows.questionnaires),
        },
        flags=flags.counts(),
    )


def analyze(engine: Engine) -> None:
    """Fresh planner statistics, as a clinic's database has once its autovacuum has run."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
