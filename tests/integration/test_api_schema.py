"""schemathesis against the live app's /openapi.json: generated requests never cause a 5xx.

Also checks that answers match the documented schema and status codes. Bounded
(a few examples per operation) so the whole file runs in well under a minute.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation

from backcoach.config import Settings
from tests.e2e.live_server import LiveServer, running_server

MAX_EXAMPLES = 6
CHECKS = {
    # valid requests: no server error, and the answer is what the schema documents
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        response_schema_conformance,
    ],
    # invalid requests: never a server error (they are rejected with 4xx)
    GenerationMode.NEGATIVE: [not_a_server_error],
}


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = Path(tmp_path_factory.mktemp("schemathesis-data"))
    with running_server(Settings(data_dir=data, time_scale=50.0)) as live:
        yield live


def exercise(operation: APIOperation, mode: GenerationMode) -> int:
    """Run up to MAX_EXAMPLES generated requests against one operation; returns how many."""
    calls = 0
    checks = CHECKS[mode]

    @given(case=operation.as_strategy(mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: schemathesis.Case) -> None:
        nonlocal calls
        calls += 1
        case.call_and_validate(checks=checks)

    try:
        check()
    except Unsatisfiable:
        # an operation without parameters has no invalid requests to generate
        assert mode is GenerationMode.NEGATIVE, operation.label
    return calls


def test_no_server_errors_and_documented_answers(schema_server: LiveServer) -> None:
    api = schemathesis.openapi.from_url(f"{schema_server.url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10
    calls = dict.fromkeys(GenerationMode, 0)
    for operation, mode in itertools.product(operations, GenerationMode):
        calls[mode] += exercise(operation, mode)
    assert calls[GenerationMode.POSITIVE] >= len(operations)
    assert calls[GenerationMode.NEGATIVE] >= len(operations)
