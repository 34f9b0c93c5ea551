"""Import that cannot break the app: each finding of the trust-boundary probe, one test each.

A crafted but well-formed file (a habit amount of ``1e400`` or ``Infinity``, an
``in_progress`` session whose plan is ``{}`` ...) used to be stored and then
broke the pages and the exports; an upload was written whole before its size
was checked; the same file imported twice added everything twice. Each test
checks the plain answer and that nothing stored changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from starlette.datastructures import Headers
from starlette.formparsers import MultiPartParser
from typer.testing import CliRunner

from backcoach.cli import app as cli_app
from backcoach.config import Settings, get_settings
from backcoach.services.export import MAX_IMPORT_BYTES
from backcoach.web import uploads
from tests.e2e.live_server import running_server
from tests.integration.import_world import (
    EXPORTS,
    PAGES,
    TestClient,
    export_text,
    import_client,
    populate,
    post_import,
)

runner = CliRunner()
TOO_LARGE = "larger than 50 MB, the most an import may be; nothing was imported."


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with import_client(tmp_path / "data") as client:
        populate(client)
        yield client


@pytest.fixture
def exported(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(export_text(client))
    return document


def assert_refused(client: TestClient, response: httpx.Response, before: str, *parts: str) -> None:
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert "nothing was imported" in detail
    for part in parts:
        assert part in detail
    assert export_text(client) == before
    for path in PAGES + EXPORTS:
        assert client.get(path).status_code == 200, path


def with_habit_amount(document: dict[str, Any], token: str) -> bytes:
    """The export with its first habit log's amount written as the raw JSON ``token``."""
    document["tables"]["habit_logs"][0]["amount"] = "__amount__"
    return json.dumps(document).replace('"__amount__"', token).encode()


@pytest.mark.parametrize("token", ["1e400", "-1e400", "Infinity", "-Infinity", "NaN"])
def test_a_non_finite_habit_amount_is_refused(
    client: TestClient, exported: dict[str, Any], token: str
) -> None:
    before = export_text(client)
    response = post_import(client, with_habit_amount(exported, token))
    assert_refused(
        client,
        response,
        before,
        "field 'tables.habit_logs[0].amount': Input should be a finite number",
    )


