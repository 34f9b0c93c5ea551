"""The package imports only what it declares, and only through public APIs.

Every third-party module imported anywhere under ``src/backcoach`` must come
from a distribution listed in ``pyproject.toml`` (``dependencies`` or the
``vision`` extra; the ``dev`` extra is not installed with the product), or be
the documented foundation of one (``TRANSITIVE``, each checked against the
parent's own requirements). No import may reach into a private module
(``typer._click``) or take a private name from a third-party package.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

import pytest

import backcoach

PACKAGE = Path(backcoach.__file__).parent
PYPROJECT = PACKAGE.parents[1] / "pyproject.toml"

#: Modules imported directly although their distribution comes with a declared one.
TRANSITIVE = {
    "starlette": "fastapi",  # FastAPI is built on Starlette and documents importing from it
    "markupsafe": "jinja2",  # Jinja2's Markup type lives in MarkupSafe
    "cv2": "mediapipe",  # mediapipe brings opencv-contrib-python (see the vision extra)
    # Pydantic's validation errors are pydantic-core's ErrorDetails; its docs import them so
    "pydantic_core": "pydantic",
}


def _normal(name: str) -> str:
    """A distribution name in PEP 503 normal form."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return _normal(match.group(0))


def declared() -> set[str]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    lines = [*project["dependencies"], *project["optional-dependencies"]["vision"]]
    return {_requirement_name(line) for line in lines}


@dataclass(frozen=True)
class Import:
    where: str
    module: str
    names: tuple[str, ...] = ()

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def third_party_imports() -> list[Import]:
    found: list[Import] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = str(path.relative_to(PACKAGE.parent))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), where)):
            if isinstance(node, ast.Import):
                found += [Import(f"{where}:{node.lineno}", alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = tuple(alias.name for alias in node.names)
                found.append(Import(f"{where}:{node.lineno}", node.module, names))
    return [i for i in found if i.top != "backcoach" and i.top not in sys.stdlib_module_names]


IMPORTS = third_party_imports()


def distributions_of(module: str) -> set[str]:
    """Distributions providing a top-level module; its own name when it is not installed."""
    return {_normal(d) for d in packages_distributions().get(module, [module])}


def test_the_scan_sees_the_package_imports() -> None:
    tops = {i.top for i in IMPORTS}
    assert {"fastapi", "sqlalchemy", "typer", "pydantic", "yaml"} <= tops


@pytest.mark.parametrize("module", sorted({i.top for i in IMPORTS}))
def test_every_imported_distribution_is_declared(module: str) -> None:
    where = [i.where for i in IMPORTS if i.top == module]
    parent = TRANSITIVE.get(module)
    if parent is None:
        assert distributions_of(module) & declared(), (
            f"{module} is imported ({', '.join(where)}) but not declared in pyproject.toml"
        )
        return
    assert parent in declared()
    try:
        needs = {_requirement_name(r) for r in requires(parent) or []}
    except PackageNotFoundError:
        pytest.fail(f"{parent} is not installed; install the project with its extras")
    assert distributions_of(module) & needs, f"{parent} no longer brings {module}"


def test_no_private_module_or_name_of_a_dependency_is_imported() -> None:
    private = [
        f"{i.where}: {i.module}"
        for i in IMPORTS
        if any(part.startswith("_") for part in i.module.split(".")[1:])
        or any(name.startswith("_") and not name.startswith("__") for name in i.names)
    ]
    assert private == []
