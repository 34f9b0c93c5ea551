"""The README documents every setting and every CLI command (kept true by these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer.main

from backcoach.cli import app
from backcoach.config import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def settings_table() -> str:
    """The configuration table as the README must show it."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = "platform user data dir" if field.default_factory else repr(field.default)
        rows.append(f"| `BACKCOACH_{name.upper()}` | {default} | {field.description} |")
    return "\n".join(rows)


def test_readme_configuration_table_matches_settings() -> None:
    assert settings_table() in README, "README's table is stale; expected:\n" + settings_table()


def _command_names() -> list[str]:
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    return sorted(commands)


@pytest.mark.parametrize("command", _command_names())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"backcoach {command}" in README


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```", 2)[1]
    assert "make run" in first_block
    assert "make test" in first_block
