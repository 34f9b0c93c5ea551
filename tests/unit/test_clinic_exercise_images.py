"""Pictures for clinic exercises: the type from the bytes, the size from the header."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from backcoach.services.clinic_images import (
    JPEG,
    MAX_IMAGE_BYTES,
    MAX_SIDE,
    PNG,
    WEBP,
    ImageInfo,
    ImageRefused,
    ImageTooLarge,
    check_image,
)


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bytes(width: int = 32, height: int = 24) -> bytes:
    """A real (tiny, grey) PNG made by hand: signature, IHDR, IDAT, IEND."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def pillow_bytes(kind: str, width: int, height: int, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 90)).save(buffer, format=kind, **options)
    return buffer.getvalue()


def test_a_hand_made_png_is_what_pillow_reads() -> None:
    data = png_bytes(40, 30)
    assert check_image(data) == ImageInfo(PNG, 40, 30)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (40, 30)


@pytest.mark.parametrize(
    ("kind", "options", "media_type"),
    [
        ("JPEG", {}, JPEG),
        ("JPEG", {"progressive": True}, JPEG),
        ("WEBP", {"lossless": False}, WEBP),
        ("WEBP", {"lossless": True}, WEBP),
        ("PNG", {}, PNG),
    ],
)
def test_real_pictures_are_read_with_their_size(
    kind: str, options: dict[str, object], media_type: str
) -> None:
    data = pillow_bytes(kind, 123, 45, **options)
    assert check_image(data) == ImageInfo(media_type, 123, 45)


def test_a_jpeg_with_exif_before_its_frame_header() -> None:
    exif = Image.Exif()
    exif[0x010E] = "a back exercise"  # ImageDescription: an APP1 segment before the frame
    data = pillow_bytes("JPEG", 64, 48, exif=exif.tobytes())
    assert check_image(data) == ImageInfo(JPEG, 64, 48)


@pytest.mark.parametrize(
    "data",
    [
        b"this is a text file called picture.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"GIF89a" + bytes(40),
        b"",
        b"\x89PNG\r\n\x1a\n",  # a signature and nothing after
        b"\xff\xd8\xff\xe0\x00\x02\xff\xda",  # a JPEG with picture data before any frame
        b"RIFF\x00\x00\x00\x00WEBPVP8 " + bytes(20),  # a WebP without its start code
    ],
    ids=["text", "svg", "gif", "empty", "png-signature-only", "jpeg-no-frame", "webp-broken"],
)
def test_anything_else_is_refused_by_its_bytes(data: bytes) -> None:
    with pytest.raises(ImageRefused, match="not a PNG, JPEG or WebP"):
        check_image(data)


def test_a_refusal_is_an_unsupported_media_type_and_too_large_a_413() -> None:
    assert ImageRefused.http_status == 415
    assert ImageTooLarge.http_status == 413


def test_more_than_the_limit_is_too_large() -> None:
    data = png_bytes() + bytes(MAX_IMAGE_BYTES)
    with pytest.raises(ImageTooLarge, match="larger than 2 MB"):
        check_image(data)


@pytest.mark.parametrize(("width", "height"), [(8, 100), (100, 8), (MAX_SIDE + 1, 100)])
def test_sizes_in_pixels_out_of_range_are_refused(width: int, height: int) -> None:
    with pytest.raises(ImageRefused, match=f"{width} x {height} pixels"):
        check_image(png_bytes(width, height))


def test_an_extended_webp_with_transparency() -> None:
    buffer = io.BytesIO()
    Image.new("RGBA", (70, 20), (0, 0, 0, 0)).save(buffer, format="WEBP", lossless=False)
    data = buffer.getvalue()
    assert data[12:16] == b"VP8X"
    assert check_image(data) == ImageInfo(WEBP, 70, 20)
