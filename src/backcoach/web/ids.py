"""Row ids in paths: whole numbers the database's ``INTEGER`` columns can hold.

A larger number (or 0) is refused as a bad path (404 for pages, 422 for the API)
before any query, instead of failing inside the database.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

#: The largest value of a 32-bit signed INTEGER column (PostgreSQL's ``integer``).
MAX_ROW_ID = 2**31 - 1

RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
