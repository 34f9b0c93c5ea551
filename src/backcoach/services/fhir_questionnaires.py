"""Questionnaires in the FHIR export: backcoach's own ``Questionnaire`` resources, every
stored response as a ``QuestionnaireResponse``, and the STarT Back scores as Observations.

- The pain and function check and the PSFS are backcoach's own questionnaires
  (``coach.questionnaires``): each is a ``Questionnaire`` with the canonical url
  ``https://backcoach.invalid/fhir/Questionnaire/<id>``, one item per item there
  (same ``linkId``, text, type ``integer`` for a 0-10 scale with its 0 and 10
  in ``minValue``/``maxValue``, ``string`` for a PSFS activity), included in the
  Bundle when a response to it is.
- STarT Back answers point to the LOINC panel 91349-1 (``http://loinc.org/q/91349-1``),
  which is not included (Keele University holds its copyright). Each item's
  ``linkId`` is its LOINC code (91340-0 ... 91348-3); an agree item's answer is
  a Coding (0 disagree, 1 agree), item 9's the index of the answer chosen (0
  "Not at all" ... 4 "Extremely"), each with its words as ``display``. Its
  total (LOINC 91351-7, 0-9), distress subscore (91350-9, 0-5: the
  psychosocial items 5-9) and risk level (91352-5, coded with LOINC's answers
  LA9194-7 low, LA8982-6 medium, LA9193-9 high) are Observations
  ``derivedFrom`` the response, with the scores stored when it was answered.
- A response to a questionnaire backcoach no longer knows (from an imported
  file) keeps its answers by their stored ids, against backcoach's url for it.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaire import QuestionnaireItem
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse as FhirResponse,
)
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)

from backcoach.coach.questionnaires import QUESTIONNAIRES, Item, ItemKind, Questionnaire
from backcoach.services.fhir_base import (
    BACKCOACH,
    LOINC,
    Ids,
    concept,
    reference,
    survey_category,
)
from backcoach.store import QuestionnaireResponse

STARTBACK = "startback"
STARTBACK_PANEL = "http://loinc.org/q/91349-1"
STARTBACK_TOTAL = ("91351-7", "Total score [STarT Back]")
STARTBACK_DISTRESS = ("91350-9", "Distress subscore [STarT Back]")
STARTBACK_RISK = ("91352-5", "STarT Back Screening risk level")
#: LOINC's codes of the nine STarT Back items, by backcoach's item id.
STARTBACK_ITEMS = {
    "1": "91340-0",
    "2": "91341-8",
    "3": "91342-6",
    "4": "91343-4",
    "5": "91344-2",
    "6": "91345-9",
    "7": "91346-7",
    "8": "91347-5",
    "9": "91348-3",
}
#: LOINC's answers for the risk level (answer list LL3578-3).
RISK_ANSWERS = {"low": "LA9194-7", "medium": "LA8982-6", "high": "LA9193-9"}
#: Questionnaires backcoach publishes itself (STarT Back is LOINC's).
OWN = ("pain-function", "psfs")

_MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
_MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
_AGREE = ("Disagree", "Agree")


def canonical(name: str) -> str:
    """The canonical url of the questionnaire called ``name`` (STarT Back: LOINC's panel)."""
    return STARTBACK_PANEL if name == STARTBACK else f"{BACKCOACH}/Questionnaire/{name}"


def _item(item: Item) -> QuestionnaireItem:
    if item.kind is ItemKind.SCALE:
        return QuestionnaireItem(
            linkId=item.id,
            text=f"{item.text} (0 = {item.low}, 10 = {item.high})",
            type="integer",
            required=not item.optional,
            extension=[
                Extension(url=_MIN_VALUE, valueInteger=0),
                Extension(url=_MAX_VALUE, valueInteger=10),
            ],
        )
    return QuestionnaireItem(
        linkId=item.id, text=item.text, type="string", required=not item.optional
    )


def questionnaire_resource(name: str) -> FhirQuestionnaire:
    """backcoach's own questionnaire ``name`` (one of ``OWN``) as a Questionnaire."""
    questionnaire = QUESTIONNAIRES[name]
    return FhirQuestionnaire(
        id=Ids.shared("questionnaire", name),
        url=canonical(name),
        name=name.replace("-", "_"),
        title=questionnaire.title,
        status="active",
        subjectType=["Patient"],
        description=questionnaire.intro,
        item=[_item(item) for item in questionnaire.items],
    )


def _coded(item: Item, value: int) -> QuestionnaireResponseItemAnswer:
    words = _AGREE if item.kind is ItemKind.AGREE else item.choices
    return QuestionnaireResponseItemAnswer(
        valueCoding=Coding(
            system=f"{BACKCOACH}/CodeSystem/startback-{item.id}",
            code=str(value),
            display=words[value] if 0 <= value < len(words) else str(value),
        )
    )


def _answer(item: Item | None, value: Any) -> QuestionnaireResponseItemAnswer:
    """One answer: by the item's kind when the item is known, else by the value's type."""
    whole = isinstance(value, int) and not isinstance(value, bool)
    if item is not None and whole and item.kind in (ItemKind.AGREE, ItemKind.CHOICE):
        return _coded(item, value)
    if isinstance(value, bool):
        return QuestionnaireResponseItemAnswer(valueBoolean=value)
    if whole:
        return QuestionnaireResponseItemAnswer(valueInteger=value)
    if isinstance(value, float):
        return QuestionnaireResponseItemAnswer(valueDecimal=value)
    return QuestionnaireResponseItemAnswer(valueString=str(value))


def _answered(known: Questionnaire | None, answers: dict[str, Any]) -> list[tuple[str, Any]]:
    """(item id, answer) in the questionnaire's order; unknown ids after, as stored."""
    order = [item.id for item in known.items] if known is not None else []
    first = [(key, answers[key]) for key in order if answers.get(key) is not None]
    rest = [(key, value) for key, value in answers.items() if key not in order]
    return first + [(key, value) for key, value in rest if value is not None]


def response_resource(row: QuestionnaireResponse, ids: Ids) -> FhirResponse:
    """The stored response ``row`` as a QuestionnaireResponse of the patient."""
    known = QUESTIONNAIRES.get(row.name)
    link_ids = STARTBACK_ITEMS if row.name == STARTBACK else {}
    items = []
    for key, value in _answered(known, row.answers):
        item = None
        if known is not None:
            item = next((i for i in known.items if i.id == key), None)
        items.append(
            QuestionnaireResponseItem(
                linkId=link_ids.get(key, key),
                text=item.text if item is not None else None,
                answer=[_answer(item, value)],
            )
        )
    patient = reference(ids.patient)
    return FhirResponse(
        id=ids.of("questionnaire-response", row.id),
        questionnaire=canonical(row.name),
        status="completed",
        subject=patient,
        author=patient,
        source=patient,
        authored=row.taken_at,
        item=items or None,
    )


def _number(value: object) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(value)
    return None


def startback_observations(row: QuestionnaireResponse, ids: Ids) -> list[Observation]:
    """The STarT Back total, distress subscore and risk level stored with ``row``."""
    common: dict[str, Any] = {
        "status": "final",
        "category": survey_category(),
        "subject": reference(ids.patient),
        "effectiveDateTime": row.taken_at,
        "derivedFrom": [reference(ids.of("questionnaire-response", row.id))],
    }
    found: list[Observation] = []
    subscales = row.scores.get("subscales")
    scores = (
        (STARTBACK_TOTAL, _number(row.scores.get("total"))),
        (
            STARTBACK_DISTRESS,
            _number(subscales.get("psychosocial")) if isinstance(subscales, dict) else None,
        ),
    )
    for code, value in scores:
        if value is not None:
            found.append(
                Observation(
                    id=ids.of(f"startback-{code[0]}", row.id),
                    code=concept(LOINC, *code),
                    valueInteger=value,
                    **common,
                )
            )
    risk = row.scores.get("risk_group")
    if risk in RISK_ANSWERS:
        found.append(
            Observation(
                id=ids.of(f"startback-{STARTBACK_RISK[0]}", row.id),
                code=concept(LOINC, *STARTBACK_RISK),
                valueCodeableConcept=concept(
                    LOINC, RISK_ANSWERS[risk], risk.capitalize(), f"{risk.capitalize()} risk"
                ),
                **common,
            )
        )
    return found


def own_answered(rows: list[QuestionnaireResponse]) -> list[str]:
    """backcoach's own questionnaires answered in ``rows``, in ``OWN`` order."""
    answered = {row.name for row in rows}
    return [name for name in OWN if name in answered]
