"""The language in use: how it is chosen (header, cookie, environment), the catalogs
every part of the product has, and numbers and dates as each language writes them."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import Environment, nodes
from starlette.datastructures import Headers

from backcoach import i18n
from backcoach.i18n import (
    DOMAINS,
    current_language,
    format_date,
    format_datetime,
    format_number,
    language_from_env,
    negotiate,
    use_language,
)
from backcoach.web.language import AUTOMATIC, LANGUAGE_COOKIE, chosen_language, request_language

REPO_ROOT = Path(__file__).resolve().parents[2]


def _catalog_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_tool", REPO_ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_tool"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("de-AT", "de"),
        ("en-GB,en;q=0.9,de;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,de;q=0.5", "de"),  # French is not offered: the next one spoken
        ("fr-FR", "en"),
        ("en;q=0.2,de;q=0.7", "de"),  # quality, not order, decides
        ("de;q=0", "en"),  # q=0: "not German"
        ("*", "en"),
        ("", "en"),
        ("de;q=banana, en", "en"),  # a malformed quality counts as 0
    ],
)
def test_accept_language_picks_the_best_offered(header: str, expected: str) -> None:
    assert negotiate(header) == expected


@given(st.text(max_size=200))
def test_any_accept_language_header_gives_a_language(header: str) -> None:
    assert negotiate(header) in i18n.LANGUAGES


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"BACKCOACH_LANG": "de"}, "de"),
        ({"BACKCOACH_LANG": "de_DE.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "de_DE.UTF-8"}, "en"),  # LC_ALL wins, as in POSIX
        ({"LC_MESSAGES": "de_CH.UTF-8", "LANG": "C.UTF-8"}, "de"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),  # not spoken: English, as other tools do
        ({"LANG": "C"}, "en"),
        ({}, "en"),
    ],
)
def test_the_cli_language_comes_from_the_environment(
    environ: dict[str, str], expected: str
) -> None:
    assert language_from_env(environ) == expected


def test_an_unknown_backcoach_lang_is_a_plain_error() -> None:
    with pytest.raises(ValueError, match="BACKCOACH_LANG='fr' is not a language"):
        language_from_env({"BACKCOACH_LANG": "fr"})


def test_the_settings_cookie_beats_the_browser() -> None:
    german_browser = {"accept-language": "de-DE,de"}
    assert request_language(Headers(german_browser), "en") == "de"
    chose_english = {**german_browser, "cookie": f"{LANGUAGE_COOKIE}=en; other=1"}
    assert request_language(Headers(chose_english), "en") == "en"
    assert chosen_language(Headers(chose_english)) == "en"
    # No choice, no header: the server's default (BACKCOACH_LANG).
    assert request_language(Headers({}), "de") == "de"
    assert chosen_language(Headers({})) == AUTOMATIC


@pytest.mark.parametrize(
    "cookie", [f"{LANGUAGE_COOKIE}=klingon", f'{LANGUAGE_COOKIE}="\\', "=;;=", "\x00"]
)
def test_a_bad_language_cookie_counts_as_no_choice(cookie: str) -> None:
    headers = Headers({"cookie": cookie, "accept-language": "de"})
    assert chosen_language(headers) == AUTOMATIC
    assert request_language(headers, "en") == "de"


def test_the_language_is_per_context() -> None:
    assert current_language() == "en"
    with use_language("de"):
        assert current_language() == "de"
        assert i18n._("Today") == "Heute"
    assert current_language() == "en"
    assert i18n._("Today") == "Today"
    with pytest.raises(ValueError, match="unsupported language"):
        i18n.set_language("fr")


def test_numbers_and_dates_as_each_language_writes_them() -> None:
    day = date(2026, 11, 29)
    assert format_number(1234.5, digits=1) == "1,234.5"
    assert format_date(day, "yMd") == "29/11/2026"  # day first, as backcoach always wrote it
    assert format_date(day, "MMMEd") == "Sun 29 Nov"
    assert format_datetime(datetime(2026, 11, 29, 18, 5)) == "29 Nov 2026, 18:05"
    with use_language("de"):
        assert format_number(1234.5, digits=1) == "1.234,5"
        assert format_number(3) == "3"
        assert format_date(day, "yMd") == "29.11.2026"
        assert format_date(day, "MMMEd") == "So., 29. Nov."
        assert format_datetime(datetime(2026, 11, 29, 18, 5)) == "29. Nov. 2026, 18:05"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_message_is_translated(domain: str) -> None:
    """No message marked in the sources is missing, untranslated or fuzzy in the German
    catalog, and every translation keeps the message's placeholders."""
    tool = _catalog_tool()
    assert domain in tool.domains()
    assert [str(problem) for problem in tool.problems(domain)] == []


