"""Import that cannot break the app: any mutation of a real export is refused cleanly or harmless.

The export is made through the real services (``import_world.populate``), then
mutated: values replaced (wrong types, out of range, huge, infinite, NaN, the
token ``1e400``, odd unicode, deep nesting, values moved from elsewhere in the
file), keys removed or added, rows repeated, the text cut short or made
invalid UTF-8. Each example imports the result through the JSON API on a
real SQLite file, after resetting the database to empty or to the original
data. Either the import is refused with a 400, a plain message and not one
row written, or it is accepted and every page, both exports and the player
of every stored session still answer 200, every session takes a next step,
and importing the same file again changes nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from backcoach.store import WorkoutSession
from tests.integration.import_world import (
    EXPORTS,
    PAGES,
    READERS,
    SESSION_READERS,
    TestClient,
    export_text,
    import_client,
    populate,
    post_import,
    reset,
    store,
)

EXAMPLES = 500
HUGE = "__1e400__"  # written as the bare token 1e400, which Python's json cannot produce


def _nested(depth: int, inner: Any = 0) -> Any:
    for _ in range(depth):
        inner = [inner]
    return inner


ODD_VALUES: list[Any] = [
    float("nan"), float("inf"), float("-inf"), HUGE, 1e308, -0.0, 0.5, 2.5e-300,
    -1, 0, 1, 10, 11, 99, 100, 101, 2**31, 2**53 + 1, 2**63, -(2**63) - 1, 10**40,
    True, False, None, "", " ", "\x00", "a\x00b", "²", "٣", "\ud800", "🙂" * 40,
    "\u202eevil", "\ufeff", "x" * 65, "y" * 20_000,
    "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "1970-01-01T00:00:00+00:00",
    "2026-03-02T07:00:00", "2026-02-30T07:00:00+00:00", "2026-03-02", "2099-12-31T23:59:59-23:59",
    "in_progress", "completed", "quit", "abandoned", "running", "paused", "finished",
    "not-started", "reps", "hold", "timed", "breathing", "count-reps", "rest", "idle", "work",
    "before", "during", "after", "left", "easier", "harder", "manual", "camera",
    [], {}, [[]], {"steps": []}, _nested(300), _nested(25), {"a": _nested(30)},
]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _leaves(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
    else:
        yield node


def _nearby(value: Any) -> st.SearchStrategy[Any]:
    """Values close to ``value``: off by a little, scaled, negated, as text."""
    if isinstance(value, bool):
        return st.just(not value)
    if not isinstance(value, int | float):
        return st.just(value)
    return st.sampled_from([value + 1, value - 1, -value, value * 10**6, value / 3, 0])


def _child(draw: st.DrawFn, node: dict[str, Any] | list[Any]) -> Any:
    if isinstance(node, dict):
        return draw(st.sampled_from(sorted(node)))
    return draw(st.integers(0, len(node) - 1))


# (Hypothesis draws the first choice more often than the others.)
deeper = st.sampled_from([True, True, True, False])


def _place(draw: st.DrawFn, doc: dict[str, Any]) -> tuple[Any, Any]:
    """A (container, key) somewhere in ``doc``, most often inside a row."""
    tables = doc.get("tables")
    filled = (
        sorted(n for n, rows in tables.items() if rows and isinstance(rows, dict | list))
        if isinstance(tables, dict)
        else []
    )
    if filled and draw(st.sampled_from(["a row"] * 19 + ["the top"])) == "a row":
        rows = tables[draw(st.sampled_from(filled))]
        parent, key = rows, _child(draw, rows)
    else:
        parent, key = doc, _child(draw, doc)
    while isinstance(parent[key], dict | list) and parent[key] and draw(deeper):
        parent = parent[key]
        key = _child(draw, parent)
    return parent, key


def _mutate(draw: st.DrawFn, doc: dict[str, Any], leaves: list[Any], *, plausible: bool) -> None:
    """One change at one place; a plausible one keeps the value's type and stays nearby."""
    parent, key = _place(draw, doc)
    kin = [leaf for leaf in leaves if type(leaf) is type(parent[key])] or leaves
    if plausible:
        parent[key] = draw(st.sampled_from(kin) | _nearby(parent[key]))
        return
    op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "extra", "repeat"]))
    if op == "replace":
        parent[key] = draw(
            st.sampled_from(ODD_VALUES) | st.sampled_from(leaves) | st.sampled_from(kin)
            | _nearby(parent[key]) | json_values
        )  # fmt: skip
    elif op == "delete":
        del parent[key]
    elif op == "extra":
        target = parent[key] if isinstance(parent[key], dict) else parent
        if isinstance(target, dict):
            target[draw(st.text(max_size=10))] = draw(st.sampled_from(ODD_VALUES) | json_values)
        else:
            target.append(draw(st.sampled_from(ODD_VALUES) | st.sampled_from(leaves)))
    elif isinstance(parent, list):
        parent.insert(key, copy.deepcopy(parent[key]))
    else:
        parent[key] = [copy.deepcopy(parent[key])]


