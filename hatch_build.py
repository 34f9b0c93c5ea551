"""Build hook: no wheel or sdist without the vendored front-end libraries; the
translations compiled into them.

git ignores ``src/backcoach/web/static/vendor/``; ``make setup`` fills it from
npm (``scripts/vendor_assets.py``, which replaces the whole folder at once, so
one of its files shows it is there). A build from a fresh clone without it
would make a wheel whose pages load no htmx, charts or pose model, so the
build stops and says what to run. A wheel built from the sdist passes: the
sdist carries the folder. An editable install (``make setup``'s first step,
before npm) is not a package to hand on and is let through.

Each translation catalog (``locale/<lang>/LC_MESSAGES/<domain>.po``) is compiled
to the ``.mo`` beside it, which the package reads at run time; git ignores the
``.mo`` files and the build ships them (``artifacts`` in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VENDORED = "src/backcoach/web/static/vendor"
LOCALE = "src/backcoach/locale"
SENTINEL = "htmx.min.js"


class VendoredAssetsHook(BuildHookInterface):  # type: ignore[type-arg]
    """Stops the build when the vendored front-end libraries are missing."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:  # noqa: ARG002
        if version == "editable":  # `make setup` installs the package before it vendors them
            return
        compile_translations(Path(self.root) / LOCALE)
        if not (Path(self.root) / VENDORED / SENTINEL).is_file():
            raise RuntimeError(
                f"The front-end libraries are not in {VENDORED}/, and the package would serve "
                "pages without them. Run `make setup` first (it installs the npm packages and "
                "copies them there), then build again."
            )


def compile_translations(locale_dir: Path) -> None:
    """Compile every ``.po`` under ``locale_dir`` into the ``.mo`` beside it."""
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name, domain=po_path.stem)
        with po_path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)
