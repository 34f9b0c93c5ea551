"""Questionnaire responses with their scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcoach.store.models import QuestionnaireResponse


def add_questionnaire_response(
    db: Session,
    *,
    user_id: int,
    name: str,
    taken_at: datetime,
    answers: dict[str, Any],
    scores: dict[str, Any],
) -> QuestionnaireResponse:
    response = QuestionnaireResponse(
        user_id=user_id, name=name, taken_at=taken_at, answers=answers, scores=scores
    )
    db.add(response)
    db.flush()
    return response


def list_questionnaire_responses(
    db: Session, *, user_id: int, name: str | None = None
) -> list[QuestionnaireResponse]:
    """The user's responses, oldest first (of one questionnaire when ``name`` is given)."""
    query = select(QuestionnaireResponse).where(QuestionnaireResponse.user_id == user_id)
    if name is not None:
        query = query.where(QuestionnaireResponse.name == name)
    return list(
        db.scalars(query.order_by(QuestionnaireResponse.taken_at, QuestionnaireResponse.id))
    )


def latest_questionnaire_response(
    db: Session, *, user_id: int, name: str
) -> QuestionnaireResponse | None:
    return db.scalars(
        select(QuestionnaireResponse)
        .where(QuestionnaireResponse.user_id == user_id, QuestionnaireResponse.name == name)
        .order_by(QuestionnaireResponse.taken_at.desc(), QuestionnaireResponse.id.desc())
        .limit(1)
    ).one_or_none()
