"""Export and import as files: the one transaction both the web app and the CLI use."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from sqlalchemy.orm import Session

from backcoach.services.export import (
    ImportResult,
    csv_files,
    decode_export,
    dump_json,
    export_tables,
    import_document,
)


def export_json(db: Session, *, user_id: int) -> str:
    return dump_json(export_tables(db, user_id=user_id))


def export_csv_zip(db: Session, *, user_id: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in csv_files(export_tables(db, user_id=user_id)):
            archive.writestr(name, text)
    return buffer.getvalue()


def export_filename(extension: str) -> str:
    return f"backcoach-export-{datetime.now().strftime('%Y%m%d-%H%M%S')}.{extension}"


def import_file(db: Session, *, user_id: int, name: str, data: bytes) -> ImportResult:
    """Check an export file completely, then add what is new in one transaction. Commits.

    Raises:
        ImportFileError: the file is not text or not a valid export; nothing was written.
    """
    document = decode_export(data, source=name)
    try:
        result = import_document(db, user_id=user_id, document=document)
        db.commit()
    except Exception:
        db.rollback()
        raise
    return result