def test_the_domains_are_the_ones_with_sources() -> None:
    assert sorted(DOMAINS) == _catalog_tool().domains()


def test_a_stale_compiled_catalog_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .po edited after its .mo was compiled is read itself: what is shown follows the source."""
    folder = tmp_path / "de" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "pages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Today"\nmsgstr "Heute"\n'
    )
    tool = _catalog_tool()
    tool.compile_one(po)
    po.write_text(po.read_text().replace("Heute", "Heute!"))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "DOMAINS", ("pages",))
    i18n.translations.cache_clear()
    try:
        with use_language("de"):
            assert i18n._("Today") == "Heute!"
    finally:
        i18n.translations.cache_clear()


#: How many leading arguments of each template gettext function are the message (literal).
_LITERAL_ARGS = {"_": 1, "gettext": 1, "ngettext": 2, "pgettext": 2}


def _template_files() -> list[Path]:
    roots = (
        REPO_ROOT / "src/backcoach/web/templates",
        REPO_ROOT / "src/backcoach/documents/templates",
    )
    return sorted(path for root in roots for path in root.rglob("*.html"))


@pytest.mark.parametrize("template", _template_files(), ids=lambda p: p.name)
def test_templates_translate_only_literal_messages(template: Path) -> None:
    """``_()`` marks its result as safe HTML and formats it with ``%``: given a variable
    (a clinician's own text) it would let that text's markup through and break on a
    ``%``. Variables go through ``|translated`` (escaped); ``_()`` gets literals only,
    which is also all that ``pybabel extract`` can see."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    tree = env.parse(template.read_text())
    variable = []
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name not in _LITERAL_ARGS:
            continue
        message = call.args[: _LITERAL_ARGS[call.node.name]]
        if not message or not all(isinstance(arg, nodes.Const) for arg in message):
            variable.append(f"line {call.lineno}: {call.node.name}(...)")
    assert variable == []


def test_translated_text_held_in_a_variable_is_escaped() -> None:
    env = Environment(autoescape=True)
    i18n.install_in_jinja(env)
    page = env.from_string(
        '{{ _("Easier: %(name)s", name=name|translated) }} {{ name|translated }}'
    )
    shown = page.render(name="<b>50% harder</b>")
    assert "<b>" not in shown
    assert shown.count("&lt;b&gt;50% harder&lt;/b&gt;") == 2


def test_a_message_reads_the_same_in_every_part() -> None:
    """All domains are merged into one lookup at run time, so a message two parts share
    has one German wording (a word that must differ by place gets a context: pgettext)."""
    tool = _catalog_tool()
    wordings: dict[tuple[str, str | None], set[str]] = {}
    for domain in DOMAINS:
        path = tool.po_path("de", domain)
        for message in tool.read_catalog(path, "de", domain):
            if message.id and isinstance(message.id, str):
                wordings.setdefault((message.id, message.context), set()).add(str(message.string))
    differing = {key[0]: sorted(found) for key, found in wordings.items() if len(found) > 1}
    assert differing == {}
