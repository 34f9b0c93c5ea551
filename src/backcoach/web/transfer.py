"""Export downloads and import uploads, on top of ``services.export``."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from fastapi import UploadFile
from sqlalchemy.orm import Session

from backcoach.services.export import (
    ImportCounts,
    ImportFileError,
    csv_files,
    dump_json,
    export_tables,
    import_document,
    parse_export,
)

MAX_IMPORT_BYTES = 50 * 1024 * 1024


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


async def import_upload(db: Session, *, user_id: int, upload: UploadFile) -> ImportCounts:
    """Check and import an uploaded export file in one transaction (nothing written on error).

    Raises:
        ImportFileError: the file is too big, not text, or not a valid export.
    """
    name = upload.filename or "the uploaded file"
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{name} is larger than 50 MB; nothing was imported.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{name} is not a text file (UTF-8 JSON expected); nothing was imported."
        ) from None
    document = parse_export(text, source=name)
    try:
        counts = import_document(db, user_id=user_id, document=document)
        db.commit()
    except Exception:
        db.rollback()
        raise
    return counts
