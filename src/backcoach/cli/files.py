"""Files the commands write (exports, reports, handouts): checked before any work,
written whole or not at all, readable by their owner only."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from backcoach.errors import UsageError


def output_path(raw: str) -> Path:
    """``raw`` as a path; one written as a folder (``out/``) must be an existing folder.

    Without this, ``out/`` for a folder that does not exist would become a
    file called ``out``.
    """
    path = Path(raw)
    if raw.endswith(("/", os.sep)) and not path.is_dir():
        raise UsageError(
            f"The folder {path} does not exist; create it first (nothing was written)."
        )
    return path


def check_output_file(path: Path) -> None:
    """Refuse, before any work, an output that is a folder or lies in a missing folder."""
    if path.is_dir():
        raise UsageError(
            f"{path} is a folder; give a file name, for example {path / 'backcoach-export.json'}."
        )
    if not path.parent.is_dir():
        raise UsageError(
            f"The folder {path.parent} does not exist; create it first or choose another "
            "path (nothing was written)."
        )


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only (mkstemp makes it 0600)."""
    check_output_file(path)
    try:
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise UsageError(f"Cannot write {path}: {exc.strerror} (nothing was written).") from exc
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        Path(partial).replace(path)
    except OSError as exc:
        Path(partial).unlink(missing_ok=True)
        raise UsageError(f"Cannot write {path}: {exc.strerror} (nothing was written).") from exc
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def new_output_file(raw: str, *, force: bool) -> Path:
    """``raw`` as a file to write: checked like ``check_output_file``, and one that exists
    is refused unless ``force`` (then it is replaced)."""
    path = output_path(raw)
    check_output_file(path)
    if path.exists() and not force:
        raise UsageError(
            f"{path} already exists; choose another name or add --force to replace it "
            "(nothing was written)."
        )
    return path
