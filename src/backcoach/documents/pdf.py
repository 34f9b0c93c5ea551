"""PDFs from Jinja templates, through a real HTML-to-PDF engine (WeasyPrint).

Every document is a template under ``documents/templates/`` that extends
``print_base.html``, which carries the title, the language, the print style
and the disclaimer at the foot of every document. ``render_pdf`` renders it and
lays it out:

- nothing is fetched from the network: the engine may read only files inside
  the backcoach package (its static folder: fonts, pictures); any other URL is
  refused, so a crafted value in a template can never make it call out;
- the PDF has a title and a language in its metadata, and is tagged (its
  headings, paragraphs and tables are marked, for screen readers);
- charts are inline SVG (``documents.charts``): no browser is needed.

The engine needs Pango (``libpango-1.0-0``), which Debian installs with any
desktop and ``.ci/run`` installs for the tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from backcoach.coach.safety import DISCLAIMER
from backcoach.i18n import current_language, install_in_jinja

PACKAGE_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(("html",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
install_in_jinja(_ENV)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def css_string(text: str) -> Markup:
    """``text`` as a quoted CSS string, safe inside ``<style>``: quotes, backslashes,
    ``<`` and ``>`` escaped the CSS way."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>' or ord(c) < 32 else c for c in text)
    return Markup(f'"{escaped}"')


def css_content(message: str, **counters: str) -> Markup:
    """A translated ``message`` as a CSS ``content:`` value, its ``{name}`` placeholders
    replaced by CSS counters: ``css_content(_("Page {page} of {pages}"),
    page="counter(page)", pages="counter(pages)")``, so the translation may put the
    numbers where its language wants them.

    Args:
        message: the text, already translated.
        counters: placeholder name -> a CSS counter expression (written by code, not data).
    """
    values = [
        counters[part] if index % 2 else css_string(part)  # split puts each name at an odd index
        for index, part in enumerate(_PLACEHOLDER.split(message))
        if index % 2 or part
    ]
    return Markup(" ".join(values))


_ENV.globals["css_content"] = css_content


class FetchRefused(ValueError):
    """A document asked for something outside the backcoach package."""


class _PackageFilesOnly(URLFetcher):  # type: ignore[misc]  # weasyprint has no type hints
    """WeasyPrint's fetcher for ``data:`` URLs and files inside the package, nothing else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> Any:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not path.is_relative_to(PACKAGE_DIR):
                raise FetchRefused("documents read only backcoach's own files")
        elif parsed.scheme != "data":
            raise FetchRefused(f"documents fetch nothing from the network ({parsed.scheme}:)")
        return super().fetch(url, headers)


def render_html(
    template: str, context: Mapping[str, Any], *, title: str, lang: str | None = None
) -> str:
    """The document's HTML (what ``render_pdf`` lays out; tests read it too)."""
    page = _ENV.get_template(template)
    return page.render(
        {**context, "title": title, "lang": lang or current_language(), "disclaimer": DISCLAIMER}
    )


def render_pdf(
    template: str, context: Mapping[str, Any], *, title: str, lang: str | None = None
) -> bytes:
    """Render ``template`` with ``context`` and lay it out as a tagged PDF.

    Args:
        template: a template under ``documents/templates/`` (extending ``print_base.html``).
        context: what the template shows.
        title: the document's title (its first heading and its PDF metadata).
        lang: its language (``<html lang>`` and the PDF's language); by default the
            language in use, which the templates' texts are in too.
    """
    html = render_html(template, context, title=title, lang=lang)
    document = HTML(string=html, base_url=str(TEMPLATES_DIR), url_fetcher=_PackageFilesOnly())
    pdf: bytes = document.write_pdf(pdf_tags=True)
    return pdf
