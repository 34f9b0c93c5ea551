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

Languages: ``Questionnaire.localized()`` gives a questionnaire in the language
in use. Pain and function and the PSFS are translated. STarT Back's licence
allows only validated translations, so its questions and answers stay in the
English original in every language; ``language_note`` then says why (empty in
English), and its risk groups and their meanings are translated
(``risk_label``, ``risk_meaning``). A score's ``summary`` is English (it is
stored); ``summary_text`` words a score, stored or new, in the language in use.

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
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from backcoach.coach.wording import plain_number
from backcoach.errors import UsageError
from backcoach.i18n import DEFAULT_LANGUAGE, N_, _, current_language, ngettext, use_language

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
    #: False: only the original wording may be shown (a licence allows no translation of ours).
    translated: bool = True
    #: Why the questions are in English, when they are (set by ``localized``; empty in English).
    language_note: str = ""

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise AnswerError(
            _("{questionnaire}: unknown item '{item}'").format(questionnaire=self.id, item=item_id)
        )

    def localized(self) -> Questionnaire:
        """This questionnaire as it is shown in the language in use.

        A translated questionnaire gets its title, intro, questions, scale ends
        and answers translated. One that is shown only in its original wording
        (``translated`` False: STarT Back) keeps them, and outside English gets
        ``language_note`` saying why; its licence notice is translated.

        Example:
            >>> with use_language("de"):  # doctest: +SKIP
            ...     get("startback").localized().language_note
            'Der STarT-Back-Fragebogen wird im englischen Original gezeigt, ...'
        """
        if not self.translated:
            note = _(ORIGINAL_ONLY_NOTE) if current_language() != DEFAULT_LANGUAGE else ""
            return replace(self, notice=_(self.notice), language_note=note)
        items = tuple(
            replace(
                item,
                text=_(item.text),
                choices=tuple(_(choice) for choice in item.choices),
                low=_(item.low),
                high=_(item.high),
            )
            for item in self.items
        )
        return replace(
            self, title=_(self.title), intro=_(self.intro), notice=_(self.notice), items=items
        )


