"""Reading PDFs back in tests: poppler's tools (``pdfinfo``, ``pdftotext``, ``pdftoppm``)
and the language the document declares."""

from __future__ import annotations

import re
import subprocess
import tempfile
import zlib
from pathlib import Path

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def _run(*args: str, data: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        done = subprocess.run([*args, str(path), "-"], capture_output=True, check=True, timeout=60)
        return done.stdout.decode()


def pdf_info(data: bytes) -> dict[str, str]:
    """``pdfinfo``'s fields (it fails on a file that is no valid PDF)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        done = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60)
    fields = (line.split(":", 1) for line in done.stdout.decode().splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in fields}


def pdf_text(data: bytes) -> str:
    """The text of every page, laid out as on the page (``pdftotext -layout``)."""
    return _run("pdftotext", "-layout", data=data)


def pdf_language(data: bytes) -> str | None:
    """The document's declared language (the catalog's ``/Lang``), compressed or not."""
    chunks = [data]
    for raw in _STREAM.findall(data):
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"/Lang\s*\(([^)]*)\)", chunk)
        if found:
            return found.group(1).decode()
    return None


def first_page_png(data: bytes, folder: Path, *, dpi: int = 60) -> Path:
    """Page 1 rendered to a PNG in ``folder`` (to look at, and to check it renders)."""
    source = folder / "document.pdf"
    source.write_bytes(data)
    target = folder / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(target),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target.with_suffix(".png")
