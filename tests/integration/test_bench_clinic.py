"""The clinic benchmark keeps working: its data builder, and one short measurement run.

``make bench`` runs ``benchmarks/bench_clinic.py`` for minutes on 200 patients;
here the same code writes a small clinic and measures it for a few seconds, so
a change to the routes, the sign-in or the tables that breaks the benchmark
fails the tests instead of the next benchmark run.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.bench_clinic import PATIENT_LIST, Paced, Phases, measure_clinic, report
from benchmarks.clinic_data import CLINICIAN, Flags, build_clinic, patient_email
from rich.console import Console
from sqlalchemy import select

from backcoach.config import Settings
from backcoach.services.clinic import patients_of
from backcoach.store import (
    QuestionnaireResponse,
    Screening,
    ScreeningOutcome,
    User,
    WorkoutSession,
    make_engine,
    session_factory,
    upgrade_engine,
)


def test_the_data_builder_writes_patients_with_the_dashboards_flags(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    engine = make_engine(Settings(data_dir=tmp_path))
    upgrade_engine(engine)
    clinic = build_clinic(engine, patients=26, weeks=8, now=now)
    flags = Flags.among(26)
    assert clinic.counts["sessions"] > 26 * 8  # most patients do a session on most days
    assert clinic.red_flagged == {patient_email(i) for i in flags.red_flag} != set()

    with session_factory(engine)() as db:
        clinician = db.scalar(select(User).where(User.email == CLINICIAN))
        assert clinician is not None
        assert len(patients_of(db, clinician_id=clinician.id)) == 26

        def user_id(index: int) -> int:
            uid = db.scalar(select(User.id).where(User.email == patient_email(index)))
            assert uid is not None
            return uid

        def sessions(index: int) -> list[WorkoutSession]:
            query = select(WorkoutSession).where(WorkoutSession.user_id == user_id(index))
            return list(db.scalars(query.order_by(WorkoutSession.started_at)))

        for index in flags.red_flag:
            latest = db.scalars(
                select(Screening)
                .where(Screening.user_id == user_id(index))
                .order_by(Screening.taken_at.desc())
            ).first()
            assert latest is not None and latest.outcome is ScreeningOutcome.RED_FLAG
        for index in flags.pain_rising:
            for row in sessions(index)[-2:]:
                assert row.pain_after is not None and row.pain_before is not None
                assert row.pain_after - row.pain_before >= 2
        for index in flags.inactive:
            assert sessions(index)[-1].started_at < now - timedelta(days=5)
        for index in flags.questionnaire_due:
            last = db.scalars(
                select(QuestionnaireResponse.taken_at)
                .where(QuestionnaireResponse.user_id == user_id(index))
                .where(QuestionnaireResponse.name == "pain-function")
                .order_by(QuestionnaireResponse.taken_at.desc())
            ).first()
            assert last is not None and last < now - timedelta(days=14)
        for index in flags.startback_high:
            startback = db.scalar(
                select(QuestionnaireResponse)
                .where(QuestionnaireResponse.user_id == user_id(index))
                .where(QuestionnaireResponse.name == "startback")
            )
            assert startback is not None and startback.scores["risk_group"] == "high"
    engine.dispose()


def test_a_short_run_signs_everyone_in_and_measures_the_clinic(
    postgres_url: str, tmp_path: Path
) -> None:
    phases = Phases(warmup_rounds=1, rounds=2, paced_seconds=1.0, paced_warmup_s=0.5, workers=(1,))
    console = Console(file=io.StringIO(), width=150)
    figures = measure_clinic(console, tmp_path, postgres_url, phases, patients=4, weeks=8)

    logins = figures.logins[1]
    assert (logins.signed_in, logins.errors) == (5, {})  # the clinician and 4 patients
    assert figures.service is not None
    assert figures.service.statuses[PATIENT_LIST] == {"200": 2}
    paced = figures.paced[1]
    assert isinstance(paced, Paced)
    assert paced.ticking == 1 and paced.requests > 0  # one in four is in a session
    assert (paced.errors, paced.statuses) == (0, {})

    report(console, figures, phases)
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Clinic targets" in printed and "GET /api/v1/clinic/patients" in printed
