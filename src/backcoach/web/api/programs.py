"""``/api/v1/programs``: the programs and their lengths."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from backcoach.content import Program
from backcoach.i18n import _
from backcoach.web.deps import CatalogDep

router = APIRouter(prefix="/programs", tags=["programs"])


@router.get("")
def list_programs(catalog: CatalogDep) -> list[Program]:
    """Every program with its short and full lengths."""
    return list(catalog.programs.values())


@router.get("/{program_id}", responses={404: {"description": "No program with this id"}})
def get_program(program_id: str, catalog: CatalogDep) -> Program:
    """One program."""
    try:
        return catalog.program(program_id)
    except KeyError:
        message = _("No program with id '{id}'.").format(id=program_id)
        raise HTTPException(404, message) from None
