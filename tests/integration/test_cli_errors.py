"""A ``BackcoachError`` anywhere below the CLI is a message on stderr and its exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.errors import UsageError

runner = CliRunner()


def test_an_error_in_a_command_is_a_message_and_its_exit_code() -> None:
    result = runner.invoke(app, ["show", "no-such-exercise"])
    assert result.exit_code == UsageError.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: unknown exercise 'no-such-exercise'")
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_an_error_in_a_sub_command_group_is_handled_the_same_way(tmp_path: Path) -> None:
    # `backcoach db ...` is a nested Typer app; its errors reach the same handler.
    missing = tmp_path / "no-such-folder"
    result = runner.invoke(app, ["db", "backup", f"{missing}/"])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.split())  # Rich wraps long lines
    assert message.startswith(f"Error: The folder {missing} does not exist")
    assert not missing.exists()


def test_without_standalone_mode_the_exit_code_is_returned() -> None:
    command = typer.main.get_command(app)
    assert command.main(["show", "no-such-exercise"], standalone_mode=False) == 2


def test_a_successful_command_is_untouched() -> None:
    command = typer.main.get_command(app)
    with pytest.raises(SystemExit) as exited:
        command.main(["exercises", "--json"], prog_name="backcoach")
    assert exited.value.code == 0
