"""Clinic mode's tables for the clinician's work: notes, program templates with versions,
assignments, clinician-authored exercises and questionnaire schedules.

A program template belongs to a clinician; each edit adds a ``ProgramVersion``
(numbered 1, 2, ...), never changes an old one, so a session's
``program_version_id`` always says exactly what the patient was given.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backcoach.store.models import Base
from backcoach.store.types import JSONDocument, UTCDateTime


class ClinicianNote(Base):
    """A clinician's note on a patient; the patient sees it under "from your clinician"."""

    __tablename__ = "clinician_notes"
    __table_args__ = (Index("ix_clinician_notes_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(String(4000))


class ProgramTemplate(Base):
    """A clinician's program, started from a built-in one (``base_program_id``)."""

    __tablename__ = "program_templates"
    __table_args__ = (Index("ix_program_templates_owner", "owner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    base_program_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProgramVersion(Base):
    """One version of a template: its steps and doses as JSON, never changed once written."""

    __tablename__ = "program_versions"
    __table_args__ = (
        UniqueConstraint("template_id", "number", name="uq_program_versions_template_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("program_templates.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    note: Mapped[str] = mapped_column(String(500), server_default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JSONDocument)


class ProgramAssignment(Base):
    """The program template a patient follows (its newest version applies)."""

    __tablename__ = "program_assignments"
    __table_args__ = (Index("ix_program_assignments_template", "template_id"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    template_id: Mapped[int] = mapped_column(ForeignKey("program_templates.id", ondelete="CASCADE"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ClinicExercise(Base):
    """An exercise written by a clinician, validated with the built-in content's models.

    ``definition`` is the exercise as the content YAML would hold it; ``image`` an
    optional uploaded picture (size- and type-checked) shown instead of a figure.
    """

    __tablename__ = "clinic_exercises"
    __table_args__ = (Index("ix_clinic_exercises_owner", "owner_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    exercise_id: Mapped[str] = mapped_column(String(64), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    image: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    image_type: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionnaireSchedule(Base):
    """A questionnaire a clinician asks a patient to fill in every ``every_days`` days."""

    __tablename__ = "questionnaire_schedules"
    __table_args__ = (
        UniqueConstraint("patient_id", "name", name="uq_questionnaire_schedules_patient_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    every_days: Mapped[int] = mapped_column(Integer)
    first_due: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
