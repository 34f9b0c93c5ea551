"""Checks that a German page, document or message has no English left in it.

``english_leftovers(text)`` finds English marker words: small, frequent words
of English that are not German words too ("the", "your", "with" ...). A text
translated to German has none of them; a sentence left in English almost
always has one. Words German shares with English ("in", "so", "was", "will",
"hat", "Start", "Name") are not markers, and neither is the brand "backcoach".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: English words no German sentence uses (checked as whole words, any case).
ENGLISH_MARKERS: frozenset[str] = frozenset(
    {
        "the",
        "and",
        "your",
        "you",
        "with",
        "this",
        "that",
        "for",
        "of",
        "to",
        "is",
        "are",
        "from",
        "have",
        "has",
        "been",
        "when",
        "what",
        "how",
        "each",
        "every",
        "after",
        "before",
        "today",
        "day",
        "days",
        "minutes",
        "pain",
        "save",
        "done",
        "back",
        "breaks",
        "break",
        "session",
        "sessions",
        "exercise",
        "exercises",
        "settings",
        "history",
        "reps",
        "week",
        "weeks",
        "start",
        "stop",
        "skip",
        "check",
        "next",
        "open",
        "close",
        "delete",
        "sign",
        "password",
        "email",
    }
)
#: Words that look like markers but are German here (loan words backcoach's German uses).
NOT_MARKERS: frozenset[str] = frozenset({"start", "stop", "check", "e-mail", "email"})
_WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:-[A-Za-zÄÖÜäöüß]+)*")


def english_leftovers(text: str) -> list[str]:
    """The English marker words in ``text``, in order (empty for a German text)."""
    return [
        word
        for word in _WORD.findall(text)
        if word.lower() in ENGLISH_MARKERS and word.lower() not in NOT_MARKERS
    ]


class _MainText(HTMLParser):
    """The visible text inside ``<main>``, plus attribute texts people read (``aria-label``,
    ``title``, ``placeholder``, ``alt``).

    Left out: scripts, styles, templates, and whatever an element declares to be in
    another language than the page's ``<html lang>`` (a questionnaire kept in its
    English original on a German page is marked ``lang="en"``, so a screen reader
    reads it with English pronunciation).
    """

    SKIP = frozenset({"script", "style", "template"})
    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
    )  # fmt: skip
    READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth_in_main = 0
        self.page_language = ""
        self.open: list[tuple[str, bool]] = []  # (tag, skipped) of the open elements
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skipped for _, skipped in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth_in_main += 1
        language = dict(attrs).get("lang") or ""
        if tag == "html":
            self.page_language = language
            language = ""
        skipped = tag in self.SKIP or bool(language and language != self.page_language)
        if self.depth_in_main and not self.skipping and not skipped:
            self.parts.extend(
                value for name, value in attrs if name in self.READ_ATTRIBUTES and value
            )
        if tag not in self.VOID:
            self.open.append((tag, skipped))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):  # close up to the matching element
            if self.open[index][0] == tag:
                del self.open[index:]
                break
        if tag == "main" and self.depth_in_main:
            self.depth_in_main -= 1

    def handle_data(self, data: str) -> None:
        if self.depth_in_main and not self.skipping:
            self.parts.append(data)


def main_text(html: str) -> str:
    """What a person reads in the page's ``<main>`` (text and labelling attributes)."""
    parser = _MainText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def page_leftovers(html: str) -> list[str]:
    """English marker words in a page's main content."""
    return english_leftovers(main_text(html))
