"""The flags a clinician sees beside a patient, and the rules that raise them.

Pure functions of the patient's figures (no database, no clock): the dashboard
(``services.clinic_dashboard``) reads the figures for all patients at once and
asks these rules. Flags, most severe first:

- ``red-flag``: the latest safety screening found a red flag. The patient sees
  no exercises until it is clear; the clinician should contact them.
- ``pain-rising``: in each of the latest two completed sessions that logged pain
  before and after, pain after was higher than before by ``PAIN_RISE`` (2) or more.
- ``start-back-high``: the latest Keele STarT Back answers put the patient at high risk.
- ``inactive``: no exercise done for ``INACTIVE_DAYS`` (5) days, counted from
  the latest session that completed or had an exercise done, or from registering
  when there is none (a session opened and quit at once is not exercise).
- ``questionnaire-due``: a questionnaire the clinician scheduled fell due and
  has no answer since (``services.questionnaire_schedules``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from backcoach.i18n import N_, _, format_date, ngettext

PAIN_RISE = 2
INACTIVE_DAYS = 5
#: The screening's red flags (``coach.safety`` question ids) as the flag names them.
RED_FLAG_NAMES = {
    "bladder-bowel": N_("bladder bowel"),
    "saddle-numbness": N_("saddle numbness"),
    "leg-weakness-worsening": N_("leg weakness worsening"),
    "both-legs": N_("both legs"),
    "major-trauma": N_("major trauma"),
    "minor-trauma-fragile-bones": N_("minor trauma fragile bones"),
    "fever-unwell": N_("fever unwell"),
    "cancer-history": N_("cancer history"),
    "weight-loss": N_("weight loss"),
    "infection-risk": N_("infection risk"),
    "constant-night-pain": N_("constant night pain"),
}


class Severity(IntEnum):
    """Lower is more severe: flags are sorted by it."""

    RED_FLAG = 0
    PAIN_RISING = 1
    START_BACK_HIGH = 2
    INACTIVE = 3
    QUESTIONNAIRE_DUE = 4


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    since: date
    severity: Severity


@dataclass(frozen=True)
class PainPair:
    """A completed session's pain before and after (both logged), by local date."""

    day: date
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


def red_flag(screened_on: date | None, red_flags: Sequence[str]) -> Flag | None:
    """The flag for a latest screening with a red flag (``screened_on`` None: none)."""
    if screened_on is None:
        return None
    found = ", ".join(_(RED_FLAG_NAMES.get(flag, flag.replace("-", " "))) for flag in red_flags)
    message = (
        _(
            "Red flag in the safety screening ({flags}): exercises are stopped until a "
            "clinician has seen them."
        ).format(flags=found)
        if found
        else _(
            "Red flag in the safety screening: exercises are stopped until a clinician has "
            "seen them."
        )
    )
    return Flag(
        "red-flag",
        message,
        screened_on,
        Severity.RED_FLAG,
    )


def pain_rising(latest_first: Sequence[PainPair]) -> Flag | None:
    """The flag when the latest two sessions with both pain values each rose by 2 or more."""
    if len(latest_first) < 2:
        return None
    latest, previous = latest_first[0], latest_first[1]
    if latest.change < PAIN_RISE or previous.change < PAIN_RISE:
        return None
    return Flag(
        "pain-rising",
        _(
            "Pain after the session was higher than before twice in a row "
            "(+{first}, then +{second})."
        ).format(first=previous.change, second=latest.change),
        previous.day,
        Severity.PAIN_RISING,
    )


def start_back_high(taken_on: date | None, scores: dict[str, object] | None) -> Flag | None:
    """The flag when the latest STarT Back scores say high risk."""
    if taken_on is None or scores is None or scores.get("risk_group") != "high":
        return None
    total = scores.get("total")
    message = (
        _(
            "STarT Back: high risk (total {total} of 9); worry or fear of movement may be "
            "slowing recovery."
        ).format(total=f"{total:g}")
        if isinstance(total, int | float)
        else _("STarT Back: high risk; worry or fear of movement may be slowing recovery.")
    )
    return Flag(
        "start-back-high",
        message,
        taken_on,
        Severity.START_BACK_HIGH,
    )


def inactive(last_exercised: date | None, registered: date, today: date) -> Flag | None:
    """The flag when no exercise was done for ``INACTIVE_DAYS`` days."""
    since = registered if last_exercised is None else last_exercised
    days = (today - since).days
    if days < INACTIVE_DAYS:
        return None
    message = (
        ngettext(
            "No exercise done since registering {days} day ago.",
            "No exercise done since registering {days} days ago.",
            days,
        )
        if last_exercised is None
        else ngettext("No exercise done for {days} day.", "No exercise done for {days} days.", days)
    ).format(days=days)
    return Flag("inactive", message, since, Severity.INACTIVE)


def questionnaire_due(title: str, due_since: date) -> Flag:
    return Flag(
        "questionnaire-due",
        _("{title} due since {day}.").format(title=_(title), day=format_date(due_since, "yMMMd")),
        due_since,
        Severity.QUESTIONNAIRE_DUE,
    )


def by_severity(flags: Iterable[Flag | None]) -> tuple[Flag, ...]:
    """The flags raised, most severe first (then the oldest first)."""
    return tuple(sorted((f for f in flags if f is not None), key=lambda f: (f.severity, f.since)))
