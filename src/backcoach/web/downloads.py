"""Files the pages hand over to save, such as a progress report, and the report's period."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from starlette.responses import Response

#: ``?from=YYYY-MM-DD&to=YYYY-MM-DD``, as the report form sends them (default: the last 4 weeks).
ReportFrom = Annotated[str | None, Query(alias="from", max_length=32)]
ReportTo = Annotated[str | None, Query(alias="to", max_length=32)]


def pdf_attachment(data: bytes, filename: str) -> Response:
    """``data`` as a PDF the browser saves as ``filename`` (a plain ASCII name)."""
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
