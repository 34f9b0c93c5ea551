"""What the Today page shows besides the plan's own text, read once per change of the user's data.

Everything here (preferences, today's plan, the interrupted session to resume,
today's habits and desk figures, whether the pain and function check is due)
changes only with a write that bumps the user's revision (``store.revision``)
or with the local day, so it is kept in ``services.page_cache`` under both: a
second visit of Today costs one cache lookup instead of six queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from backcoach.coach.planner import PlanDecision
from backcoach.content import Catalog
from backcoach.services import page_cache
from backcoach.services.checkins import questionnaire_due
from backcoach.services.clock import local_today, local_tz
from backcoach.services.desk import DeskDay
from backcoach.services.habits import HabitToday, habits_and_desk_today
from backcoach.services.preferences import Preferences, load_preferences
from backcoach.services.session_start import plan_for_today
from backcoach.services.sessions import ResumeOffer, find_resumable

CHECK_NAME = "pain-function"  # the scheduled pain and function check


@dataclass(frozen=True)
class TodayOverview:
    """Today for one user, as of their latest write. Shared between requests: read only."""

    prefs: Preferences
    decision: PlanDecision  # today's plan at the preferred length, no pain check-in yet
    resume: ResumeOffer | None  # the latest interrupted session with steps left
    habits: tuple[HabitToday, ...]
    desk: DeskDay
    check_due: bool  # the pain and function check is due


def today_overview(db: Session, *, user_id: int, catalog: Catalog) -> TodayOverview:
    """Today for ``user_id``, from the cache while their data and the day stay the same."""
    today, tz = local_today(), local_tz()

    def read() -> TodayOverview:
        prefs = load_preferences(db, user_id=user_id)
        habits, desk = habits_and_desk_today(db, user_id=user_id)
        return TodayOverview(
            prefs=prefs,
            decision=plan_for_today(
                db, user_id=user_id, catalog=catalog, length=prefs.session_length
            ),
            resume=find_resumable(db, user_id=user_id, catalog=catalog),
            habits=tuple(habits),
            desk=desk,
            check_due=questionnaire_due(db, user_id=user_id, name=CHECK_NAME, today=today, tz=tz),
        )

    return page_cache.cached(
        db, name="today", user_id=user_id, key=(today, tz), anchor=catalog, compute=read
    )