def mutated_files(base: dict[str, Any]) -> st.SearchStrategy[bytes]:
    leaves = [leaf for leaf in _leaves(base) if not (isinstance(leaf, str) and len(leaf) > 200)]

    @st.composite
    def files(draw: st.DrawFn) -> bytes:
        doc = copy.deepcopy(base)
        plausible = draw(st.booleans())
        for _ in range(draw(st.integers(1, 3))):
            _mutate(draw, doc, leaves, plausible=plausible)
        text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
        text = text.replace(f'"{HUGE}"', "1e400")
        data = text.encode("utf-8", "surrogatepass")
        cut = draw(st.sampled_from(["none"] * 18 + ["truncate", "bad-utf8"]))
        if cut == "truncate":
            data = data[: draw(st.integers(0, len(data) - 1))]
        elif cut == "bad-utf8":
            at = draw(st.integers(0, len(data)))
            data = data[:at] + b"\xff\xfe" + data[at:]
        return data

    return files()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with import_client(tmp_path_factory.mktemp("import-properties") / "data") as client:
        yield client


def session_ids(client: TestClient) -> list[int]:
    with store(client)() as db:
        return list(db.scalars(select(WorkoutSession.id)))


def check_refused(client: TestClient, detail: str, before: str) -> None:
    assert "nothing was imported" in detail, detail
    assert "Traceback" not in detail and len(detail) < 4000, detail
    assert export_text(client) == before, "a refused import wrote something"


def check_harmless(client: TestClient, body: bytes) -> None:
    for path in PAGES + EXPORTS + READERS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[-2000:])
    for sid in session_ids(client):
        for path in SESSION_READERS:
            response = client.get(path.format(sid))
            assert response.status_code == 200, (path, response.text[-2000:])
        # an imported session can be carried on
        event = client.post(f"/api/v1/sessions/{sid}/events", json={"type": "skip"})
        if event.status_code == 409:  # the file brought a red-flag screening: a calm stop
            assert "answer the safety screening again" in event.json()["detail"]
        else:
            assert event.status_code == 200, event.text
    stored = export_text(client)
    again = post_import(client, body)
    assert again.status_code == 200, again.text
    assert again.json()["nothing_new"], again.json()
    assert export_text(client) == stored, "importing the same file twice changed something"


def test_a_mutated_export_is_refused_cleanly_or_leaves_every_page_working(
    client: TestClient,
) -> None:
    populate(client)
    base_text = export_text(client)
    base = json.loads(base_text)
    outcomes = {"refused": 0, "accepted": 0}

    @given(body=mutated_files(base), preload=st.booleans())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(body: bytes, preload: bool) -> None:
        reset(client)
        if preload:
            assert post_import(client, base_text.encode()).status_code == 200
        before = export_text(client)
        response = post_import(client, body)
        if response.status_code == 400:
            check_refused(client, response.json()["detail"], before)
            outcomes["refused"] += 1
        else:
            assert response.status_code == 200, response.text
            assert "Traceback" not in response.json()["message"]
            check_harmless(client, body)
            outcomes["accepted"] += 1

    check()
    assert sum(outcomes.values()) >= EXAMPLES, outcomes
    # Both kinds happen: the mutations are neither all fatal nor all harmless.
    assert min(outcomes.values()) >= EXAMPLES // 20, outcomes
