"""Outcome questionnaires and their scoring.

Three questionnaires, each a ``Questionnaire`` of ``Item``s, scored by ``score``:

- ``pain-function`` (every ``PAIN_FUNCTION_INTERVAL_DAYS``, 14 days): average
  pain over the last week (0-10) and how much pain got in the way of daily
  activities and work, sleep, and mood and enjoyment of life (each 0-10).
  Score: ``total`` = mean of the four items, one decimal (0 = no pain and no
  interference, 10 = worst); subscales ``pain`` (item 1) and
  ``interference`` (mean of items 2-4). Lower is better.
- ``psfs``, the Patient-Specific Functional Scale: up to 3 activities the
  person finds hard because of their back, each rated 0 (unable to do it) to
  10 (able to do it as before). Score: ``total`` = mean rating, one decimal.
  Higher is better; a change of about 2 points is usually noticeable.
- ``startback``, the Keele STarT Back Screening Tool (9 items, standard
  wording). Items 1-8: disagree = 0, agree = 1. Item 9 (bothersomeness, 5
  answers): "very much" or "extremely" = 1, else 0. ``total`` 0-9;
  ``psychosocial`` subscale = items 5-9, 0-5. Risk group: total 3 or less is
  *low*; otherwise psychosocial 4 or more is *high*; otherwise *medium*.
  © Keele University 2007, all rights reserved; free for non-commercial use,
  commercial use needs a licence from Keele University.

Answers map item ids to whole numbers (scale value, 0/1 for disagree/agree,
or the index of a choice) or, for PSFS activity names, text. Out-of-range or
missing answers raise ``AnswerError`` with a plain message.

Answers typed into a form arrive as text: ``read_answers`` turns them into
answers and says, item by item, what is wrong. A number is ASCII digits only
(``str.isdigit`` also takes ``²``, which ``int`` refuses), at most
``MAX_NUMBER_DIGITS`` of them (so 5,000 digits are never converted), within the
item's range; text is at most ``MAX_TEXT_LENGTH`` characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from backcoach.errors import UsageError

PAIN_FUNCTION_INTERVAL_DAYS = 14
#: Longest text answer (a PSFS activity name).
MAX_TEXT_LENGTH = 200
#: Most digits in a typed number (every scale here fits in two).
MAX_NUMBER_DIGITS = 3


class AnswerError(UsageError):
    """An answer is missing, unknown or out of range."""


class ItemKind(StrEnum):
    SCALE = "scale"  # whole number 0-10
    AGREE = "agree"  # 0 = disagree, 1 = agree
    CHOICE = "choice"  # index into ``choices``
    TEXT = "text"  # free text (PSFS activity)


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    kind: ItemKind
    choices: tuple[str, ...] = ()
    low: str = ""  # what 0 means on a scale
    high: str = ""  # what 10 means on a scale
    optional: bool = False


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    intro: str
    items: tuple[Item, ...]
    interval_days: int | None = None
    notice: str = ""  # copyright and licence, shown with the questionnaire

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise AnswerError(f"{self.id}: unknown item '{item_id}'")


class RiskGroup(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


#: What each STarT Back risk group means, in one line (the tool's usual care pathways).
RISK_MEANINGS: Mapping[RiskGroup, str] = {
    RiskGroup.LOW: "Back pain like this usually gets better with staying active, simple "
    "exercise and reassurance.",
    RiskGroup.MEDIUM: "Physical factors are slowing recovery; a course of physiotherapy is "
    "often recommended alongside these exercises.",
    RiskGroup.HIGH: "Worry, low mood or fear of movement are adding to the pain; a "
    "physiotherapist or doctor who looks at both body and mind can help most.",
}


@dataclass(frozen=True)
class QuestionnaireScore:
    questionnaire: str
    total: float
    subscales: Mapping[str, float] = field(default_factory=dict)
    risk_group: RiskGroup | None = None
    summary: str = ""


_PAIN_FUNCTION = Questionnaire(
    id="pain-function",
    title="Pain and function check",
    intro="A quick look at the last 7 days. Answer each with a number from 0 to 10.",
    interval_days=PAIN_FUNCTION_INTERVAL_DAYS,
    items=(
        Item(
            "pain",
            "On average, how strong was your back pain over the last 7 days?",
            ItemKind.SCALE,
            low="no pain",
            high="the worst pain you can imagine",
        ),
        Item(
            "interference-activity",
            "How much did the pain get in the way of your daily activities, including work?",
            ItemKind.SCALE,
            low="not at all",
            high="I could not do them",
        ),
        Item(
            "interference-sleep",
            "How much did the pain get in the way of your sleep?",
            ItemKind.SCALE,
            low="not at all",
            high="I could hardly sleep",
        ),
        Item(
            "interference-mood",
            "How much did the pain get in the way of your mood and enjoying life?",
            ItemKind.SCALE,
            low="not at all",
            high="completely",
        ),
    ),
)


def _psfs_items() -> tuple[Item, ...]:
    items: list[Item] = []
    for n in (1, 2, 3):
        items.append(
            Item(
                f"activity-{n}",
                f"Activity {n}: something you find hard or cannot do because of your back"
                + (" (leave empty to finish)" if n > 1 else ""),
                ItemKind.TEXT,
                optional=n > 1,
            )
        )
        items.append(
            Item(
                f"rating-{n}",
                f"How well can you do activity {n} today?",
                ItemKind.SCALE,
                low="unable to do it",
                high="able to do it as well as before",
                optional=n > 1,
            )
        )
    return tuple(items)


_PSFS = Questionnaire(
    id="psfs",
    title="Patient-Specific Functional Scale",
    intro="Name up to 3 everyday activities that your back makes hard, and rate how well you "
    "can do each one today. Use the same activities each time to see your progress.",
    items=_psfs_items(),
)

STARTBACK_NOTICE = (
    "Keele STarT Back Screening Tool © Keele University 2007, all rights reserved. Free for "
    "non-commercial use; commercial use needs a licence from Keele University."
)

_BOTHER_CHOICES = ("Not at all", "Slightly", "Moderately", "Very much", "Extremely")

_STARTBACK = Questionnaire(
    id="startback",
    title="Keele STarT Back Screening Tool",
    intro="Thinking about the last 2 weeks, tick your response to the following questions.",
    notice=STARTBACK_NOTICE,
    items=(
        Item(
            "1",
            "My back pain has spread down my leg(s) at some time in the last 2 weeks",
            ItemKind.AGREE,
        ),
        Item(
            "2",
            "I have had pain in the shoulder or neck at some time in the last 2 weeks",
            ItemKind.AGREE,
        ),
        Item("3", "I have only walked short distances because of my back pain", ItemKind.AGREE),
        Item(
            "4",
            "In the last 2 weeks, I have dressed more slowly than usual because of back pain",
            ItemKind.AGREE,
        ),
        Item(
            "5",
            "It's not really safe for a person with a condition like mine to be physically active",
            ItemKind.AGREE,
        ),
        Item(
            "6",
            "Worrying thoughts have been going through my mind a lot of the time",
            ItemKind.AGREE,
        ),
        Item(
            "7",
            "I feel that my back pain is terrible and it's never going to get any better",
            ItemKind.AGREE,
        ),
        Item("8", "In general I have not enjoyed all the things I used to enjoy", ItemKind.AGREE),
        Item(
            "9",
            "Overall, how bothersome has your back pain been in the last 2 weeks?",
            ItemKind.CHOICE,
            choices=_BOTHER_CHOICES,
        ),
    ),
)

QUESTIONNAIRES: Mapping[str, Questionnaire] = {q.id: q for q in (_PAIN_FUNCTION, _PSFS, _STARTBACK)}
NAMES = tuple(QUESTIONNAIRES)


def get(name: str) -> Questionnaire:
    """The questionnaire called ``name``.

    Raises:
        AnswerError: unknown name (the message lists the known ones).
    """
    try:
        return QUESTIONNAIRES[name]
    except KeyError:
        raise AnswerError(
            f"unknown questionnaire '{name}'; choose one of: {', '.join(NAMES)}"
        ) from None


def top_value(item: Item) -> int:
    """The largest whole-number answer of ``item`` (the smallest is 0)."""
    if item.kind is ItemKind.SCALE:
        return 10
    if item.kind is ItemKind.AGREE:
        return 1
    return len(item.choices) - 1


def _whole(questionnaire: Questionnaire, item: Item, value: int | str) -> int:
    if isinstance(value, bool):
        value = int(value)
    if not isinstance(value, int):
        raise AnswerError(f"{questionnaire.id}: item '{item.id}' needs a whole number")
    top = top_value(item)
    if not 0 <= value <= top:
        raise AnswerError(
            f"{questionnaire.id}: item '{item.id}' must be from 0 to {top}, got {value}"
        )
    return value


def validate(
    questionnaire: Questionnaire, answers: Mapping[str, int | str]
) -> dict[str, int | str]:
    """Check every answer; return them with empty optional items dropped.

    Raises:
        AnswerError: an unknown item, a missing required answer, or a value out of range.
    """
    known = {item.id for item in questionnaire.items}
    unknown = sorted(set(answers) - known)
    if unknown:
        raise AnswerError(f"{questionnaire.id}: unknown item(s): {', '.join(unknown)}")
    clean: dict[str, int | str] = {}
    for item in questionnaire.items:
        value = answers.get(item.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            if not item.optional:
                raise AnswerError(f"{questionnaire.id}: please answer item '{item.id}'")
            continue
        if item.kind is ItemKind.TEXT:
            if not isinstance(value, str):
                raise AnswerError(f"{questionnaire.id}: item '{item.id}' needs text")
            if len(value.strip()) > MAX_TEXT_LENGTH:
                raise AnswerError(
                    f"{questionnaire.id}: item '{item.id}' must be at most "
                    f"{MAX_TEXT_LENGTH} characters"
                )
            clean[item.id] = value.strip()
        else:
            clean[item.id] = _whole(questionnaire, item, value)
    return clean


def _score_pain_function(answers: Mapping[str, int | str]) -> QuestionnaireScore:
    values = [int(answers[item.id]) for item in _PAIN_FUNCTION.items]
    pain = float(values[0])
    interference = round(sum(values[1:]) / 3, 1)
    total = round(sum(values) / len(values), 1)
    return QuestionnaireScore(
        questionnaire=_PAIN_FUNCTION.id,
        total=total,
        subscales={"pain": pain, "interference": interference},
        summary=f"Pain {pain:g}/10, interference {interference:g}/10, "
        f"overall {total:g}/10 (lower is better).",
    )


def _psfs_unpaired(answers: Mapping[str, object]) -> dict[str, int]:
    """PSFS items left empty whose pair was answered: item id -> activity number."""
    missing: dict[str, int] = {}
    for n in (1, 2, 3):
        has_activity = f"activity-{n}" in answers
        has_rating = f"rating-{n}" in answers
        if has_activity != has_rating:
            missing[f"rating-{n}" if has_activity else f"activity-{n}"] = n
    return missing


def _score_psfs(answers: Mapping[str, int | str]) -> QuestionnaireScore:
    unpaired = _psfs_unpaired(answers)
    if unpaired:
        missing, n = next(iter(unpaired.items()))
        raise AnswerError(f"psfs: activity {n} needs both a name and a rating ({missing})")
    ratings: dict[str, float] = {}
    for n in (1, 2, 3):
        if f"activity-{n}" in answers:
            ratings[str(answers[f"activity-{n}"])] = float(answers[f"rating-{n}"])
    total = round(sum(ratings.values()) / len(ratings), 1)
    return QuestionnaireScore(
        questionnaire=_PSFS.id,
        total=total,
        subscales=ratings,
        summary=f"Average {total:g}/10 over {len(ratings)} activit"
        f"{'y' if len(ratings) == 1 else 'ies'} (higher is better).",
    )


def startback_risk(total: int, psychosocial: int) -> RiskGroup:
    """The STarT Back risk group from the total (0-9) and psychosocial (0-5) scores."""
    if total <= 3:
        return RiskGroup.LOW
    if psychosocial >= 4:
        return RiskGroup.HIGH
    return RiskGroup.MEDIUM


def _score_startback(answers: Mapping[str, int | str]) -> QuestionnaireScore:
    points = {item_id: int(answers[item_id]) for item_id in "12345678"}
    points["9"] = 1 if int(answers["9"]) >= _BOTHER_CHOICES.index("Very much") else 0
    total = sum(points.values())
    psychosocial = sum(points[i] for i in "56789")
    risk = startback_risk(total, psychosocial)
    return QuestionnaireScore(
        questionnaire=_STARTBACK.id,
        total=float(total),
        subscales={"psychosocial": float(psychosocial)},
        risk_group=risk,
        summary=f"Total {total}/9, psychosocial {psychosocial}/5: {risk} risk. "
        f"{RISK_MEANINGS[risk]}",
    )


_SCORERS = {
    "pain-function": _score_pain_function,
    "psfs": _score_psfs,
    "startback": _score_startback,
}


def score(name: str, answers: Mapping[str, int | str]) -> QuestionnaireScore:
    """Validate and score one questionnaire's answers.

    Args:
        name: ``pain-function``, ``psfs`` or ``startback``.
        answers: item id -> answer (see the module docstring).

    Raises:
        AnswerError: unknown name, or invalid answers.

    Example:
        >>> score("psfs", {"activity-1": "sitting", "rating-1": 4}).total
        4.0
    """
    questionnaire = get(name)
    return _SCORERS[questionnaire.id](validate(questionnaire, answers))


def read_answers(
    questionnaire: Questionnaire, typed: Mapping[str, str]
) -> tuple[dict[str, int | str], dict[str, str]]:
    """Answers typed into a form, and a plain message for each item that is wrong.

    Args:
        questionnaire: the questionnaire answered.
        typed: item id -> the text entered (missing or blank: not answered).

    Returns:
        The answers ``score`` takes (blank items left out) and item id -> message;
        the answers can be scored when there are no messages.

    Example:
        >>> read_answers(get("psfs"), {"activity-1": "sitting", "rating-1": "²"})[1]
        {'rating-1': 'Choose a whole number from 0 to 10.'}
    """
    answers: dict[str, int | str] = {}
    errors: dict[str, str] = {}
    for item in questionnaire.items:
        value = typed.get(item.id, "").strip()
        if not value:
            if not item.optional:
                errors[item.id] = "Please answer this question."
        elif item.kind is ItemKind.TEXT:
            if len(value) > MAX_TEXT_LENGTH:
                errors[item.id] = f"Please use at most {MAX_TEXT_LENGTH} characters."
            else:
                answers[item.id] = value
        else:
            number = _typed_number(value)
            top = top_value(item)
            if number is None or not 0 <= number <= top:
                errors[item.id] = (
                    f"Choose a whole number from 0 to {top}."
                    if item.kind is ItemKind.SCALE
                    else "Choose one of the answers."
                )
            else:
                answers[item.id] = number
    if questionnaire.id == _PSFS.id:
        for missing, n in _psfs_unpaired(answers).items():
            if missing not in errors:
                what = "a rating" if missing.startswith("rating") else "a name"
                errors[missing] = f"Activity {n} needs {what} too."
    return answers, errors


def _typed_number(text: str) -> int | None:
    """A whole number typed as ASCII digits (short), else None: ``²`` and 5,000 digits are not."""
    if len(text) > MAX_NUMBER_DIGITS or not (text.isascii() and text.isdecimal()):
        return None
    return int(text)


def is_due(questionnaire: Questionnaire, last_taken: date | None, *, today: date) -> bool:
    """True when a questionnaire with a schedule is due (never taken, or interval passed)."""
    if questionnaire.interval_days is None:
        return False
    return last_taken is None or (today - last_taken).days >= questionnaire.interval_days
