"""Clinic mode: e-mail, role and password on users; sign-in sessions, one-time tokens
(invites, password resets), failed logins, the audit log, care links; clinicians'
notes, versioned program templates and their assignments, clinician-authored
exercises, questionnaire schedules; the program version a session followed and the
camera's form notes on a step.

A local install keeps its one user, now with the role ``local`` and no e-mail.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Storage types written out here (not imported from the models) so this
# migration stays the same when the models change later.
UTC_DATETIME = sa.DateTime(timezone=True)
JSON = sa.JSON(none_as_null=True)


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})", name=op.f(name))


def upgrade() -> None:
    # Columns are added in place (no table copy): SQLite's copy-and-rename of ``users``
    # would cascade its DROP to every row that belongs to a user.
    op.add_column("users", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column("users", sa.Column("password_hash", sa.String(length=255), nullable=True))
    op.add_column("users", sa.Column("disabled_at", UTC_DATETIME, nullable=True))
    role_check = "CHECK (role IN ('local', 'admin', 'clinician', 'patient'))"
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column's CHECK constraint only as part of the column.
        op.execute(
            "ALTER TABLE users ADD COLUMN role VARCHAR(16) DEFAULT 'local' NOT NULL "
            f"CONSTRAINT ck_users_role {role_check}"
        )
    else:
        op.add_column(
            "users",
            sa.Column("role", sa.String(length=16), server_default="local", nullable=False),
        )
        op.execute(f"ALTER TABLE users ADD CONSTRAINT ck_users_role {role_check}")
    op.create_index("uq_users_email", "users", ["email"], unique=True)
    op.create_table(
        "care_links",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["users.id"], name="fk_care_links_patient_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name="fk_care_links_clinician_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name="pk_care_links"),
    )
    op.create_index("ix_care_links_clinician", "care_links", ["clinician_id"])
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_auth_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_auth_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_auth_sessions_token_hash"),
    )
    op.create_index("ix_auth_sessions_user", "auth_sessions", ["user_id"])
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by"],
            ["users.id"],
            name="fk_account_tokens_issued_by_users",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_account_tokens_user_id_users", ondelete="CASCADE"
        ),
        _one_of("purpose", ("invite", "reset"), "ck_account_tokens_purpose"),
        sa.PrimaryKeyConstraint("id", name="pk_account_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_account_tokens_token_hash"),
    )
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_email_at", "login_failures", ["email", "at"])
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_email", sa.String(length=254), nullable=True),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("patient_email", sa.String(length=254), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=200), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_patient_at", "audit_log", ["patient_id", "at"])
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor_id", "at"])
    op.add_column("sessions", sa.Column("program_version_id", sa.Integer(), nullable=True))
    op.add_column("step_events", sa.Column("faults", JSON, nullable=True))
    _clinician_tables()


def _fk(column: str, table: str, ondelete: str, target: str = "users") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _clinician_tables() -> None:
    op.create_table(
        "clinician_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        _fk("patient_id", "clinician_notes", "CASCADE"),
        _fk("author_id", "clinician_notes", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_clinician_notes"),
    )
    op.create_index("ix_clinician_notes_patient_at", "clinician_notes", ["patient_id", "at"])
    op.create_table(
        "program_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("base_program_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("owner_id", "program_templates", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_program_templates"),
    )
    op.create_index("ix_program_templates_owner", "program_templates", ["owner_id"])
    op.create_table(
        "program_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), server_default="", nullable=False),
        sa.Column("definition", JSON, nullable=False),
        _fk("template_id", "program_versions", "CASCADE", "program_templates"),
        _fk("author_id", "program_versions", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_program_versions"),
        sa.UniqueConstraint("template_id", "number", name="uq_program_versions_template_number"),
    )
    op.create_table(
        "program_assignments",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTC_DATETIME, nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        _fk("patient_id", "program_assignments", "CASCADE"),
        _fk("template_id", "program_assignments", "CASCADE", "program_templates"),
        _fk("assigned_by", "program_assignments", "SET NULL"),
        sa.PrimaryKeyConstraint("patient_id", name="pk_program_assignments"),
    )
    op.create_index("ix_program_assignments_template", "program_assignments", ["template_id"])
    op.create_table(
        "clinic_exercises",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.String(length=64), nullable=False),
        sa.Column("definition", JSON, nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=True),
        sa.Column("image_type", sa.String(length=32), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        _fk("owner_id", "clinic_exercises", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_clinic_exercises"),
        sa.UniqueConstraint("exercise_id", name="uq_clinic_exercises_exercise_id"),
    )
    op.create_index("ix_clinic_exercises_owner", "clinic_exercises", ["owner_id"])
    op.create_table(
        "questionnaire_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=False),
        sa.Column("first_due", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        _fk("patient_id", "questionnaire_schedules", "CASCADE"),
        _fk("created_by", "questionnaire_schedules", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_questionnaire_schedules"),
        sa.UniqueConstraint("patient_id", "name", name="uq_questionnaire_schedules_patient_name"),
    )


def downgrade() -> None:
    for table in (
        "questionnaire_schedules",
        "clinic_exercises",
        "program_assignments",
        "program_versions",
        "program_templates",
        "clinician_notes",
    ):
        op.drop_table(table)
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("program_version_id")
    with op.batch_alter_table("step_events") as batch:
        batch.drop_column("faults")
    op.drop_table("audit_log")
    op.drop_table("login_failures")
    op.drop_table("account_tokens")
    op.drop_table("auth_sessions")
    op.drop_table("care_links")
    op.drop_index("uq_users_email", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
        batch.drop_column("password_hash")
        batch.drop_column("role")
        batch.drop_column("email")
