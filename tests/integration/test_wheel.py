"""The built wheel: the whole product and nothing test-only, and ``backcoach serve`` runs from it.

The wheel is built once per run with ``python -m build --wheel --no-isolation``
(the backend, hatchling, comes with the ``dev`` extra, so nothing is fetched).
Its files must be exactly the package folder's: Python modules, templates,
static files (the vendored front-end libraries included, which git ignores),
content YAML and migrations, minus the vendored axe-core that only the browser
tests load. Then the wheel is unpacked and served from, in a process that
cannot see the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

import backcoach
from tests.support.serve import backcoach_serve

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(backcoach.__file__).parent
#: Vendored by `make setup` for the browser tests only (accessibility checks).
TEST_ONLY = {"web/static/vendor/axe.min.js", "web/static/vendor/LICENSE.axe-core"}
#: Files the running app reads, one of each kind (the comparison below covers the rest).
ESSENTIAL = [
    "py.typed",
    "web/templates/base.html",
    "web/static/js/camera.js",
    "web/static/vendor/htmx.min.js",
    "web/static/vendor/mediapipe-pose/pose.js",
    "web/static/vendor/mediapipe-pose/pose_landmark_full.tflite",
    "content/data/programs.yaml",
    "content/data/exercises/glute-bridge.yaml",
    "migrations/env.py",
    "migrations/script.py.mako",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (built,) = out.glob("backcoach-*.whl")
    return built


def package_files() -> set[str]:
    """Every file of the source package, relative to it, without bytecode."""
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def wheel_files(wheel: Path) -> tuple[set[str], set[str]]:
    """(files under backcoach/ relative to it, top-level entries) of the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
    tops = {n.split("/")[0] for n in names}
    inside = {n.removeprefix("backcoach/") for n in names if n.startswith("backcoach/")}
    return inside, tops


def test_the_source_package_has_what_the_app_reads() -> None:
    # Without this, a missing `make setup` (no vendored assets) would pass the test below.
    missing = [name for name in ESSENTIAL if not (PACKAGE / name).is_file()]
    assert missing == [], "run `make setup` to vendor the front-end libraries"


def test_the_wheel_holds_exactly_the_package_minus_test_only_files(wheel: Path) -> None:
    inside, tops = wheel_files(wheel)
    assert tops == {"backcoach", wheel.name.split("-py3")[0] + ".dist-info"}
    expected = package_files() - TEST_ONLY
    assert sorted(expected - inside) == [], "in the package but not in the wheel"
    assert sorted(inside - expected) == [], "in the wheel but not in the package"


def test_the_wheel_holds_nothing_test_only(wheel: Path) -> None:
    inside, _ = wheel_files(wheel)
    assert [n for n in inside if "synthetic" in n] == []
    assert [n for n in inside if "/axe" in n or n.endswith("axe-core")] == []
    assert set(ESSENTIAL) <= inside


def test_the_wheel_declares_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
        text = archive.read(entry_points).decode()
    assert "backcoach = backcoach.cli:main" in text


def test_backcoach_serve_runs_from_the_unpacked_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    # The unpacked wheel comes first on the path; the run directory is not the repository.
    env = {**os.environ, "PYTHONPATH": str(site), "BACKCOACH_DATA_DIR": str(tmp_path / "data")}
    where = subprocess.run(
        [sys.executable, "-c", "import backcoach; print(backcoach.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(site)

    with backcoach_serve(env=env, cwd=tmp_path) as served:
        base = served.url
        page = httpx.get(f"{base}/", timeout=5)
        assert page.status_code == 200  # a template, rendered
        assert (tmp_path / "data" / "backcoach.db").is_file()  # migrations ran
        exercise = httpx.get(f"{base}/exercises/glute-bridge", timeout=5)
        assert exercise.status_code == 200 and "Glute bridge" in exercise.text  # content
        for asset in ("vendor/htmx.min.js", "vendor/mediapipe-pose/pose.js", "js/camera.js"):
            answer = httpx.get(f"{base}/static/{asset}", timeout=5)
            assert answer.status_code == 200, asset
            assert answer.content == (PACKAGE / "web" / "static" / asset).read_bytes()
