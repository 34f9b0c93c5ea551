"""schemathesis runs shared by the schema tests: generated requests against one operation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    CheckFunction,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation

CHECKS: dict[GenerationMode, list[CheckFunction]] = {
    # valid requests: no server error, and the answer is what the schema documents
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        response_schema_conformance,
    ],
    # invalid requests: never a server error (they are rejected with 4xx)
    GenerationMode.NEGATIVE: [not_a_server_error],
}

Headers = dict[str, Any] | Callable[[], dict[str, Any]]


def run_operation(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    *,
    max_examples: int,
    base_url: str | None = None,
    headers: Headers | None = None,
) -> int:
    """Run up to ``max_examples`` generated requests against one operation; returns how many.

    ``headers`` may be a function: it is called before each request, so a caller
    that can be signed out by a generated request signs in again first.
    """
    calls = 0
    checks = CHECKS[mode]

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case[Any]) -> None:
        nonlocal calls
        calls += 1
        sent = headers() if callable(headers) else headers
        case.call_and_validate(base_url=base_url, headers=sent, checks=checks)

    try:
        check()
    except Unsatisfiable:
        # an operation without parameters has no invalid requests to generate
        assert mode is GenerationMode.NEGATIVE, operation.label
    return calls
