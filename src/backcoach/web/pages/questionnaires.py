"""``/questionnaires``: the outcome questionnaires (pain and function, PSFS, STarT Back).

Reading the typed answers, validation and scoring are ``coach/questionnaires.py``'s;
storing is ``services.checkins.save_questionnaire``. A wrong or missing answer shows
the form again (422) with the message beside its question. The scores appear on the
History page.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from backcoach.coach.questionnaires import (
    QUESTIONNAIRES,
    AnswerError,
    Questionnaire,
    read_answers,
)
from backcoach.i18n import _
from backcoach.services.checkins import questionnaire_due, save_questionnaire
from backcoach.services.clock import SessionClock, local_today, local_tz
from backcoach.web.deps import DbDep, UserDep
from backcoach.web.templating import render

router = APIRouter(prefix="/questionnaires", tags=["pages"], include_in_schema=False)


def _questionnaire(name: str) -> Questionnaire:
    try:
        return QUESTIONNAIRES[name]
    except KeyError:
        message = _("There is no questionnaire called '{name}'.").format(name=name)
        raise HTTPException(404, message) from None


@router.get("")
def index(request: Request, db: DbDep, user: UserDep) -> Response:
    due = {
        name: questionnaire_due(db, user_id=user.id, name=name, today=local_today(), tz=local_tz())
        for name, q in QUESTIONNAIRES.items()
        if q.interval_days is not None
    }
    shown = [q.localized() for q in QUESTIONNAIRES.values()]
    context = {"questionnaires": shown, "due": due}
    return render(request, "questionnaires/index.html", context)


@router.get("/{name}")
def form(request: Request, name: str) -> Response:
    context = {"q": _questionnaire(name).localized(), "answers": {}, "errors": {}}
    return render(request, "questionnaires/form.html", context)


def _typed(questionnaire: Questionnaire, form: FormData) -> dict[str, str]:
    """The text entered for each item (a file or a missing field counts as blank)."""
    typed: dict[str, str] = {}
    for item in questionnaire.items:
        value = form.get(item.id)
        typed[item.id] = value.strip() if isinstance(value, str) else ""
    return typed


@router.post("/{name}")
async def submit(request: Request, name: str, db: DbDep, user: UserDep) -> Response:
    questionnaire = _questionnaire(name)
    typed = _typed(questionnaire, await request.form())
    answers, errors = read_answers(questionnaire, typed)
    error = ""
    if not errors:
        try:
            save_questionnaire(
                db, user_id=user.id, name=questionnaire.id, answers=answers, now=SessionClock.wall()
            )
        except AnswerError as exc:  # read_answers checks all of this first; kept as a net
            error = str(exc).removeprefix(f"{questionnaire.id}: ")
        else:
            return RedirectResponse("/history#scores-title", status_code=303)
    context = {
        "q": questionnaire.localized(),
        "answers": {k: v for k, v in typed.items() if v},
        "errors": errors,
        "error": error,
    }
    return render(request, "questionnaires/form.html", context, status_code=422)
