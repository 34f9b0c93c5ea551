"""Safety screening for low back pain "red flags", and when to screen again.

The rules, in plain words:

- Before any exercise plan, the user answers a short yes/no screening
  (``QUESTIONS``). A "yes" to any red-flag question means **no exercise plan**:
  backcoach shows a calm, clear message to get medical care and how soon.

  * New bladder or bowel problems, or numbness in the "saddle" area: these can
    be signs of cauda equina syndrome. Go to an emergency department today.
  * Weakness or numbness in the legs that is getting worse, or in both legs;
    a significant recent injury, or a minor one with osteoporosis or long-term
    steroid use; fever or feeling unwell with the back pain: see a doctor today.
  * A history of cancer, unexplained weight loss, a weakened immune system or
    injected drugs, constant pain not eased by rest or worse at night: see a
    doctor in the next few days, before starting.
  * New back pain when over 50 or under 20 is not a red flag on its own; it
    makes any other red flag one level more urgent, and alone it gives a
    caution ("see a clinician if it is not clearly better in a few weeks").

- Recent surgery or pregnancy are *cautions*: the plan is still offered, with
  exercise-specific notes, and the planner keeps doses at or below the
  program's own (no harder variants).
- Screen again every ``RESCREEN_DAYS`` (28) days, and whenever the pain check-in
  before a session *jumps*: ``PAIN_JUMP_POINTS`` (3) or more points above the
  median of the user's last ``PAIN_JUMP_WINDOW`` (5) earlier pain-before
  check-ins, or ``PAIN_JUMP_ABSOLUTE`` (8) out of 10 or more.

This module is pure: it takes answers and dates and returns results.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from backcoach.errors import UsageError
from backcoach.i18n import N_, _

RESCREEN_DAYS = 28
PAIN_JUMP_POINTS = 3
PAIN_JUMP_ABSOLUTE = 8
PAIN_JUMP_WINDOW = 5

DISCLAIMER = N_(
    "backcoach is an exercise guide, not medical advice, and it does not diagnose or treat "
    "anything. Stop an exercise if your pain increases, and never push through pain. If your "
    "pain is severe, keeps getting worse, or you are unsure whether exercise is right for you, "
    "see a doctor or physiotherapist."
)


class Kind(StrEnum):
    """What a "yes" to a question means."""

    RED_FLAG = "red-flag"  # no plan; see a clinician
    CAUTION = "caution"  # plan with exercise-specific cautions
    MODIFIER = "modifier"  # raises the urgency of other red flags


class Severity(StrEnum):
    """How soon to get medical care, most urgent first in ``SEVERITY_ORDER``."""

    EMERGENCY = "emergency"  # emergency department today
    URGENT = "urgent"  # a doctor today
    SOON = "soon"  # a doctor in the next few days


SEVERITY_ORDER = (Severity.SOON, Severity.URGENT, Severity.EMERGENCY)


class Outcome(StrEnum):
    CLEAR = "clear"
    CAUTION = "caution"
    RED_FLAG = "red_flag"


@dataclass(frozen=True)
class Question:
    """One yes/no screening question. A "yes" (``flag_on``) counts as a flag."""

    id: str
    text: str
    help: str
    kind: Kind
    severity: Severity | None = None  # for red flags
    caution: str = ""  # for cautions: what to take care with
    flag_on: bool = True


QUESTIONS: tuple[Question, ...] = (
    Question(
        id="bladder-bowel",
        text=N_(
            "Since your back pain started, have you had new problems passing urine, "
            "or controlling your bladder or bowels?"
        ),
        help=N_("For example not being able to pee, not feeling when you need to go, or leaking."),
        kind=Kind.RED_FLAG,
        severity=Severity.EMERGENCY,
    ),
    Question(
        id="saddle-numbness",
        text=N_(
            "Do you have new numbness or tingling around your bottom, genitals or inner thighs?"
        ),
        help=N_("The area that would touch a saddle when riding. You may notice it when wiping."),
        kind=Kind.RED_FLAG,
        severity=Severity.EMERGENCY,
    ),
    Question(
        id="leg-weakness-worsening",
        text=N_("Is weakness or numbness in a leg or foot getting worse?"),
        help=N_("For example tripping over your foot, or a numb patch that keeps spreading."),
        kind=Kind.RED_FLAG,
        severity=Severity.URGENT,
    ),
    Question(
        id="both-legs",
        text=N_("Do you have weakness, numbness or pins and needles in both legs?"),
        help=N_("Symptoms in both legs at once, not only one side."),
        kind=Kind.RED_FLAG,
        severity=Severity.URGENT,
    ),
    Question(
        id="major-trauma",
        text=N_(
            "Did the pain start after a significant injury, such as a fall from a height, "
            "a road accident or a hard blow to the back?"
        ),
        help=N_("A bigger injury than an everyday strain from lifting or bending."),
        kind=Kind.RED_FLAG,
        severity=Severity.URGENT,
    ),
    Question(
        id="minor-trauma-fragile-bones",
        text=N_(
            "Did the pain start after a minor fall or strain, and do you have osteoporosis "
            "(thin bones) or have you taken steroid tablets for a long time?"
        ),
        help=N_("Steroid tablets such as prednisolone taken for months. Inhalers do not count."),
        kind=Kind.RED_FLAG,
        severity=Severity.URGENT,
    ),
    Question(
        id="fever-unwell",
        text=N_("Do you have a fever, chills or feel generally unwell along with the back pain?"),
        help=N_("A temperature, night sweats, or feeling ill in a way that is new for you."),
        kind=Kind.RED_FLAG,
        severity=Severity.URGENT,
    ),
    Question(
        id="cancer-history",
        text=N_("Have you ever had cancer?"),
        help=N_("Any cancer in the past, even if it was treated long ago."),
        kind=Kind.RED_FLAG,
        severity=Severity.SOON,
    ),
    Question(
        id="weight-loss",
        text=N_("Have you lost weight recently without trying?"),
        help=N_("Weight loss you cannot explain by diet or more activity."),
        kind=Kind.RED_FLAG,
        severity=Severity.SOON,
    ),
    Question(
        id="infection-risk",
        text=N_("Is your immune system weakened, or have you ever injected drugs?"),
        help=N_(
            "For example from chemotherapy, medicines after a transplant, HIV, or long-term "
            "steroid tablets."
        ),
        kind=Kind.RED_FLAG,
        severity=Severity.SOON,
    ),
    Question(
        id="constant-night-pain",
        text=N_("Is the pain constant, not eased by rest or changing position, or worse at night?"),
        help=N_("Pain that stays the same whatever you do, or wakes you and keeps you awake."),
        kind=Kind.RED_FLAG,
        severity=Severity.SOON,
    ),
    Question(
        id="age-new-pain",
        text=N_("Is this back pain new, and are you over 50 or under 20?"),
        help=N_("New means you have not had back pain like this before."),
        kind=Kind.MODIFIER,
    ),
    Question(
        id="recent-surgery",
        text=N_("Have you had an operation in the last 3 months?"),
        help=N_("Any surgery, especially on your back, belly or hips."),
        kind=Kind.CAUTION,
        caution=N_(
            "You had an operation recently: check with your surgeon or physiotherapist "
            "that these exercises are right for you. Until then backcoach keeps every exercise at "
            "its standard dose or easier and never moves you to a harder version."
        ),
    ),
    Question(
        id="pregnancy",
        text=N_("Are you pregnant, or have you given birth in the last 3 months?"),
        help=N_("Exercise is usually good in pregnancy, but some positions need care."),
        kind=Kind.CAUTION,
        caution=N_(
            "You are pregnant or gave birth recently: ask your midwife or doctor which "
            "exercises suit you. Skip exercises lying on your belly, keep time lying flat on your "
            "back short after the first 3 months, and stop if you feel dizzy or unwell. backcoach "
            "keeps every exercise at its standard dose or easier."
        ),
    ),
)

QUESTION_IDS = tuple(q.id for q in QUESTIONS)

# Cautions that cap every dose at the program's own (no progression, no harder variant).
DOSE_LIMITING_CAUTIONS = frozenset({"recent-surgery", "pregnancy"})

# Exercises left out of the plan for a caution, with the reason shown to the user.
CAUTION_SKIPS: Mapping[str, Mapping[str, str]] = {
    "pregnancy": {
        "superman": N_("it is done lying on your belly"),
        "pike-to-arch": N_("it starts lying on your belly"),
    },
}
_BY_ID = {q.id: q for q in QUESTIONS}

_ADVICE = {
    Severity.EMERGENCY: N_(
        "Please get medical help now: go to an emergency department today, or call your "
        "local emergency number. Bladder or bowel changes and numbness in the saddle area can "
        "mean the nerves at the base of the spine are being squeezed (cauda equina syndrome). "
        "It is rare, but it must be checked straight away, because early treatment matters."
    ),
    Severity.URGENT: N_(
        "Please contact a doctor today (your GP or an urgent care service; if you cannot reach "
        "one, go to an emergency department). Your answer is one that a doctor should check "
        "before you exercise."
    ),
    Severity.SOON: N_(
        "Please see a doctor in the next few days, before starting an exercise program. Most "
        "back pain is not serious, but your answer is one that a doctor should check first."
    ),
}

_SCREEN_AGAIN = N_("you can answer the screening again with `backcoach screening`.")
_SCREEN_FIRST = N_("Please answer the short safety screening first (`backcoach screening`).")
_NO_PLAN = N_(
    "backcoach will not offer exercises until then. When a clinician has checked you and says "
    "exercise is fine, {screen_again}"
)

# The messages above name the terminal's command; the web app shows a link or
# the form itself instead (``for_web``).
_WEB_WORDING = (
    (_SCREEN_AGAIN, N_("you can answer the safety questions again here.")),
    (_SCREEN_FIRST, N_("Please answer the short safety questions first.")),
)

_AGE_CAUTION = N_(
    "New back pain at your age is usually harmless, but if it is not clearly better within "
    "a few weeks, or other symptoms appear, see a doctor."
)


@dataclass(frozen=True)
class ScreeningResult:
    """The outcome of one screening.

    ``red_flags`` and ``cautions`` are question ids answered with a flag;
    ``severity`` is set for a red flag; ``message`` is what to show the user.
    """

    outcome: Outcome
    red_flags: tuple[str, ...]
    cautions: tuple[str, ...]
    severity: Severity | None
    message: str

    @property
    def caution_texts(self) -> tuple[str, ...]:
        """The exercise-specific caution for each caution answer (in the language in use)."""
        return tuple(_(_BY_ID[c].caution or _AGE_CAUTION) for c in self.cautions)


@dataclass(frozen=True)
class ScreeningRecord:
    """A stored screening: the day it was taken and its result."""

    taken_on: date
    result: ScreeningResult


def question(question_id: str) -> Question:
    """The question with this id.

    Raises:
        UsageError: no such question.
    """
    try:
        return _BY_ID[question_id]
    except KeyError:
        raise UsageError(_("unknown screening question '{id}'").format(id=question_id)) from None


def _raise_severity(severity: Severity) -> Severity:
    index = SEVERITY_ORDER.index(severity)
    return SEVERITY_ORDER[min(index + 1, len(SEVERITY_ORDER) - 1)]


def evaluate(answers: Mapping[str, bool]) -> ScreeningResult:
    """Evaluate a complete set of yes/no answers (question id -> answer).

    Args:
        answers: one boolean per question in ``QUESTIONS``; ``True`` means "yes".

    Raises:
        UsageError: a question is unanswered or an id is unknown.

    Example:
        >>> answers = dict.fromkeys(QUESTION_IDS, False)
        >>> evaluate(answers).outcome
        <Outcome.CLEAR: 'clear'>
    """
    unknown = sorted(set(answers) - set(QUESTION_IDS))
    if unknown:
        raise UsageError(_("unknown screening question(s): {ids}").format(ids=", ".join(unknown)))
    missing = [qid for qid in QUESTION_IDS if qid not in answers]
    if missing:
        raise UsageError(
            _("please answer every screening question; missing: {ids}").format(
                ids=", ".join(missing)
            )
        )

    flagged = [q for q in QUESTIONS if answers[q.id] == q.flag_on]
    red = [q for q in flagged if q.kind is Kind.RED_FLAG]
    older_or_younger = any(q.kind is Kind.MODIFIER for q in flagged)
    cautions = tuple(q.id for q in flagged if q.kind is not Kind.RED_FLAG)

    if red:
        severity = max((q.severity or Severity.SOON for q in red), key=SEVERITY_ORDER.index)
        if older_or_younger:
            severity = _raise_severity(severity)
        return ScreeningResult(
            outcome=Outcome.RED_FLAG,
            red_flags=tuple(q.id for q in red),
            cautions=cautions,
            severity=severity,
            message=f"{_(_ADVICE[severity])} {no_plan_text()}",
        )
    if cautions:
        texts = " ".join(_(_BY_ID[c].caution or _AGE_CAUTION) for c in cautions)
        return ScreeningResult(
            outcome=Outcome.CAUTION,
            red_flags=(),
            cautions=cautions,
            severity=None,
            message=_("No red flags. You can exercise, with care. {cautions}").format(
                cautions=texts
            ),
        )
    return ScreeningResult(
        outcome=Outcome.CLEAR,
        red_flags=(),
        cautions=(),
        severity=None,
        message=_(
            "No red flags. You can start the exercises. Stop any exercise that makes "
            "your pain worse."
        ),
    )


def pain_jumped(pain_now: int, earlier: Sequence[int]) -> bool:
    """True when a pain-before check-in is a jump that calls for a new screening.

    A jump is ``PAIN_JUMP_ABSOLUTE`` (8) or more, or ``PAIN_JUMP_POINTS`` (3) or
    more above the median of the last ``PAIN_JUMP_WINDOW`` (5) earlier values.

    Args:
        pain_now: today's pain before the session, 0-10.
        earlier: earlier pain-before values, oldest first.

    Example:
        >>> pain_jumped(6, [2, 3, 2])
        True
    """
    if pain_now >= PAIN_JUMP_ABSOLUTE:
        return True
    recent = list(earlier)[-PAIN_JUMP_WINDOW:]
    return bool(recent) and pain_now - statistics.median(recent) >= PAIN_JUMP_POINTS


def rescreen_reason(
    screening: ScreeningRecord | None,
    *,
    today: date,
    pain_now: int | None = None,
    earlier_pain: Sequence[int] = (),
) -> str | None:
    """Why a (new) screening is needed before exercising today, or ``None``.

    Args:
        screening: the latest screening, if any.
        today: the day of the session.
        pain_now: today's pain-before check-in, if given.
        earlier_pain: earlier pain-before values, oldest first.
    """
    if screening is None:
        return _(_SCREEN_FIRST)
    age = (today - screening.taken_on).days
    if age >= RESCREEN_DAYS:
        return _(
            "Your last safety screening was {age} days ago; please answer it again "
            "(every {every} days)."
        ).format(age=age, every=RESCREEN_DAYS)
    # A screening taken today already reflects today's pain.
    if pain_now is not None and screening.taken_on < today and pain_jumped(pain_now, earlier_pain):
        return _(
            "Your pain today ({pain}/10) is clearly higher than usual; please answer the "
            "safety screening again before exercising."
        ).format(pain=pain_now)
    return None


def for_web(message: str) -> str:
    """A screening or re-screening message worded for the web app.

    The messages here tell a terminal user which command to run; the web app
    shows the questions (or a link to them) right where the message is, so it
    says "here" instead. Other text is unchanged.

    Example:
        >>> for_web(rescreen_reason(None, today=date(2026, 1, 5)))
        'Please answer the short safety questions first.'
    """
    for terminal, web in _WEB_WORDING:
        message = message.replace(_(terminal), _(web))
    return message


def no_plan_text() -> str:
    """After a red flag: no exercises until a clinician says so, and how to screen again."""
    return _(_NO_PLAN).format(screen_again=_(_SCREEN_AGAIN))
