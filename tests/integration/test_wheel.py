"""The built wheel and sdist: the whole product and nothing test-only, installed and served.

Both are built once per module with ``python -m build --sdist --wheel
--no-isolation`` (the backend, hatchling, comes with the ``dev`` extra, so
nothing is fetched). The wheel's files must be exactly the package folder's:
Python modules, templates, static files (the vendored front-end libraries
included, which git ignores), content YAML and migrations, minus the vendored
axe-core that only the browser tests load. The sdist carries the same package
files, and a wheel built from it has the same files as the one built from the
tree. Then the wheel is unpacked and served from, and installed with pip into
a fresh venv (offline, as ``pipx install`` would) whose ``backcoach serve``
console script runs from a folder that is not the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import httpx
import pytest

import backcoach
from backcoach.i18n import DOMAINS
from backcoach.store import head_revision
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
    "documents/templates/print_base.html",
    "migrations/env.py",
    "migrations/script.py.mako",
]


#: The package as the sdist holds it.
SDIST_PACKAGE = "src/backcoach/"


def build(source: Path, out: Path, *targets: str) -> None:
    """``python -m build TARGETS --no-isolation`` of the project at ``source`` into ``out``."""
    done = subprocess.run(
        [sys.executable, "-m", "build", *targets, "--no-isolation", "--outdir", str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder with the sdist and the wheel, both built from the source tree."""
    out = tmp_path_factory.mktemp("dist")
    build(REPO_ROOT, out, "--sdist", "--wheel")
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    (built,) = dist.glob("backcoach-*.whl")
    return built


@pytest.fixture(scope="module")
def sdist(dist: Path) -> Path:
    (built,) = dist.glob("backcoach-*.tar.gz")
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


def test_the_wheel_holds_the_compiled_translations(wheel: Path) -> None:
    inside, _ = wheel_files(wheel)
    for domain in DOMAINS:
        assert f"locale/de/LC_MESSAGES/{domain}.mo" in inside, domain


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


