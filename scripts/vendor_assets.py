"""Copy the front-end libraries from node_modules into the package's static folder.

Run after ``npm ci`` (``make setup`` does both). The web app serves these
files itself: no CDN, nothing fetched at run time. Running it again replaces
the folder, so it always matches the lock file.

Usage: ``python scripts/vendor_assets.py [--node-modules DIR] [--dest DIR]``
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# destination name -> path inside node_modules (a file or a folder)
ASSETS: dict[str, str] = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "axe.min.js": "axe-core/axe.min.js",
    "mediapipe-pose": "@mediapipe/pose",
    "swagger-ui/swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui/swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}
LICENSES = ("htmx.org", "chart.js", "axe-core", "@mediapipe/pose", "swagger-ui-dist")


def vendor(node_modules: Path, dest: Path) -> list[Path]:
    """Copy every asset into a fresh ``dest``; return the copied paths."""
    missing = [src for src in ASSETS.values() if not (node_modules / src).exists()]
    if missing:
        raise FileNotFoundError(f"not in {node_modules}: {', '.join(missing)} (run `npm ci` first)")
    staging = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    copied: list[Path] = []
    for name, src in ASSETS.items():
        source, target = node_modules / src, staging / name
        if source.is_dir():
            shutil.copytree(
                source, target, ignore=shutil.ignore_patterns("*.d.ts", "README.md", "package.json")
            )
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        copied.append(dest / name)
    for package in LICENSES:
        for candidate in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
            licence = node_modules / package / candidate
            if licence.is_file():
                shutil.copy2(licence, staging / f"LICENSE.{package.replace('/', '_')}")
                break
    shutil.rmtree(dest, ignore_errors=True)
    staging.rename(dest)
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument(
        "--dest", type=Path, default=ROOT / "src" / "backcoach" / "web" / "static" / "vendor"
    )
    args = parser.parse_args(argv)
    try:
        copied = vendor(args.node_modules, args.dest)
    except FileNotFoundError as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(f"vendor_assets: {len(copied)} assets in {args.dest}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