@pytest.mark.parametrize(
    ("table", "field", "raw", "expected"),
    [
        ("screenings", "answers", '{"fever": NaN}', "numbers must be finite"),
        ("questionnaire_responses", "scores", '{"total": 1e400}', "(at total)"),
        ("settings", "value", "[1, -Infinity]", "(at [1])"),
        ("questionnaire_responses", "answers", '{"n": 12345678901234567890}', "2^53"),
        (
            "screenings",
            "answers",
            json.dumps({"a": [[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]}),
            "nested more than 20 levels deep",
        ),
        ("screenings", "answers", "[" * 300 + "]" * 300, "recursion limit exceeded"),
        ("screenings", "answers", json.dumps({"a": "x" * 10_001}), "longer than 10000"),
        ("questionnaire_responses", "answers", json.dumps({"a\u0000": 1}), "NUL"),
    ],
    ids=["nan", "huge", "minus-infinity", "big-int", "deep", "very-deep", "long", "nul-key"],
)
def test_numbers_and_nesting_inside_json_fields_are_bounded(
    client: TestClient,
    exported: dict[str, Any],
    table: str,
    field: str,
    raw: str,
    expected: str,
) -> None:
    before = export_text(client)
    exported["tables"][table][0][field] = "__raw__"
    body = json.dumps(exported).replace('"__raw__"', raw).encode()
    assert_refused(client, post_import(client, body), before, expected)


@pytest.mark.parametrize(
    ("table", "field", "value", "expected"),
    [
        ("step_events", "reps", 10**30, "less than or equal to 10000"),
        ("step_events", "step_index", 2**63, "less than 100"),
        ("step_events", "step_index", 40, "session 1 has no step 40"),
        ("sessions", "id", 0, "greater than or equal to 1"),
        ("step_events", "duration_s", 1e12, "less than or equal to 86400"),
        ("habit_logs", "amount", -5, "greater than or equal to 0"),
        ("checkins", "pain", True, "valid integer"),
        ("sessions", "started_at", "0001-01-01T00:00:00+00:00", "between the years 2000 and 2100"),
        ("screenings", "taken_at", "9999-12-31T23:59:59+00:00", "between the years 2000 and 2100"),
        ("habit_logs", "day", "1970-01-01", "between the years 2000 and 2100"),
        ("sessions", "ended_at", "2001-01-01T00:00:00+00:00", "cannot end before it started"),
        ("sessions", "program_id", "x" * 65, "at most 64 characters"),
        ("step_events", "exercise_id", "bird\u0000dog", "NUL"),
    ],
)
def test_numbers_dates_and_text_are_bounded(
    client: TestClient, exported: dict[str, Any], table: str, field: str, value: Any, expected: str
) -> None:
    before = export_text(client)
    exported["tables"][table][0][field] = value
    response = post_import(client, json.dumps(exported).encode())
    assert_refused(client, response, before, f"{table}[0]", expected)


def running_session(document: dict[str, Any]) -> dict[str, Any]:
    rows = [s for s in document["tables"]["sessions"] if s["status"] == "in_progress"]
    assert len(rows) == 1
    row: dict[str, Any] = rows[0]
    return row


def test_an_in_progress_session_whose_plan_is_empty_is_refused(
    client: TestClient, exported: dict[str, Any]
) -> None:
    before = export_text(client)
    session = running_session(exported)
    session["plan"] = {}
    exported["tables"]["step_events"] = [
        e for e in exported["tables"]["step_events"] if e["session_id"] != session["id"]
    ]
    index = exported["tables"]["sessions"].index(session)
    response = post_import(client, json.dumps(exported).encode())
    assert_refused(
        client,
        response,
        before,
        f"field 'tables.sessions[{index}].plan': the session plan cannot be loaded",
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["state"].update(step_index=99), "its current step is outside the plan"),
        (lambda s: s["state"].update(activity=None), "is doing something"),
        (lambda s: s.update(plan={**s["plan"], "steps": []}), "different session plan"),
        (lambda s: s["state"].pop("records"), "Field required (at state.records)"),
    ],
    ids=["step", "activity", "other-plan", "missing-records"],
)
def test_a_snapshot_the_session_cannot_continue_from_is_refused(
    client: TestClient, exported: dict[str, Any], change: Any, expected: str
) -> None:
    before = export_text(client)
    session = running_session(exported)
    change(session["snapshot"])
    index = exported["tables"]["sessions"].index(session)
    response = post_import(client, json.dumps(exported).encode())
    assert_refused(client, response, before, f"field 'tables.sessions[{index}].snapshot'", expected)


# --- the same file twice ------------------------------------------------------------


def test_the_same_file_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    with import_client(tmp_path / "from") as source:
        populate(source)
        body = export_text(source).encode()
    with import_client(tmp_path / "to") as client:
        first = post_import(client, body)
        assert first.status_code == 200, first.text
        assert first.json()["sessions"] == 3 and not first.json()["nothing_new"]
        assert first.json()["message"].startswith("Imported 1 screening, 3 sessions (")
        stored = export_text(client)
        assert stored == body.decode()
        second = post_import(client, body)
        assert second.status_code == 200
        assert second.json()["nothing_new"]
        assert second.json()["already_stored"] == {
            k: v for k, v in first.json().items() if k in second.json()["already_stored"]
        }
        assert second.json()["message"] == (
            "Nothing new to import: everything in backup.json is already stored. "
            "Nothing was changed."
        )
        assert export_text(client) == stored


def test_only_the_rows_not_stored_yet_are_added(
    client: TestClient, exported: dict[str, Any]
) -> None:
    """A newer export of the same data: the new session comes in, linked check-ins too."""
    stored = json.loads(export_text(client))
    newer = json.loads(json.dumps(exported))
    added = json.loads(json.dumps(running_session(exported)))
    added["id"] = 99
    added["started_at"] = added["started_at"].replace("+00:00", "+01:00")  # an hour earlier
    newer["tables"]["sessions"].append(added)
    checkin = {**newer["tables"]["checkins"][0], "at": "2030-01-01T00:00:00+00:00"}
    newer["tables"]["checkins"].append(checkin)
    response = post_import(client, json.dumps(newer).encode(), name="newer.json")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["sessions"], answer["step_events"], answer["checkins"]) == (1, 0, 1)
    assert answer["already_stored"]["sessions"] == 3
    assert answer["message"].startswith("Imported 1 session and 1 check-in from newer.json.")
    kept = "Already stored, so left as they were: 1 screening, 3 sessions (16 steps)"
    assert kept in answer["message"]
    after = json.loads(export_text(client))
    assert len(after["tables"]["sessions"]) == len(stored["tables"]["sessions"]) + 1
    # the new check-in belongs to the session that was already stored, not to a copy
    linked = [c for c in after["tables"]["checkins"] if c["at"].startswith("2030")]
    assert linked[0]["session_id"] == stored["tables"]["checkins"][0]["session_id"]


