"""``/settings``: preferences, the language, export and import, delete everything.

The language choice lives in a cookie of this browser (``web.language``), not in the
database: it is how this browser shows backcoach, and it works before any account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from backcoach.i18n import LANGUAGE_NAMES, LANGUAGES, N_, _
from backcoach.services.data import delete_all_data
from backcoach.services.export import ImportFileError
from backcoach.services.preferences import PreferencesUpdate, load_preferences, save_preferences
from backcoach.web.deps import DbDep, SettingsDep, UserDep
from backcoach.web.language import AUTOMATIC, chosen_language, remember_choice
from backcoach.web.security.session_cookie import forget_session
from backcoach.web.templating import render
from backcoach.web.uploads import ImportTooLarge, import_upload

router = APIRouter(prefix="/settings", tags=["pages"], include_in_schema=False)

#: The notices after a redirect (``?done=...``); msgids, translated when shown.
MESSAGES = {
    "saved": N_("Settings saved."),
    "language": N_("Language saved."),
}
#: What the language form may send: the browser decides, or one of the languages.
LANGUAGE_CHOICES = (AUTOMATIC, *LANGUAGES)

# Every import error says this once the plain part is told; what follows names fields
# (a msgid: the services' messages end with its translation).
_IMPORT_SUMMARY_END = N_("nothing was imported.")


@dataclass(frozen=True)
class ImportProblem:
    """An import error as the page shows it: a plain sentence, then the details (if any).

    The details name the fields the validator refused ("field 'tables.sessions': ...");
    useful for someone fixing the file, noise for everyone else, so they sit in a
    closed <details> under the sentence.
    """

    summary: str
    details: str

    @classmethod
    def of(cls, message: str) -> ImportProblem:
        head, end, tail = message.partition(_(_IMPORT_SUMMARY_END))
        if not end:
            return cls(summary=message, details="")
        return cls(summary=(head + end).strip(), details=tail.strip())


def _page(
    request: Request,
    db: DbDep,
    user_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    message: str | None = None,
    import_error: str | None = None,
    status_code: int = 200,
) -> Response:
    prefs = load_preferences(db, user_id=user_id).model_dump(mode="json")
    context = {
        "prefs": {**prefs, **(values or {})},
        "errors": errors or {},
        "message": message,
        "import_error": import_error and ImportProblem.of(import_error),
        "languages": LANGUAGE_NAMES,
        "language_choice": chosen_language(request.headers),
    }
    return render(request, "settings/index.html", context, status_code=status_code)


@router.get("")
def settings_page(request: Request, db: DbDep, user: UserDep, done: str = "") -> Response:
    notice = MESSAGES.get(done)
    return _page(request, db, user.id, message=_(notice) if notice else None)


@router.post("")
def save(
    request: Request,
    db: DbDep,
    user: UserDep,
    pain_limit: Annotated[str, Form()] = "",
    break_minutes: Annotated[str, Form()] = "",
    session_length: Annotated[str, Form()] = "short",
    voice: Annotated[str | None, Form()] = None,
    reminders: Annotated[str | None, Form()] = None,
    quiet_from: Annotated[str, Form(max_length=8)] = "",
    quiet_until: Annotated[str, Form(max_length=8)] = "",
    session_reminder: Annotated[str, Form(max_length=8)] = "",
    language: Annotated[str | None, Form(max_length=16)] = None,
) -> Response:
    """Save the preferences form; or, from the language form (its only field,
    ``language``), keep the language chosen in this browser's cookie."""
    if language is not None:
        return _choose_language(request, db, user.id, language)
    raw = {
        "pain_limit": pain_limit.strip(),
        "break_minutes": break_minutes.strip(),
        "session_length": session_length,
        "voice": voice is not None,
        "reminders": reminders is not None,
        "quiet_from": quiet_from.strip() or None,
        "quiet_until": quiet_until.strip() or None,
        "session_reminder": session_reminder.strip() or None,
    }
    try:
        update = PreferencesUpdate.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "quiet_hours"
            errors.setdefault(field, _friendly(field, err["msg"]))
        return _page(request, db, user.id, errors=errors, values=raw, status_code=422)
    save_preferences(db, user_id=user.id, update=update)
    return RedirectResponse("/settings?done=saved", status_code=303)


#: What each preference field accepts, said in plain words (msgids).
_LIMITS = {
    "pain_limit": N_("Enter a whole number from 1 to 10."),
    "break_minutes": N_("Enter a whole number of minutes from 15 to 120."),
    "session_length": N_("Choose short or full."),
    "quiet_from": N_("Enter a time such as 22:00, or leave both quiet-hour fields empty."),
    "quiet_until": N_("Enter a time such as 07:00, or leave both quiet-hour fields empty."),
    "quiet_hours": N_("Give both times (from and until), or leave both empty."),
    "session_reminder": N_("Enter a time such as 18:00, or leave it empty for no reminder."),
}


def _friendly(field: str, message: str) -> str:
    limit = _LIMITS.get(field)
    return _(limit) if limit is not None else message


def _choose_language(request: Request, db: DbDep, user_id: int, language: str) -> Response:
    """Show backcoach in ``language`` in this browser (``auto``: as the browser asks)."""
    if language not in LANGUAGE_CHOICES:
        # The form only offers the known choices: a stale page or a hand-made request.
        errors = {"language": _("Choose Automatic, English or Deutsch.")}
        return _page(request, db, user_id, errors=errors, status_code=422)
    response = RedirectResponse("/settings?done=language", status_code=303)
    remember_choice(response, language)
    return response


@router.post("/import")
async def import_data(request: Request, db: DbDep, user: UserDep) -> Response:
    try:
        name, result = await import_upload(db, user_id=user.id, request=request)
    except ImportTooLarge as exc:
        return _page(request, db, user.id, import_error=str(exc), status_code=413)
    except ImportFileError as exc:
        return _page(request, db, user.id, import_error=str(exc), status_code=422)
    return _page(request, db, user.id, message=result.message(name))


@router.post("/delete")
def delete_all(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    user: UserDep,
    confirm: Annotated[str | None, Form()] = None,
) -> Response:
    """Delete everything (the same rule as ``backcoach data delete``) and say where backups are."""
    if confirm != "yes":
        return RedirectResponse("/settings", status_code=303)
    deleted = delete_all_data(db, user_id=user.id, settings=settings)
    if settings.clinic:  # the account went with the data: nothing is signed in any more
        response = render(request, "auth/login.html", {"next": "", "email": "", "deleted": True})
        forget_session(request, response)
        return response
    return _page(request, db, user.id, message=deleted.message)
