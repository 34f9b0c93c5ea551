"""`backcoach export` and `backcoach db backup` with awkward paths: a plain message, no traceback.

Each refusal must say what is wrong on stderr, exit non-zero and write nothing.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from backcoach.cli import app
from backcoach.config import Settings

runner = CliRunner()


def said(result: Result) -> str:
    """stderr without Rich's line wrapping."""
    return " ".join(result.stderr.split())


def refused(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = said(result)
    assert text.startswith("Error: ")
    for fragment in fragments:
        assert fragment in text, text


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Path:
    """An empty working folder as the current directory, next to an upgraded database."""
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_export_to_an_existing_folder_is_refused(work: Path) -> None:
    (work / "out").mkdir()
    for fmt in ("json", "csv"):
        result = runner.invoke(app, ["export", "--format", fmt, "-o", "out"])
        refused(result, "out is a folder; give a file name")
    assert files_in(work) == ["out"]


def test_export_into_a_missing_folder_is_refused(work: Path) -> None:
    refused(
        runner.invoke(app, ["export", "-o", "missing/x.json"]), "The folder missing does not exist"
    )
    refused(runner.invoke(app, ["export", "-o", "missing/"]), "The folder missing does not exist")
    assert files_in(work) == []


def test_export_to_a_file_is_private_and_replaces_atomically(work: Path) -> None:
    with_umask = os.umask(0o022)
    try:
        (work / "old.json").write_text("old")
        result = runner.invoke(app, ["export", "-o", "old.json"])
        written = runner.invoke(app, ["export", "--format", "csv", "-o", "new.zip"])
    finally:
        os.umask(with_umask)
    assert result.exit_code == 0, result.output
    assert written.exit_code == 0, written.output
    assert json.loads((work / "old.json").read_text())["tables"]["sessions"] == []
    assert stat.S_IMODE((work / "old.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((work / "new.zip").stat().st_mode) == 0o600
    assert files_in(work) == ["new.zip", "old.json"]


def test_backup_into_a_missing_folder_is_refused(work: Path) -> None:
    refused(
        runner.invoke(app, ["db", "backup", "missing/x.db"]),
        "The folder missing does not exist",
        "nothing was written",
    )
    refused(runner.invoke(app, ["db", "backup", "missing/"]), "The folder missing does not exist")
    assert files_in(work) == []


def test_backup_into_an_existing_folder_names_the_file(work: Path) -> None:
    (work / "copies").mkdir()
    result = runner.invoke(app, ["db", "backup", "copies/"])
    assert result.exit_code == 0, result.output
    [copy] = (work / "copies").iterdir()
    assert copy.name.startswith("backcoach-") and copy.suffix == ".db"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_the_installed_command_prints_no_traceback(work: Path, settings: Settings) -> None:
    """The same refusal through the real console script, as a person sees it."""
    (work / "out").mkdir()
    script = Path(sys.executable).with_name("backcoach")
    env = {**os.environ, "BACKCOACH_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run(
        [str(script), "export", "-o", "out"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert "out is a folder; give a file name" in " ".join(done.stderr.split())