class RiskGroup(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


#: What each STarT Back risk group means, in one line (the tool's usual care pathways).
#: English msgids: show them with ``risk_meaning``.
RISK_MEANINGS: Mapping[RiskGroup, str] = {
    RiskGroup.LOW: N_(
        "Back pain like this usually gets better with staying active, simple "
        "exercise and reassurance."
    ),
    RiskGroup.MEDIUM: N_(
        "Physical factors are slowing recovery; a course of physiotherapy is "
        "often recommended alongside these exercises."
    ),
    RiskGroup.HIGH: N_(
        "Worry, low mood or fear of movement are adding to the pain; a "
        "physiotherapist or doctor who looks at both body and mind can help most."
    ),
}
#: Each STarT Back risk group's name (English msgids: show them with ``risk_label``).
RISK_LABELS: Mapping[RiskGroup, str] = {
    RiskGroup.LOW: N_("low risk"),
    RiskGroup.MEDIUM: N_("medium risk"),
    RiskGroup.HIGH: N_("high risk"),
}
#: Shown with STarT Back outside English (``Questionnaire.language_note``).
ORIGINAL_ONLY_NOTE = N_(
    "The STarT Back questionnaire is shown in its English original, because its licence "
    "allows only validated translations."
)


def risk_label(group: RiskGroup | str) -> str:
    """A risk group's name in the language in use: ``high risk``, ``hohes Risiko``."""
    return _(RISK_LABELS[RiskGroup(group)])


def risk_meaning(group: RiskGroup | str) -> str:
    """What a risk group means, in one line, in the language in use."""
    return _(RISK_MEANINGS[RiskGroup(group)])


@dataclass(frozen=True)
class QuestionnaireScore:
    questionnaire: str
    total: float
    subscales: Mapping[str, float] = field(default_factory=dict)
    risk_group: RiskGroup | None = None
    summary: str = ""  # in English, as it is stored (``shown_summary``: in the language in use)

    @property
    def shown_summary(self) -> str:
        """The summary in the language in use."""
        return summary_text(
            self.questionnaire,
            {"total": self.total, "subscales": self.subscales, "risk_group": self.risk_group},
        )


_PAIN_FUNCTION = Questionnaire(
    id="pain-function",
    title=N_("Pain and function check"),
    intro=N_("A quick look at the last 7 days. Answer each with a number from 0 to 10."),
    interval_days=PAIN_FUNCTION_INTERVAL_DAYS,
    items=(
        Item(
            "pain",
            N_("On average, how strong was your back pain over the last 7 days?"),
            ItemKind.SCALE,
            low=N_("no pain"),
            high=N_("the worst pain you can imagine"),
        ),
        Item(
            "interference-activity",
            N_("How much did the pain get in the way of your daily activities, including work?"),
            ItemKind.SCALE,
            low=N_("not at all"),
            high=N_("I could not do them"),
        ),
        Item(
            "interference-sleep",
            N_("How much did the pain get in the way of your sleep?"),
            ItemKind.SCALE,
            low=N_("not at all"),
            high=N_("I could hardly sleep"),
        ),
        Item(
            "interference-mood",
            N_("How much did the pain get in the way of your mood and enjoying life?"),
            ItemKind.SCALE,
            low=N_("not at all"),
            high=N_("completely"),
        ),
    ),
)


_PSFS_ACTIVITIES = (
    N_("Activity 1: something you find hard or cannot do because of your back"),
    N_(
        "Activity 2: something you find hard or cannot do because of your back "
        "(leave empty to finish)"
    ),
    N_(
        "Activity 3: something you find hard or cannot do because of your back "
        "(leave empty to finish)"
    ),
)
_PSFS_RATINGS = (
    N_("How well can you do activity 1 today?"),
    N_("How well can you do activity 2 today?"),
    N_("How well can you do activity 3 today?"),
)


def _psfs_items() -> tuple[Item, ...]:
    items: list[Item] = []
    for n, (activity, rating) in enumerate(zip(_PSFS_ACTIVITIES, _PSFS_RATINGS, strict=True), 1):
        items.append(Item(f"activity-{n}", activity, ItemKind.TEXT, optional=n > 1))
        items.append(
            Item(
                f"rating-{n}",
                rating,
                ItemKind.SCALE,
                low=N_("unable to do it"),
                high=N_("able to do it as well as before"),
                optional=n > 1,
            )
        )
    return tuple(items)


_PSFS = Questionnaire(
    id="psfs",
    title=N_("Patient-Specific Functional Scale"),
    intro=N_(
        "Name up to 3 everyday activities that your back makes hard, and rate how well you "
        "can do each one today. Use the same activities each time to see your progress."
    ),
    items=_psfs_items(),
)

STARTBACK_NOTICE = N_(
    "Keele STarT Back Screening Tool © Keele University 2007, all rights reserved. Free for "
    "non-commercial use; commercial use needs a licence from Keele University."
)

_BOTHER_CHOICES = ("Not at all", "Slightly", "Moderately", "Very much", "Extremely")

_STARTBACK = Questionnaire(
    id="startback",
    title="Keele STarT Back Screening Tool",
    intro="Thinking about the last 2 weeks, tick your response to the following questions.",
    notice=STARTBACK_NOTICE,
    translated=False,
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
            _("unknown questionnaire '{name}'; choose one of: {names}").format(
                name=name, names=", ".join(NAMES)
            )
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
        raise AnswerError(
            _("{questionnaire}: item '{item}' needs a whole number").format(
                questionnaire=questionnaire.id, item=item.id
            )
        )
    top = top_value(item)
    if not 0 <= value <= top:
        raise AnswerError(
            _("{questionnaire}: item '{item}' must be from 0 to {top}, got {value}").format(
                questionnaire=questionnaire.id, item=item.id, top=top, value=value
            )
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
        raise AnswerError(
            _("{questionnaire}: unknown item(s): {items}").format(
                questionnaire=questionnaire.id, items=", ".join(unknown)
            )
        )
    clean: dict[str, int | str] = {}
    for item in questionnaire.items:
        value = answers.get(item.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            if not item.optional:
                raise AnswerError(
                    _("{questionnaire}: please answer item '{item}'").format(
                        questionnaire=questionnaire.id, item=item.id
                    )
                )
            continue
        if item.kind is ItemKind.TEXT:
            if not isinstance(value, str):
                raise AnswerError(
                    _("{questionnaire}: item '{item}' needs text").format(
                        questionnaire=questionnaire.id, item=item.id
                    )
                )
            if len(value.strip()) > MAX_TEXT_LENGTH:
                raise AnswerError(
                    _("{questionnaire}: item '{item}' must be at most {limit} characters").format(
                        questionnaire=questionnaire.id, item=item.id, limit=MAX_TEXT_LENGTH
                    )
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
    subscales = {"pain": pain, "interference": interference}
    return QuestionnaireScore(
        questionnaire=_PAIN_FUNCTION.id,
        total=total,
        subscales=subscales,
        summary=_stored_summary(_PAIN_FUNCTION.id, total, subscales, None),
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
        raise AnswerError(
            _("psfs: activity {n} needs both a name and a rating ({item})").format(
                n=n, item=missing
            )
        )
    ratings: dict[str, float] = {}
    for n in (1, 2, 3):
        if f"activity-{n}" in answers:
            ratings[str(answers[f"activity-{n}"])] = float(answers[f"rating-{n}"])
    total = round(sum(ratings.values()) / len(ratings), 1)
    return QuestionnaireScore(
        questionnaire=_PSFS.id,
        total=total,
        subscales=ratings,
        summary=_stored_summary(_PSFS.id, total, ratings, None),
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
    subscales = {"psychosocial": float(psychosocial)}
    return QuestionnaireScore(
        questionnaire=_STARTBACK.id,
        total=float(total),
        subscales=subscales,
        risk_group=risk,
        summary=_stored_summary(_STARTBACK.id, float(total), subscales, risk),
    )


def summary_text(name: str, scores: Mapping[str, object]) -> str:
    """A score's summary in the language in use, from the score as it is stored.

    Args:
        name: the questionnaire's id.
        scores: ``total``, ``subscales`` and ``risk_group`` (the stored score's JSON, or a
            ``QuestionnaireScore``'s fields).

    Returns:
        The summary, or an empty text when ``scores`` lacks what it needs.

    Example:
        >>> scores = {"total": 4.5, "subscales": {"pain": 5, "interference": 4}}
        >>> summary_text("pain-function", scores)
        'Pain 5/10, interference 4/10, overall 4.5/10 (lower is better).'
    """
    total, subscales, risk = scores.get("total"), scores.get("subscales"), scores.get("risk_group")
    if not isinstance(total, int | float) or not isinstance(subscales, Mapping):
        return ""
    if name == _PAIN_FUNCTION.id:
        pain, interference = subscales.get("pain"), subscales.get("interference")
        if not isinstance(pain, int | float) or not isinstance(interference, int | float):
            return ""
        return _(
            "Pain {pain}/10, interference {interference}/10, overall {total}/10 (lower is better)."
        ).format(
            pain=plain_number(pain),
            interference=plain_number(interference),
            total=plain_number(total),
        )
    if name == _PSFS.id:
        count = len(subscales)
        return ngettext(
            "Average {total}/10 over {n} activity (higher is better).",
            "Average {total}/10 over {n} activities (higher is better).",
            count,
        ).format(total=plain_number(total), n=count)
    psychosocial = subscales.get("psychosocial")
    if name != _STARTBACK.id or not isinstance(psychosocial, int | float):
        return ""
    if risk not in {group.value for group in RiskGroup}:
        return ""
    assert isinstance(risk, str)
    return _("Total {total}/9, psychosocial {psychosocial}/5: {risk}. {meaning}").format(
        total=plain_number(total),
        psychosocial=plain_number(psychosocial),
        risk=risk_label(risk),
        meaning=risk_meaning(risk),
    )


def _stored_summary(
    name: str, total: float, subscales: Mapping[str, float], risk: RiskGroup | None
) -> str:
    """The summary as it is stored: in English, whatever the language in use."""
    with use_language(DEFAULT_LANGUAGE):
        return summary_text(name, {"total": total, "subscales": subscales, "risk_group": risk})


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
                errors[item.id] = _("Please answer this question.")
        elif item.kind is ItemKind.TEXT:
            if len(value) > MAX_TEXT_LENGTH:
                errors[item.id] = _("Please use at most {limit} characters.").format(
                    limit=MAX_TEXT_LENGTH
                )
            else:
                answers[item.id] = value
        else:
            number = _typed_number(value)
            top = top_value(item)
            if number is None or not 0 <= number <= top:
                errors[item.id] = (
                    _("Choose a whole number from 0 to {top}.").format(top=top)
                    if item.kind is ItemKind.SCALE
                    else _("Choose one of the answers.")
                )
            else:
                answers[item.id] = number
    if questionnaire.id == _PSFS.id:
        for missing, n in _psfs_unpaired(answers).items():
            if missing not in errors:
                errors[missing] = (
                    _("Activity {n} needs a rating too.")
                    if missing.startswith("rating")
                    else _("Activity {n} needs a name too.")
                ).format(n=n)
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
