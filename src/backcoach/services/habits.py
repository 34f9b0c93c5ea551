"""Today's everyday habits to tick (a walk, breaks from sitting), kept as habit logs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from backcoach.i18n import N_, _
from backcoach.services.clock import SessionClock, local_today
from backcoach.services.desk import DeskDay, desk_days_from_logs
from backcoach.store import add_habit_log, list_habit_logs


@dataclass(frozen=True)
class Habit:
    """One habit; its texts are kept in English (marked) and read in the language in use."""

    kind: str
    label_text: str
    hint_text: str
    amount: float  # logged per tick: minutes for a walk, one break

    @property
    def label(self) -> str:
        return _(self.label_text)

    @property
    def hint(self) -> str:
        return _(self.hint_text)


HABITS: dict[str, Habit] = {
    "walk": Habit("walk", N_("Go for a walk"), N_("20-30 minutes at an easy pace"), 20),
    "break": Habit(
        "break", N_("Take movement breaks"), N_("stand up and move every 45 minutes"), 1
    ),
}


@dataclass(frozen=True)
class HabitToday:
    habit: Habit
    done: bool


def habits_today(db: Session, *, user_id: int) -> list[HabitToday]:
    return habits_and_desk_today(db, user_id=user_id)[0]


def habits_and_desk_today(db: Session, *, user_id: int) -> tuple[list[HabitToday], DeskDay]:
    """Today's habits and today's desk figures, from one read of the habit logs."""
    today = local_today()
    logs = list_habit_logs(db, user_id=user_id, since=today)
    done = {log.kind for log in logs}
    habits = [HabitToday(habit, habit.kind in done) for habit in HABITS.values()]
    desk = desk_days_from_logs(logs, since=today, until=today + timedelta(days=1))[0]
    return habits, desk


def tick_habit(db: Session, *, user_id: int, kind: str) -> None:
    """Log the habit once for today (ticking it again changes nothing). Commits."""
    today = local_today()
    if any(
        log.kind == kind for log in list_habit_logs(db, user_id=user_id, since=today, kind=kind)
    ):
        return
    habit = HABITS[kind]
    add_habit_log(
        db, user_id=user_id, day=today, at=SessionClock.wall(), kind=kind, amount=habit.amount
    )
    db.commit()