def test_a_changed_setting_replaces_the_stored_one(
    client: TestClient, exported: dict[str, Any]
) -> None:
    exported["tables"]["settings"] = [{"key": "pain_limit", "value": 4}]
    response = post_import(client, json.dumps(exported).encode())
    assert response.json()["settings"] == 1 and response.json()["already_stored"]["sessions"] == 3
    assert client.get("/api/v1/preferences").json()["pain_limit"] == 4
    again = post_import(client, json.dumps(exported).encode())
    assert again.json()["nothing_new"]


def test_the_settings_page_says_so_too(client: TestClient) -> None:
    body = export_text(client).encode()
    page = client.get("/settings")
    # the upload form carries its token in its action URL (the body is never pre-read)
    action = re.search(r'action="(/settings/import\?csrf_token=[^"]+)"', page.text)
    assert action is not None
    answer = client.post(
        action.group(1), files={"file": ("backup.json", body, "application/json")}
    )
    assert answer.status_code == 200
    assert "Nothing new to import: everything in backup.json is already stored." in answer.text
    broken = client.post(
        action.group(1), files={"file": ("broken.json", b'{"format": 1', "application/json")}
    )
    assert broken.status_code == 422
    assert "broken.json is not a valid backcoach export; nothing was imported." in broken.text


def cli_import(tmp_path: Path, path: Path) -> str:
    get_settings.cache_clear()
    result = runner.invoke(
        cli_app, ["import", str(path)], env={"BACKCOACH_DATA_DIR": str(tmp_path)}
    )
    get_settings.cache_clear()
    output = " ".join(result.output.split())
    assert "Traceback" not in output
    return f"{result.exit_code} {output}"


def test_the_cli_imports_a_file_once_and_says_so_the_second_time(
    client: TestClient, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.json"
    backup.write_text(export_text(client), encoding="utf-8")
    first = cli_import(tmp_path / "cli-data", backup)
    assert first.startswith("0 Imported 1 screening, 3 sessions (16 steps), 3 check-ins")
    second = cli_import(tmp_path / "cli-data", backup)
    assert second == (
        f"0 Nothing new to import: everything in {backup} is already stored. Nothing was changed."
    )


def test_the_cli_refuses_a_file_over_the_limit_without_reading_it_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as file:
        file.truncate(MAX_IMPORT_BYTES + 1)  # sparse: no 50 MB written to disk
    answer = cli_import(tmp_path / "cli-data", big)
    assert answer == f"1 Error: {big} is {TOO_LARGE}"


# --- the size limit ---------------------------------------------------------------


class CountingParser(MultiPartParser):
    """The real multipart parser, counting the bytes it is given."""

    seen: ClassVar[list[int]] = []

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], **kw: Any) -> None:
        count = len(CountingParser.seen)
        CountingParser.seen.append(0)

        async def counted() -> AsyncGenerator[bytes, None]:
            async for chunk in stream:
                CountingParser.seen[count] += len(chunk)
                yield chunk

        super().__init__(headers, counted(), **kw)


