"""Settings: the one place that reads the environment.

Every setting is a ``BACKCOACH_*`` environment variable. Pass a ``Settings``
into the parts that need it (``create_app``, ``make_engine``); use
``get_settings()`` only at the program's edges (CLI entry, server start).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from backcoach.i18n import DEFAULT_LANGUAGE, LANGUAGES, supported


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("backcoach", appauthor=False))


class Settings(BaseSettings):
    """backcoach settings, read from ``BACKCOACH_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="BACKCOACH_", extra="ignore")

    mode: Literal["local", "clinic"] = Field(
        default="local",
        description="`local`: one person on this computer, no sign-in, loopback only. "
        "`clinic`: accounts (admin, clinician, patient) with sign-in, for a practice's server.",
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder for the database, backups and exports "
        "(default: the platform's user data folder).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; default is SQLite "
        "`backcoach.db` inside the data folder. PostgreSQL: "
        "`postgresql+psycopg://user:pass@host/db`.",
    )
    time_scale: float = Field(
        default=1.0,
        gt=0,
        description="Speed-up factor for session timers (tests and demos only; 1 = real time).",
    )
    host: str = Field(default="127.0.0.1", description="Address `backcoach serve` binds to.")
    port: int = Field(
        default=8000, ge=1, le=65535, description="Port `backcoach serve` listens on."
    )

    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Extra host names (comma-separated, `name` or `name:port`) the web app "
        "answers to besides 127.0.0.1, localhost and [::1] on its own port; any other "
        "`Host` header is refused.",
    )

    db_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description="Database connections one server process keeps; as many requests use "
        "the database at once, each with a worker thread (the rest wait their turn).",
    )
    db_pool_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a request waits for its turn at the database before the server "
        "answers 503 'backcoach is busy, try again' instead of making it wait longer.",
    )

    lang: str | None = Field(
        default=None,
        description="Language (`en` or `de`): the CLI's, and the web app's when neither "
        "Settings nor the browser's Accept-Language picks one. Unset: the CLI follows the "
        "POSIX locale (LC_ALL, LC_MESSAGES, LANG), the web app the browser.",
    )

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        language = supported(value)
        if language is None:
            raise ValueError(f"backcoach speaks {', '.join(LANGUAGES)}, not {value!r}")
        return language

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def clinic(self) -> bool:
        """Clinic mode: accounts and sign-in."""
        return self.mode == "clinic"

    @property
    def default_language(self) -> str:
        """The web app's language when neither Settings nor the browser picks one."""
        return self.lang or DEFAULT_LANGUAGE

    @property
    def effective_database_url(self) -> str:
        """The database URL actually used: the configured one or SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'backcoach.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
