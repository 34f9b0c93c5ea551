"""``/api/v1/export`` and ``/api/v1/import``: all of your data, as a file."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from starlette.responses import Response

from backcoach.services.export import ImportFileError
from backcoach.services.fhir_export import FHIR_LANGUAGE, fhir_json
from backcoach.services.transfer import export_csv_zip, export_filename, export_json
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.state import app_state
from backcoach.web.uploads import IMPORT_REQUEST_BODY, ImportTooLarge, import_upload

router = APIRouter(tags=["export"])


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    FHIR = "fhir"


FHIR_JSON = "application/fhir+json"


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "The export file (JSON, a zip of CSV files, or a FHIR R4 Bundle)",
            "content": {"application/json": {}, "application/zip": {}, FHIR_JSON: {}},
        }
    },
)
def export(
    request: Request, db: DbDep, user: UserDep, format: ExportFormat = ExportFormat.JSON
) -> Response:
    """Download everything stored for you: JSON (lossless, re-importable), CSV files in a
    zip, or ``fhir``: a FHIR R4 Bundle (type collection) for a clinic's records, with
    a pseudonymous Patient, pain check-ins, questionnaires, the program and sessions."""
    if format is ExportFormat.CSV:
        body, media, ext = export_csv_zip(db, user_id=user.id), "application/zip", "zip"
    elif format is ExportFormat.FHIR:
        catalog = app_state(request.app).catalogs[FHIR_LANGUAGE]
        text = fhir_json(db, user_id=user.id, now=datetime.now(UTC), catalog=catalog)
        body, media, ext = text.encode(), FHIR_JSON, "fhir.json"
    else:
        body, media, ext = export_json(db, user_id=user.id).encode(), "application/json", "json"
    disposition = f'attachment; filename="{export_filename(ext)}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.post(
    "/import",
    openapi_extra={"requestBody": IMPORT_REQUEST_BODY},
    responses={
        400: {"description": "Not a valid backcoach export (nothing was imported)"},
        413: {"description": "The file is over the size limit (nothing was imported)"},
    },
)
async def import_file(request: Request, db: DbDep, user: UserDep) -> dict[str, Any]:
    """Add the rows of a JSON export file (multipart field ``file``) that are not stored yet.

    A file that fails any check writes nothing. Rows already stored (the same
    session start, check-in time ...) are left as they are, so importing a file
    twice adds nothing the second time. The table counts are the rows added;
    ``already_stored`` has the rows skipped, ``message`` says it in words.
    """
    try:
        name, result = await import_upload(db, user_id=user.id, request=request)
    except ImportTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    except ImportFileError as exc:
        raise HTTPException(400, str(exc)) from None
    return {
        **asdict(result.added),
        "already_stored": asdict(result.already_stored),
        "nothing_new": result.nothing_new,
        "message": result.message(name),
    }
