"""The words /docs shows for request fields say what the field means."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backcoach.config import Settings
from backcoach.web.app import create_app


def _descriptions(field: dict[str, Any]) -> list[str]:
    """Every description on a schema property, its own and those of its ``anyOf`` branches."""
    found = [field["description"]] if "description" in field else []
    for branch in field.get("anyOf", []):
        found += _descriptions(branch)
    return found


def test_finish_effort_is_described_as_effort_not_pain(tmp_path: Path) -> None:
    schema = create_app(Settings(data_dir=tmp_path / "data")).openapi()
    finish = schema["components"]["schemas"]["FinishIn"]["properties"]
    effort = " ".join(_descriptions(finish["effort"])).casefold()
    assert "pain" not in effort, effort
    assert "0 = no effort" in effort
    assert "10 = as hard as you could go" in effort
    # the pain field next to it keeps its pain scale
    assert "0 = no pain" in " ".join(_descriptions(finish["pain_after"]))