@pytest.fixture
def counting_parser(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    CountingParser.seen = []
    monkeypatch.setattr(uploads, "MultiPartParser", CountingParser)
    return CountingParser.seen


def multipart_chunks(size: int, boundary: str = "b0undary") -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.json"\r\nContent-Type: application/json\r\n\r\n'
    ).encode()
    chunk = b" " * 2**20
    for _ in range(size // len(chunk)):
        yield chunk
    yield b" " * (size % len(chunk))
    yield f"\r\n--{boundary}--\r\n".encode()


def test_the_settings_page_upload_is_capped_while_it_streams_too(
    client: TestClient, counting_parser: list[int]
) -> None:
    before = export_text(client)
    page = client.get("/settings")
    action = re.search(r'action="(/settings/import\?csrf_token=[^"]+)"', page.text)
    assert action is not None
    response = client.post(
        action.group(1),
        files={"file": ("big.json", b" " * (MAX_IMPORT_BYTES + 1), "application/json")},
    )
    assert response.status_code == 413
    assert TOO_LARGE in response.text
    assert counting_parser[0] <= MAX_IMPORT_BYTES + uploads.FORM_OVERHEAD
    assert export_text(client) == before


def test_a_file_one_byte_over_the_limit_is_refused(
    client: TestClient, counting_parser: list[int]
) -> None:
    before = export_text(client)
    response = post_import(client, b" " * (MAX_IMPORT_BYTES + 1), name="big.json")
    assert response.status_code == 413
    assert response.json()["detail"] == f"big.json is {TOO_LARGE}"
    assert counting_parser[0] <= MAX_IMPORT_BYTES + uploads.FORM_OVERHEAD
    assert export_text(client) == before


def test_a_request_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, counting_parser: list[int]
) -> None:
    before = export_text(client)
    size = MAX_IMPORT_BYTES + uploads.FORM_OVERHEAD
    response = post_import(client, b" " * size, name="big.json")
    assert response.status_code == 413
    assert response.json()["detail"] == f"The file is {TOO_LARGE}"
    assert counting_parser == []  # Content-Length said it all: the body was never parsed
    assert export_text(client) == before


def test_a_file_of_exactly_the_limit_is_read(
    client: TestClient, exported: dict[str, Any], counting_parser: list[int]
) -> None:
    text = json.dumps(exported)
    body = text.encode() + b" " * (MAX_IMPORT_BYTES - len(text.encode()))
    response = post_import(client, body)
    assert response.status_code == 200, response.text[:500]
    assert response.json()["nothing_new"]
    assert len(counting_parser) == 1 and counting_parser[0] > MAX_IMPORT_BYTES


def test_a_streamed_upload_is_cut_off_at_the_limit(
    tmp_path: Path, counting_parser: list[int]
) -> None:
    """Chunked, with no Content-Length: counted while it streams into a real server."""
    with running_server(Settings(data_dir=tmp_path / "data")) as live:
        response = httpx.post(
            f"{live.url}/api/v1/import",
            content=multipart_chunks(MAX_IMPORT_BYTES + 8 * 2**20),
            headers={"Content-Type": "multipart/form-data; boundary=b0undary"},
            timeout=60,
        )
        assert response.status_code == 413
        assert response.json()["detail"] == f"The file is {TOO_LARGE}"
        assert counting_parser[0] <= MAX_IMPORT_BYTES + uploads.FORM_OVERHEAD
        assert httpx.get(f"{live.url}/api/v1/history").json()["sessions"] == []


def test_a_sized_upload_over_the_limit_gets_its_answer_from_a_real_server(
    tmp_path: Path,
) -> None:
    """The server reads the rest of the body without keeping it, so the client sees the 413."""
    with running_server(Settings(data_dir=tmp_path / "data")) as live:
        response = httpx.post(
            f"{live.url}/api/v1/import",
            files={"file": ("big.json", b" " * (MAX_IMPORT_BYTES + 1), "application/json")},
            timeout=60,
        )
    assert response.status_code == 413
    assert TOO_LARGE in response.json()["detail"]


@pytest.mark.parametrize(
    ("request_args", "expected"),
    [
        ({"json": {"format": "backcoach-export"}}, "Send the export file as a multipart form"),
        ({"data": {"note": "no file"}, "files": {"other": ("x", b"1")}}, "No file was sent"),
        (
            {"content": b"--x\r\n", "headers": {"Content-Type": "multipart/form-data"}},
            "The upload could not be read",
        ),
        ({"files": {"file": ("x.json", b"\xff\xfe{}")}}, "x.json is not a text file"),
    ],
    ids=["json-body", "no-file-field", "no-boundary", "not-utf8"],
)
def test_an_upload_that_is_not_a_file_is_refused_plainly(
    client: TestClient, request_args: dict[str, Any], expected: str
) -> None:
    before = export_text(client)
    response = client.post("/api/v1/import", **request_args)
    assert_refused(client, response, before, expected)
