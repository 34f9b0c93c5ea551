"""The PDF engine on its own: a valid, tagged PDF with a title, a language and the
disclaimer, read back with poppler; nothing outside the package is ever fetched."""

from __future__ import annotations

from pathlib import Path

import pytest

from backcoach.coach.safety import DISCLAIMER
from backcoach.documents.pdf import (
    FetchRefused,
    _PackageFilesOnly,
    css_content,
    render_html,
    render_pdf,
)
from backcoach.i18n import _, use_language
from tests.support.pdf import first_page_png, pdf_info, pdf_language, pdf_text


def test_a_document_is_a_tagged_pdf_with_title_language_and_disclaimer(tmp_path: Path) -> None:
    pdf = render_pdf("print_base.html", {}, title="My back, March", lang="en")
    info = pdf_info(pdf)
    assert info["Title"] == "My back, March"
    assert info["Tagged"] == "yes" and info["Pages"] == "1"
    assert pdf_language(pdf) == "en"
    text = " ".join(pdf_text(pdf).split())
    assert "My back, March" in text and " ".join(DISCLAIMER.split()) in text
    assert "Page 1 of 1" in text
    assert first_page_png(pdf, tmp_path).stat().st_size > 1000


def test_the_language_is_the_one_asked_for() -> None:
    assert pdf_language(render_pdf("print_base.html", {}, title="Rücken", lang="de")) == "de"
    assert '<html lang="de">' in render_html("print_base.html", {}, title="Rücken", lang="de")


def test_the_language_in_use_is_the_documents_by_default() -> None:
    with use_language("de"):
        pdf = render_pdf("print_base.html", {}, title="Rücken")
        disclaimer = _(DISCLAIMER)
    assert pdf_language(pdf) == "de"
    text = " ".join(pdf_text(pdf).split())
    assert "Seite 1 von 1" in text and "backcoach: keine ärztliche Beratung" in text
    assert " ".join(disclaimer.split()) in text
    assert pdf_language(render_pdf("print_base.html", {}, title="Back")) == "en"


def test_a_footer_text_is_a_css_string_with_its_counters_where_the_language_puts_them() -> None:
    assert css_content(
        "Seite {page} von {pages}", page="counter(page)", pages="counter(pages)"
    ) == ('"Seite " counter(page) " von " counter(pages)')
    assert css_content("{page}. Seite", page="counter(page)") == 'counter(page) ". Seite"'
    # a translation can never end the string or the style: quotes and brackets are escaped
    assert css_content('x"; } </style>') == '"x\\22 ; } \\3c /style\\3e "'


def test_values_are_escaped() -> None:
    html = render_html("print_base.html", {}, title="<script>alert(1)</script>")
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/tracker.png",
        "https://example.org/font.woff2",
        "ftp://example.org/x",
        "file:///etc/passwd",
    ],
)
def test_nothing_outside_the_package_is_fetched(url: str) -> None:
    with pytest.raises((FetchRefused, ValueError)):
        _PackageFilesOnly().fetch(url)


def test_the_packages_own_files_are_read() -> None:
    css = Path(__file__).resolve().parents[2] / "src/backcoach/web/static/css/app.css"
    response = _PackageFilesOnly().fetch(css.as_uri())
    assert response is not None
