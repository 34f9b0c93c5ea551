"""``/api/v1/export`` and ``/api/v1/import``: all of your data, as a file."""

from __future__ import annotations

from dataclasses import asdict
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, UploadFile
from starlette.responses import Response

from backcoach.services.export import ImportFileError
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.transfer import export_csv_zip, export_filename, export_json, import_upload

router = APIRouter(tags=["export"])


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The export file (JSON, or a zip of CSV files)",
            "content": {"application/json": {}, "application/zip": {}},
        }
    },
)
def export(db: DbDep, user: UserDep, format: ExportFormat = ExportFormat.JSON) -> Response:
    """Download everything stored for you: JSON (lossless, re-importable) or CSV files in a zip."""
    if format is ExportFormat.CSV:
        body, media, ext = export_csv_zip(db, user_id=user.id), "application/zip", "zip"
    else:
        body, media, ext = export_json(db, user_id=user.id).encode(), "application/json", "json"
    disposition = f'attachment; filename="{export_filename(ext)}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.post("/import", responses={400: {"description": "Not a valid backcoach export"}})
async def import_file(
    db: DbDep, user: UserDep, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """Add the rows of a JSON export file; a malformed file writes nothing."""
    try:
        counts = await import_upload(db, user_id=user.id, upload=file)
    except ImportFileError as exc:
        raise HTTPException(400, str(exc)) from None
    return asdict(counts)
