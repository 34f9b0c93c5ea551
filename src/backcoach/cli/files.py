"""Files the commands write (exports, reports, handouts): checked before any work,
written whole or not at all, readable by their owner only."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from backcoach.errors import UsageError
from backcoach.i18n import N_, _

#: What went wrong with a file, in words (the system's own ``strerror`` is English).
_OS_REASONS = {
    errno.ENOENT: N_("No such file or directory"),
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EROFS: N_("Read-only file system"),
}


def os_reason(exc: OSError) -> str:
    """Why a file could not be read or written, in the CLI's language."""
    known = _OS_REASONS.get(exc.errno or 0)
    return _(known) if known is not None else str(exc.strerror or exc)


def output_path(raw: str) -> Path:
    """``raw`` as a path; one written as a folder (``out/``) must be an existing folder.

    Without this, ``out/`` for a folder that does not exist would become a
    file called ``out``.
    """
    path = Path(raw)
    if raw.endswith(("/", os.sep)) and not path.is_dir():
        raise UsageError(
            _("The folder {path} does not exist; create it first (nothing was written).").format(
                path=path
            )
        )
    return path


def check_output_file(path: Path) -> None:
    """Refuse, before any work, an output that is a folder or lies in a missing folder."""
    if path.is_dir():
        raise UsageError(
            _("{path} is a folder; give a file name, for example {example}.").format(
                path=path, example=path / "backcoach-export.json"
            )
        )
    if not path.parent.is_dir():
        raise UsageError(
            _(
                "The folder {path} does not exist; create it first or choose another "
                "path (nothing was written)."
            ).format(path=path.parent)
        )


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only (mkstemp makes it 0600)."""
    check_output_file(path)
    try:
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as exc:
        raise UsageError(_cannot_write(path, exc)) from exc
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        Path(partial).replace(path)
    except OSError as exc:
        Path(partial).unlink(missing_ok=True)
        raise UsageError(_cannot_write(path, exc)) from exc
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _cannot_write(path: Path, exc: OSError) -> str:
    return _("Cannot write {path}: {reason} (nothing was written).").format(
        path=path, reason=os_reason(exc)
    )


def new_output_file(raw: str, *, force: bool) -> Path:
    """``raw`` as a file to write: checked like ``check_output_file``, and one that exists
    is refused unless ``force`` (then it is replaced)."""
    path = output_path(raw)
    check_output_file(path)
    if path.exists() and not force:
        raise UsageError(
            _(
                "{path} already exists; choose another name or add --force to replace it "
                "(nothing was written)."
            ).format(path=path)
        )
    return path
