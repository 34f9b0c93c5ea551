"""Today's everyday habits to tick (a walk, breaks from sitting), kept as habit logs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from backcoach.services.clock import SessionClock, local_today
from backcoach.store import add_habit_log, list_habit_logs


@dataclass(frozen=True)
class Habit:
    kind: str
    label: str
    hint: str
    amount: float  # logged per tick: minutes for a walk, one break


HABITS: dict[str, Habit] = {
    "walk": Habit("walk", "Go for a walk", "20-30 minutes at an easy pace", 20),
    "break": Habit("break", "Take movement breaks", "stand up and move every 45 minutes", 1),
}


@dataclass(frozen=True)
class HabitToday:
    habit: Habit
    done: bool


def habits_today(db: Session, *, user_id: int) -> list[HabitToday]:
    today = local_today()
    done = {log.kind for log in list_habit_logs(db, user_id=user_id, since=today)}
    return [HabitToday(habit, habit.kind in done) for habit in HABITS.values()]


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
