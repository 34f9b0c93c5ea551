"""``/questionnaires``: the outcome questionnaires (pain and function, PSFS, STarT Back).

Validation and scoring are ``coach/questionnaires.py``'s; storing is
``services.checkins.save_questionnaire``. The scores appear on the History page.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from backcoach.coach.questionnaires import (
    QUESTIONNAIRES,
    AnswerError,
    ItemKind,
    Questionnaire,
)
from backcoach.services.checkins import questionnaire_due, save_questionnaire
from backcoach.web.dates import local_today, local_tz
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.player import SessionClock
from backcoach.web.templating import render

router = APIRouter(prefix="/questionnaires", tags=["pages"], include_in_schema=False)


def _questionnaire(name: str) -> Questionnaire:
    try:
        return QUESTIONNAIRES[name]
    except KeyError:
        raise HTTPException(404, f"There is no questionnaire called '{name}'.") from None


@router.get("")
def index(request: Request, db: DbDep, user: UserDep) -> Response:
    due = {
        name: questionnaire_due(db, user_id=user.id, name=name, today=local_today(), tz=local_tz())
        for name, q in QUESTIONNAIRES.items()
        if q.interval_days is not None
    }
    context = {"questionnaires": list(QUESTIONNAIRES.values()), "due": due}
    return render(request, "questionnaires/index.html", context)


@router.get("/{name}")
def form(request: Request, name: str) -> Response:
    questionnaire = _questionnaire(name)
    return render(request, "questionnaires/form.html", {"q": questionnaire, "answers": {}})


def _answers(questionnaire: Questionnaire, form: FormData) -> dict[str, int | str | None]:
    """Form values as the scorer wants them: whole numbers, text, or None when left empty."""
    answers: dict[str, int | str | None] = {}
    for item in questionnaire.items:
        raw = form.get(item.id)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            answers[item.id] = None
        elif item.kind is ItemKind.TEXT:
            answers[item.id] = value[:200]
        else:
            # not a number: left as text, and the scorer names the item in its message
            answers[item.id] = int(value) if value.isdigit() else value
    return answers


@router.post("/{name}")
async def submit(request: Request, name: str, db: DbDep, user: UserDep) -> Response:
    questionnaire = _questionnaire(name)
    answers = _answers(questionnaire, await request.form())
    try:
        save_questionnaire(
            db, user_id=user.id, name=questionnaire.id, answers=answers, now=SessionClock.wall()
        )
    except AnswerError as exc:
        context = {
            "q": questionnaire,
            "answers": {k: str(v) for k, v in answers.items() if v is not None},
            "error": str(exc).removeprefix(f"{questionnaire.id}: "),
        }
        return render(request, "questionnaires/form.html", context, status_code=422)
    return RedirectResponse("/history#scores-title", status_code=303)