def test_no_build_without_the_vendored_libraries(tmp_path: Path) -> None:
    # A fresh clone before `make setup`: the project's files, no static/vendor/.
    source = tmp_path / "clone"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "hatch_build.py"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(
        REPO_ROOT / "src",
        source / "src",
        ignore=lambda folder, names: [n for n in names if n in {"vendor", "__pycache__"}],
    )
    for targets in (["--wheel"], ["--sdist"]):
        done = subprocess.run(
            [sys.executable, "-m", "build", *targets, "--no-isolation", "--outdir", "out"],
            cwd=source,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode != 0
        assert "Run `make setup` first" in done.stdout + done.stderr
        assert not (source / "out").exists() or list((source / "out").iterdir()) == []


def sdist_package_files(sdist: Path) -> set[str]:
    """Files of ``src/backcoach/`` in the sdist, relative to it."""
    with tarfile.open(sdist) as archive:
        names = [m.name for m in archive.getmembers() if m.isfile()]
    # Every entry sits under one top folder, backcoach-VERSION/.
    inside = [n.split("/", 1)[1] for n in names]
    return {n.removeprefix(SDIST_PACKAGE) for n in inside if n.startswith(SDIST_PACKAGE)}


def test_the_sdist_holds_exactly_the_package_minus_test_only_files(sdist: Path) -> None:
    inside = sdist_package_files(sdist)
    expected = package_files() - TEST_ONLY
    assert sorted(expected - inside) == [], "in the package but not in the sdist"
    assert sorted(inside - expected) == [], "in the sdist but not in the package"


def test_a_wheel_built_from_the_sdist_has_the_wheels_files(
    sdist: Path, wheel: Path, tmp_path: Path
) -> None:
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (source,) = (tmp_path / "unpacked").iterdir()
    build(source, tmp_path / "out", "--wheel")
    (rebuilt,) = (tmp_path / "out").glob("backcoach-*.whl")
    with zipfile.ZipFile(wheel) as archive, zipfile.ZipFile(rebuilt) as again:
        assert sorted(again.namelist()) == sorted(archive.namelist())


def site_packages(python: Path | str) -> Path:
    """The ``site-packages`` folder of the environment whose interpreter is ``python``."""
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return Path(done.stdout.strip())


def lend_dependencies(venv: Path, folder: Path) -> None:
    """Make the project venv's installed packages importable in ``venv``, without backcoach.

    pip cannot download here, so the fresh venv borrows the dependencies that
    are already installed: ``folder`` gets a link to each of the project venv's
    packages, and a ``.pth`` file in ``venv`` lists ``folder``. Left out: the
    project's own editable backcoach (its metadata, its ``.pth`` path to
    ``src/`` and any import hook) and what the fresh venv already has (pip).
    """
    own = site_packages(venv / "bin" / "python")
    present = {entry.name for entry in own.iterdir()}
    folder.mkdir()
    for entry in site_packages(sys.executable).iterdir():
        name = entry.name
        editable = name.startswith(("backcoach", "__editable__", "_editable_impl_"))
        if editable or name.endswith(".pth") or name in present:
            continue
        (folder / name).symlink_to(entry)
    (own / "borrowed-dependencies.pth").write_text(f"{folder}\n", encoding="utf-8")


def test_pip_install_into_a_fresh_venv_then_backcoach_serve(wheel: Path, tmp_path: Path) -> None:
    venv, run, data = tmp_path / "venv", tmp_path / "run", tmp_path / "data"
    run.mkdir()
    python, console_script = venv / "bin" / "python", venv / "bin" / "backcoach"
    # No PYTHONPATH (empty is ignored): the fresh venv must not see the source tree.
    env = {"BACKCOACH_DATA_DIR": str(data), "PYTHONPATH": "", "COLUMNS": "200"}
    full_env = {**os.environ, **env}

    def in_venv(*command: str | Path) -> str:
        done = subprocess.run(
            [str(part) for part in command],
            env=full_env,
            cwd=run,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    # What `pipx install` does: a venv of its own, then pip installs the wheel into it.
    venv_start = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    lend_dependencies(venv, tmp_path / "dependencies")
    install_start = time.monotonic()
    pip: list[str | Path] = [python, "-m", "pip", "--disable-pip-version-check"]
    in_venv(*pip, "install", "--no-index", "--no-deps", wheel)
    installed = time.monotonic()
    assert "No broken requirements found" in in_venv(*pip, "check")
    where = in_venv(python, "-c", "import backcoach; print(backcoach.__file__)").strip()
    assert Path(where).is_relative_to(venv)
    assert console_script.is_file()
    assert not data.exists()

    with backcoach_serve(env=env, cwd=run, program=[str(console_script)]) as served:
        page = httpx.get(f"{served.url}/", timeout=5)
        first_page = time.monotonic()
        assert page.status_code == 200
        asset = httpx.get(f"{served.url}/static/vendor/htmx.min.js", timeout=5)
        assert asset.status_code == 200
        assert asset.content == (PACKAGE / "web" / "static" / "vendor" / "htmx.min.js").read_bytes()
        exercises = httpx.get(f"{served.url}/api/v1/exercises", timeout=5)
        assert exercises.status_code == 200
        listed = exercises.json()
        assert isinstance(listed, list)
        assert "bird-dog" in {exercise["id"] for exercise in listed}
        german = httpx.get(f"{served.url}/", headers={"Accept-Language": "de"}, timeout=5)
        assert '<html lang="de">' in german.text and "Heute" in german.text  # compiled catalogs
    # The first run created the database and brought it to the newest schema by itself.
    assert (data / "backcoach.db").is_file()
    current = " ".join(in_venv(console_script, "db", "current").split())
    assert f"at revision {head_revision()} (the newest)" in current

    size_mb = wheel.stat().st_size / 1_000_000
    print(
        f"\nwheel: {size_mb:.1f} MB ({wheel.stat().st_size} bytes); "
        f"pip install: {installed - install_start:.1f} s; "
        f"pip install start to first page served: {first_page - install_start:.1f} s; "
        f"with the venv made first, as pipx does: {first_page - venv_start:.1f} s"
    )
