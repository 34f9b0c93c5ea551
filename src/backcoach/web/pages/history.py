"""``/history``: streaks, calendar, minutes per week, pain before and after, questionnaires.

The page's content depends only on the user's data and the local day, and on ten
years of use it is long (every week, every pain check-in): it is rendered once
per revision of that data (``services.page_cache``) and the page around it,
which carries the request's own parts (navigation, CSRF token), each time.

``/history/report.pdf?from=YYYY-MM-DD&to=YYYY-MM-DD``: the progress report of a
period (``documents.report``), to save.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from backcoach.content import Catalog
from backcoach.documents.report import progress_report, report_filename, report_period
from backcoach.services import page_cache
from backcoach.services.clock import local_today, local_tz
from backcoach.services.desk import desk_statistics
from backcoach.services.history import history_summary
from backcoach.web.deps import CatalogDep, DbDep, UserDep
from backcoach.web.downloads import ReportFrom, ReportTo, pdf_attachment
from backcoach.web.presenters.history import calendar, chart_data, session_program
from backcoach.web.state import app_state
from backcoach.web.templating import render

router = APIRouter(prefix="/history", tags=["pages"], include_in_schema=False)

RECENT_SESSIONS = 20
DESK_DAYS = 7
DESK_WEEKS = 8


def history_body(db: Session, *, user_id: int, env: Environment, catalog: Catalog) -> Markup:
    """The page's content for ``user_id`` today, from the cache while their data is unchanged
    (``catalog``, in the language in use, names the programs; the cache keys on the language)."""
    today, tz = local_today(), local_tz()

    def draw() -> Markup:
        summary = history_summary(db, today=today, user_id=user_id, tz=tz, recent=60)
        recent = summary.sessions[:RECENT_SESSIONS]
        context = {
            "summary": summary,
            "recent": recent,
            "programs": {line.id: session_program(line, catalog) for line in recent},
            "calendar": calendar(summary),
            "charts": chart_data(summary),
            "report_period": report_period(None, None, today=today),
            "desk": desk_statistics(
                db, user_id=user_id, today=today, days=DESK_DAYS, weeks=DESK_WEEKS
            ),
        }
        return Markup(env.get_template("history/_body.html").render(context))

    return page_cache.cached(
        db, name="history-page", user_id=user_id, key=(today, tz), anchor=env, compute=draw
    )


@router.get("")
def history(request: Request, db: DbDep, user: UserDep, catalog: CatalogDep) -> Response:
    env = app_state(request.app).templates.env
    body = history_body(db, user_id=user.id, env=env, catalog=catalog)
    return render(request, "history/index.html", {"body": body})


@router.get("/report.pdf")
def history_report(
    db: DbDep, user: UserDep, catalog: CatalogDep, start: ReportFrom = None, end: ReportTo = None
) -> Response:
    """Your progress report for a period, as a PDF to save (a bad date: 400, in words)."""
    first, last = report_period(start, end, today=local_today())
    pdf = progress_report(
        db, user_id=user.id, start=first, end=last, tz=local_tz(), catalog=catalog
    )
    return pdf_attachment(pdf, report_filename(first, last))
