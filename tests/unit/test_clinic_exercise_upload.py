"""A too-large picture upload is refused while it streams: never held, never read to the end."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.requests import Request
from starlette.types import Message

from backcoach.services.clinic_images import MAX_IMAGE_BYTES, ImageTooLarge
from backcoach.web.image_upload import DISCARD_AT_MOST, read_image_body, read_image_form

CHUNK = 64 * 1024
ENDLESS = 200 * 1024 * 1024  # what the client would send


@dataclass
class Sender:
    """An ASGI receive() that offers ``total`` bytes in chunks and counts what was taken."""

    total: int
    head: bytes = b""
    sent: int = 0

    async def __call__(self) -> Message:
        size = min(CHUNK, self.total - self.sent)
        chunk = self.head + bytes(size - len(self.head)) if self.sent == 0 else bytes(size)
        self.sent += size
        return {"type": "http.request", "body": chunk, "more_body": self.sent < self.total}


def run(coroutine: Coroutine[Any, Any, object]) -> None:
    """Run ``coroutine`` in a thread of its own: in a full test run the browser tests'
    Playwright keeps an event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def request(sender: Sender, headers: dict[str, str]) -> Request:
    scope = {
        "type": "http",
        "method": "PUT",
        "path": "/",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    return Request(scope, sender)


@pytest.mark.parametrize(
    "headers",
    [{}, {"content-length": str(ENDLESS)}],
    ids=["streamed", "declared"],
)
def test_an_endless_body_is_refused_after_a_bounded_read(headers: dict[str, str]) -> None:
    sender = Sender(ENDLESS)
    with pytest.raises(ImageTooLarge):
        run(read_image_body(request(sender, headers)))
    assert sender.sent <= MAX_IMAGE_BYTES + DISCARD_AT_MOST + 2 * CHUNK
    assert sender.sent < ENDLESS


def test_an_endless_form_upload_is_refused_after_a_bounded_read() -> None:
    head = (
        b"--xyz\r\n"
        b'Content-Disposition: form-data; name="image"; filename="big.png"\r\n'
        b"Content-Type: image/png\r\n\r\n"
    )
    sender = Sender(ENDLESS, head)
    headers = {"content-type": "multipart/form-data; boundary=xyz"}
    with pytest.raises(ImageTooLarge):
        run(read_image_form(request(sender, headers)))
    assert sender.sent < ENDLESS
