"""The store: SQLAlchemy tables, repository functions and migrations.

Repository functions take keyword-only arguments and only ``flush()``; the
caller (a service, a route, a command) owns the transaction and commits.
"""

from backcoach.store.accounts import (
    AccountToken,
    AuditEntry,
    AuthSession,
    CareLink,
    LoginFailure,
    TokenPurpose,
)
from backcoach.store.backup import backup_database, list_backups
from backcoach.store.checkins import add_checkin, list_checkins
from backcoach.store.clinic import (
    ClinicExercise,
    ClinicianNote,
    ProgramAssignment,
    ProgramTemplate,
    ProgramVersion,
    QuestionnaireSchedule,
)
from backcoach.store.db import (
    StoreError,
    backups_dir,
    check_sqlite_file,
    make_engine,
    purge_deleted_rows,
    session_factory,
)
from backcoach.store.desk_state import (
    desk_clock_origin,
    lock_desk_state,
    read_desk_state,
    save_desk_state,
)
from backcoach.store.habits import add_habit_log, list_habit_logs
from backcoach.store.migrate import (
    current_revision,
    head_revision,
    open_database,
    ready_engine,
    upgrade_database,
    upgrade_engine,
)
from backcoach.store.models import (
    Base,
    CheckIn,
    CheckinPhase,
    HabitLog,
    PainLocation,
    QuestionnaireResponse,
    Role,
    Screening,
    ScreeningOutcome,
    SessionStatus,
    StepEvent,
    StepSource,
    StepStatus,
    User,
    UserSetting,
    WorkoutSession,
)
from backcoach.store.questionnaires import (
    add_questionnaire_response,
    latest_questionnaire_response,
    list_questionnaire_responses,
)
from backcoach.store.screenings import add_screening, latest_screening, list_screenings
from backcoach.store.sessions import (
    add_session,
    delete_step_event,
    get_session,
    latest_in_progress,
    list_sessions,
    list_step_events,
    put_step_event,
    session_start_times,
)
from backcoach.store.user_settings import all_settings, get_setting, set_setting
from backcoach.store.users import LOCAL_USER_NAME, delete_user_data, get_user, local_user

__all__ = [
    "LOCAL_USER_NAME",
    "AccountToken",
    "AuditEntry",
    "AuthSession",
    "Base",
    "CareLink",
    "CheckIn",
    "CheckinPhase",
    "ClinicExercise",
    "ClinicianNote",
    "HabitLog",
    "LoginFailure",
    "PainLocation",
    "ProgramAssignment",
    "ProgramTemplate",
    "ProgramVersion",
    "QuestionnaireResponse",
    "QuestionnaireSchedule",
    "Role",
    "Screening",
    "ScreeningOutcome",
    "SessionStatus",
    "StepEvent",
    "StepSource",
    "StepStatus",
    "StoreError",
    "TokenPurpose",
    "User",
    "UserSetting",
    "WorkoutSession",
    "add_checkin",
    "add_habit_log",
    "add_questionnaire_response",
    "add_screening",
    "add_session",
    "all_settings",
    "backup_database",
    "backups_dir",
    "check_sqlite_file",
    "current_revision",
    "delete_step_event",
    "delete_user_data",
    "desk_clock_origin",
    "get_session",
    "get_setting",
    "get_user",
    "head_revision",
    "latest_in_progress",
    "latest_questionnaire_response",
    "latest_screening",
    "list_backups",
    "list_checkins",
    "list_habit_logs",
    "list_questionnaire_responses",
    "list_screenings",
    "list_sessions",
    "list_step_events",
    "local_user",
    "lock_desk_state",
    "make_engine",
    "open_database",
    "purge_deleted_rows",
    "put_step_event",
    "read_desk_state",
    "ready_engine",
    "save_desk_state",
    "session_factory",
    "session_start_times",
    "set_setting",
    "upgrade_database",
    "upgrade_engine",
]
