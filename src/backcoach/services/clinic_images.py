"""Pictures a clinician uploads for their own exercises: what is accepted, read from the bytes.

Rule, in plain words: a picture is a PNG, JPEG or WebP file of at most
``MAX_IMAGE_BYTES``, from ``MIN_SIDE`` to ``MAX_SIDE`` pixels on each side. The
type comes from the file's first bytes (its "magic"), never from its name or the
type the browser claims, so a renamed file is refused; SVG (a document that can
carry scripts) is never accepted. The size in pixels is read from the header
alone, without decoding the picture, so no image library is needed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from backcoach.errors import BackcoachError
from backcoach.i18n import N_, _

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MIN_SIDE = 16
MAX_SIDE = 6000

PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
IMAGE_TYPES = (PNG, JPEG, WEBP)

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (they carry the size); C4, C8 and CC are other tables.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# JPEG markers with no length after them.
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})

NOT_A_PICTURE = N_(
    "That file is not a PNG, JPEG or WebP picture (checked from its contents, not its "
    "name). Save the picture as one of those and upload it again."
)


class ImageRefused(BackcoachError):
    """The upload is not an accepted picture; the message says why in plain words."""

    http_status = 415


class ImageTooLarge(ImageRefused):
    """The upload is over ``MAX_IMAGE_BYTES`` (nothing past the limit was read)."""

    http_status = 413


def too_large_message() -> str:
    return _("The picture is larger than {mb} MB: make it smaller.").format(
        mb=MAX_IMAGE_BYTES // (1024 * 1024)
    )


@dataclass(frozen=True)
class ImageInfo:
    media_type: str
    width: int
    height: int


def check_image(data: bytes) -> ImageInfo:
    """The picture's type and size in pixels, if it is one backcoach accepts.

    Raises:
        ImageTooLarge: more than ``MAX_IMAGE_BYTES``.
        ImageRefused: not a PNG, JPEG or WebP (by its bytes), a broken header, or a
            size in pixels out of range.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageTooLarge(too_large_message())
    info = _sniff(data)
    if info is None:
        raise ImageRefused(_(NOT_A_PICTURE))
    if not (MIN_SIDE <= info.width <= MAX_SIDE and MIN_SIDE <= info.height <= MAX_SIDE):
        raise ImageRefused(
            _(
                "The picture is {width} x {height} pixels; use one from "
                "{least} to {most} pixels on each side."
            ).format(width=info.width, height=info.height, least=MIN_SIDE, most=MAX_SIDE)
        )
    return info


def _sniff(data: bytes) -> ImageInfo | None:
    if data.startswith(_PNG_MAGIC):
        return _png(data)
    if data.startswith(b"\xff\xd8\xff"):
        return _jpeg(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp(data)
    return None


def _png(data: bytes) -> ImageInfo | None:
    # The first chunk is always IHDR: length (4), type (4), width (4), height (4).
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return ImageInfo(PNG, width, height)


def _jpeg(data: bytes) -> ImageInfo | None:
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in _JPEG_STANDALONE:
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or the picture data before any frame header
            return None
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _JPEG_SOF:
            if length < 7 or i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return ImageInfo(JPEG, width, height)
        if length < 2:
            return None
        i += 2 + length
    return None


def _webp(data: bytes) -> ImageInfo | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo(WEBP, width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return ImageInfo(WEBP, (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return ImageInfo(WEBP, width, height)
    return None
