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
from schemathesis.generation import GenerationMode

from backcoach.config import Settings
from tests.e2e.live_server import LiveServer, running_server
from tests.support.schema_run import run_operation

MAX_EXAMPLES = 6


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = Path(tmp_path_factory.mktemp("schemathesis-data"))
    with running_server(Settings(data_dir=data, time_scale=50.0)) as live:
        yield live


def test_no_server_errors_and_documented_answers(schema_server: LiveServer) -> None:
    api = schemathesis.openapi.from_url(f"{schema_server.url}/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 10
    calls = dict.fromkeys(GenerationMode, 0)
    for operation, mode in itertools.product(operations, GenerationMode):
        calls[mode] += run_operation(operation, mode, max_examples=MAX_EXAMPLES)
    assert calls[GenerationMode.POSITIVE] >= len(operations)
    assert calls[GenerationMode.NEGATIVE] >= len(operations)
