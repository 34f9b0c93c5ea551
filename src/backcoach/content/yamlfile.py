"""Reading one content YAML file, with a plain message naming the file when it fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from backcoach.errors import ContentError


def read_yaml(path: Path) -> Any:
    """The parsed contents of ``path``; a ``ContentError`` naming it if unreadable or invalid."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
