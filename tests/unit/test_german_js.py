"""The browser scripts in German: every marked text is in js.po, translated, and reaches the page.

The scripts mark what they show or say with ``_("...")`` (js/i18n.js); Babel's JavaScript
extractor finds only calls whose one argument is a plain string literal, so a marked text
written any other way would silently stay English.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from backcoach.i18n import js_messages
from tests.support.german import english_leftovers

REPO_ROOT = Path(__file__).resolve().parents[2]
JS_DIR = REPO_ROOT / "src" / "backcoach" / "web" / "static" / "js"
JS_PO = REPO_ROOT / "src" / "backcoach" / "locale" / "de" / "LC_MESSAGES" / "js.po"
#: The foundation defines ``_`` itself; every other script only calls it.
SCRIPTS = sorted(path for path in JS_DIR.glob("*.js") if path.name != "i18n.js")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
CALL = re.compile(r"(?<![\w$.])_\(")
LITERAL_CALL = re.compile(r'_\("((?:[^"\\\n]|\\.)*)"\)')
#: Messages whose German is the English text (a unit).
SAME_IN_GERMAN = frozenset({"{seconds} s"})


def i18n_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("i18n_script", REPO_ROOT / "scripts" / "i18n.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def marked(path: Path) -> list[str]:
    """The texts ``path`` marks, in order; fails on a ``_(`` call that is not one string literal."""
    source = path.read_text(encoding="utf-8")
    texts: list[str] = []
    for call in CALL.finditer(source):
        literal = LITERAL_CALL.match(source, call.start())
        line = source.count("\n", 0, call.start()) + 1
        assert literal, (
            f"{path.name}:{line}: _() takes one string literal, else it is not extracted"
        )
        texts.append(json.loads(f'"{literal.group(1)}"'))
    return texts


def german_catalog() -> dict[str, str]:
    with JS_PO.open("rb") as handle:
        catalog = read_po(handle, locale="de", domain="js")
    return {str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.id, str)}


def test_the_js_catalog_has_no_problems() -> None:
    problems = i18n_script().problems("js")
    assert [str(p) for p in problems] == []


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_every_marked_text_is_translated(script: Path) -> None:
    catalog = german_catalog()
    missing = [text for text in marked(script) if not catalog.get(text)]
    assert missing == [], f"not translated in js.po: {missing}"


def test_the_scripts_that_show_text_mark_it() -> None:
    showing = {"player.js", "desk.js", "camera.js", "history.js", "clinic.js"}
    unmarked = [path.name for path in SCRIPTS if path.name in showing and not marked(path)]
    assert unmarked == []


def test_german_translations_have_no_english_left() -> None:
    leftovers = {
        msgid: english_leftovers(PLACEHOLDER.sub("", german))
        for msgid, german in german_catalog().items()
        if english_leftovers(PLACEHOLDER.sub("", german))
    }
    assert leftovers == {}
    unchanged = [
        msgid
        for msgid, german in german_catalog().items()
        if german == msgid and msgid not in SAME_IN_GERMAN
    ]
    assert unchanged == []


def test_the_page_gets_the_german_messages_and_english_pages_none() -> None:
    messages = js_messages("de")
    assert messages["Paused"] == "Pausiert"
    assert messages["Time for a break: {name}"] == "Zeit für eine Pause: {name}"
    assert set(messages) == set(german_catalog())
    assert js_messages("en") == {}


def test_every_utterance_is_given_the_page_language() -> None:
    for path in SCRIPTS:
        source = path.read_text(encoding="utf-8")
        made = source.count("new SpeechSynthesisUtterance(")
        given = source.count("utterance.lang = window.BackcoachText.lang;")
        assert made == given, f"{path.name}: {made} utterances, {given} given the page's language"
