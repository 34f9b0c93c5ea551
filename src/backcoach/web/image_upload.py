"""Reading a clinic exercise's picture from the request, capped while it streams.

As with the import upload (``web.uploads``): a declared ``Content-Length`` over
the limit is refused before reading, and the body is counted as it streams in,
so no more than ``MAX_IMAGE_BYTES`` (plus a form's own headers) is ever held;
the rest of a refused upload is read and dropped only up to ``DISCARD_AT_MOST``.
The API takes the picture as the request body; the page's form sends it as a
multipart upload in the field ``image`` (its CSRF token is in the action URL, so
nothing parses the body before this).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import suppress
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import ClientDisconnect, Request

from backcoach.i18n import N_, _
from backcoach.services.clinic_images import (
    IMAGE_TYPES,
    MAX_IMAGE_BYTES,
    ImageRefused,
    ImageTooLarge,
    too_large_message,
)

IMAGE_FIELD = "image"
CHOOSE_A_PICTURE = N_("Choose a picture file to upload.")
FORM_OVERHEAD = 16 * 1024  # boundaries and part headers around the file
#: How much of a too-large upload is read (and dropped) so the client gets the 413
#: answer; a client sending more than that sees the connection close instead.
DISCARD_AT_MOST = 8 * 1024 * 1024

#: The OpenAPI description of the API's picture upload (the route reads the body itself).
IMAGE_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        media_type: {
            "schema": {
                "type": "string",
                "format": "binary",
                "description": f"The picture, at most {MAX_IMAGE_BYTES} bytes",
            }
        }
        for media_type in IMAGE_TYPES
    },
}


class _BodyTooLarge(Exception):
    pass


async def _capped(stream: AsyncIterator[bytes], limit: int) -> AsyncGenerator[bytes, None]:
    total = 0
    async for chunk in stream:
        total += len(chunk)
        if total > limit:
            raise _BodyTooLarge
        yield chunk


async def _discard(stream: AsyncIterator[bytes]) -> None:
    """Read the rest of the request without keeping it, so the client gets the answer
    (a client still sending when the server answers sees a broken connection), but
    never more than ``DISCARD_AT_MOST``."""
    dropped = 0
    with suppress(ClientDisconnect):
        async for chunk in stream:
            dropped += len(chunk)
            if dropped > DISCARD_AT_MOST:
                return


async def _refuse_declared_size(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdecimal() and int(declared) > limit:
        await _discard(request.stream())
        raise ImageTooLarge(too_large_message())


async def read_image_body(request: Request) -> bytes:
    """The request body (the picture itself), at most ``MAX_IMAGE_BYTES``.

    Raises:
        ImageTooLarge: the body is over the limit (nothing past it was kept).
    """
    await _refuse_declared_size(request, MAX_IMAGE_BYTES)
    stream = request.stream()
    data = bytearray()
    try:
        async for chunk in _capped(stream, MAX_IMAGE_BYTES):
            data += chunk
    except _BodyTooLarge:
        await _discard(stream)
        raise ImageTooLarge(too_large_message()) from None
    return bytes(data)


async def read_image_form(request: Request) -> bytes:
    """The file in the multipart field ``image``, at most ``MAX_IMAGE_BYTES``.

    Raises:
        ImageTooLarge: the file (or the request) is over the limit.
        ImageRefused: the request is not a multipart form with a file in it.
    """
    limit = MAX_IMAGE_BYTES + FORM_OVERHEAD
    await _refuse_declared_size(request, limit)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise ImageRefused(_(CHOOSE_A_PICTURE))
    stream = request.stream()
    parser = MultiPartParser(request.headers, _capped(stream, limit), max_files=1, max_fields=5)
    try:
        form = await parser.parse()
    except _BodyTooLarge:
        await _discard(stream)
        raise ImageTooLarge(too_large_message()) from None
    except MultiPartException:
        raise ImageRefused(_("The upload could not be read; choose the picture again.")) from None
    try:
        upload = form.get(IMAGE_FIELD)
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ImageRefused(_(CHOOSE_A_PICTURE))
        data = await upload.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise ImageTooLarge(too_large_message())
        return data
    finally:
        await form.close()
