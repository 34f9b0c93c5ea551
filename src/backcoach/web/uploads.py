"""Reading an import upload from the request, capped while it streams.

An upload is read by hand rather than by FastAPI's ``File()``: that would
spool the whole request to a temporary file before the route runs, however
big it is. Here a declared ``Content-Length`` over the limit is refused
before reading, and the body is counted while it streams in: the multipart
parser never sees more than the limit (plus room for the form's own
headers), so neither memory nor disk holds more than that. Nothing reads the
body before (the page form's CSRF token travels in its action URL).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from backcoach.i18n import _
from backcoach.services.export import (
    MAX_IMPORT_BYTES,
    ImportFileError,
    ImportResult,
    too_large_message,
)
from backcoach.services.transfer import import_file

UPLOAD_FIELD = "file"
FORM_OVERHEAD = 64 * 1024  # boundaries and part headers around the file
READ_CHUNK = 2**20
# The OpenAPI description of an import upload (the route reads the body itself).
IMPORT_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": [UPLOAD_FIELD],
                "properties": {
                    UPLOAD_FIELD: {
                        "type": "string",
                        "format": "binary",
                        "description": f"A JSON export file, at most {MAX_IMPORT_BYTES} bytes",
                    }
                },
            }
        }
    },
}


class ImportTooLarge(ImportFileError):
    """The upload is over ``MAX_IMPORT_BYTES``; nothing was read past the limit."""


class _BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise _BodyTooLarge
        yield chunk


async def _discard(stream: AsyncIterator[bytes]) -> None:
    """Read the rest of the request without keeping it, so the client gets the answer
    (a client still sending when the server closes sees a broken connection instead)."""
    with suppress(ClientDisconnect):  # nobody left to answer
        async for _ in stream:
            pass


async def _receive_form(request: Request) -> FormData:
    limit = MAX_IMPORT_BYTES + FORM_OVERHEAD
    stream = request.stream()
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        await _discard(stream)
        raise ImportTooLarge(too_large_message(_("The file")))
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ImportFileError(
            _(
                "Send the export file as a multipart form upload in the field '{field}'; "
                "nothing was imported."
            ).format(field=UPLOAD_FIELD)
        )
    parser = MultiPartParser(request.headers, _capped(stream, limit), max_files=1, max_fields=20)
    try:
        return await parser.parse()
    except _BodyTooLarge:
        await _discard(stream)
        raise ImportTooLarge(too_large_message(_("The file"))) from None
    except MultiPartException as exc:
        message = _("The upload could not be read ({reason}); nothing was imported.").format(
            reason=exc
        )
        raise ImportFileError(message) from None


async def read_upload(request: Request) -> Upload:
    """The file in the multipart field ``file``, read with the size limit.

    Raises:
        ImportTooLarge: the file (or the request) is over ``MAX_IMPORT_BYTES``.
        ImportFileError: the request is not a multipart form with a file.
    """
    form = await _receive_form(request)
    try:
        upload = form.get(UPLOAD_FIELD)
        if not isinstance(upload, UploadFile):
            raise ImportFileError(
                _(
                    "No file was sent (expected one in the field '{field}'); nothing was imported."
                ).format(field=UPLOAD_FIELD)
            )
        name = upload.filename or _("the uploaded file")
        data = bytearray()
        while len(data) <= MAX_IMPORT_BYTES:
            chunk = await upload.read(min(READ_CHUNK, MAX_IMPORT_BYTES + 1 - len(data)))
            if not chunk:
                break
            data += chunk
        if len(data) > MAX_IMPORT_BYTES:
            raise ImportTooLarge(too_large_message(name))
        return Upload(name=name, data=bytes(data))
    finally:
        await form.close()


async def import_upload(db: Session, *, user_id: int, request: Request) -> tuple[str, ImportResult]:
    """Check and import the uploaded export file in one transaction (nothing written on error).

    Returns:
        The file's name and what was imported.

    Raises:
        ImportFileError: the upload is too big, not text, or not a valid export.
    """
    upload = await read_upload(request)
    result = await run_in_threadpool(
        lambda: import_file(db, user_id=user_id, name=upload.name, data=upload.data)
    )
    return upload.name, result
