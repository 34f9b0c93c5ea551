"""What the camera coach says, in the reader's language.

The analyzers run wherever the frames are: in the process of ``backcoach
vision``, in a thread of the live coach. So they say everything in English,
the msgid (each text is marked with ``N_``); the JSON results and the stored
form notes keep that English too. ``shown`` translates a text where a person
reads it: the live coach's WebSocket handler (``shown_message``), the CLI, the
pages that list stored form notes.

A few texts are made from a template, with a number or body parts in them
(``HOLD_MORE``, ``HOLD_EACH_LIFT``, ``CANT_SEE``); ``shown`` recognises them by
their template and words them afresh. Ids and states in the JSON (``upright``,
``slouched``, fault codes, phases) are never translated.

Example:
    >>> from backcoach.i18n import use_language
    >>> with use_language("de"):  # doctest: +SKIP
    ...     shown("Hold... 3 more seconds.")
    'Halten … noch 3 Sekunden.'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from babel.numbers import format_decimal

from backcoach.i18n import DEFAULT_LANGUAGE, N_, _, current_language, pgettext

__all__ = [
    "AND_LIST",
    "CANT_SEE",
    "HOLD_EACH_LIFT",
    "HOLD_MORE",
    "SHOWN_FIELDS",
    "shown",
    "shown_message",
    "spoken_list",
]

#: A dosed hold counting down (one second left is its own text, "Hold... 1 more second.").
HOLD_MORE = N_("Hold... {seconds} more seconds.")
#: A rep held shorter than its dose.
HOLD_EACH_LIFT = N_("Hold each lift for {seconds} seconds: that one did not count.")
#: The camera misses some joints: which (``framing.JOINT_NAMES``) and what to do.
CANT_SEE = N_("I can't see your {parts}: {advice}.")
#: The last two names of a list (``head, shoulders and hips``).
AND_LIST = N_("{items} and {last}")
#: The fields of a live coach message that people read.
SHOWN_FIELDS = ("cue", "hint", "pause_reason")


def spoken_list(names: list[str]) -> str:
    """Names as a sentence lists them, in English (the form ``shown`` reads back)."""
    if len(names) == 1:
        return names[0]
    return AND_LIST.format(items=", ".join(names[:-1]), last=names[-1])


def _number(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    return format_decimal(value, format="0.###", locale=current_language())


def _body_part(name: str) -> str:
    parts = {
        "head": pgettext("body part", "head"),
        "shoulders": pgettext("body part", "shoulders"),
        "elbows": pgettext("body part", "elbows"),
        "hands": pgettext("body part", "hands"),
        "hips": pgettext("body part", "hips"),
        "knees": pgettext("body part", "knees"),
        "ankles": pgettext("body part", "ankles"),
    }
    return parts.get(name, name)


def _parts(text: str) -> str:
    first, _sep, last = text.rpartition(" and ")
    names = [*first.split(", "), last] if first else [last]
    translated = [_body_part(name) for name in names]
    if len(translated) == 1:
        return translated[0]
    return _(AND_LIST).format(items=", ".join(translated[:-1]), last=translated[-1])


#: Each template, how to word each of its values, and the pattern that reads them back.
_FILLERS: tuple[tuple[str, Mapping[str, Callable[[str], str]]], ...] = (
    (HOLD_MORE, {"seconds": _number}),
    (HOLD_EACH_LIFT, {"seconds": _number}),
    (CANT_SEE, {"parts": _parts, "advice": _}),
)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def _pattern(template: str) -> re.Pattern[str]:
    pieces = _PLACEHOLDER.split(template)
    regex = "".join(
        re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+?)"
        for index, piece in enumerate(pieces)
    )
    return re.compile(regex)


_TEMPLATES = tuple((template, _pattern(template), fill) for template, fill in _FILLERS)


def shown(text: str | None) -> str | None:
    """A text of the camera coach (a cue, hint or form note) in the language in use.

    Texts it does not know stay as they are.
    """
    if not text or current_language() == DEFAULT_LANGUAGE:
        return text
    translated = _(text)
    if translated != text:
        return translated
    for template, pattern, fill in _TEMPLATES:
        match = pattern.fullmatch(text)
        if match is not None:
            values = {name: fill[name](value) for name, value in match.groupdict().items()}
            return _(template).format(**values)
    return text


def shown_message(message: Mapping[str, Any]) -> dict[str, Any]:
    """A live coach message (``Feedback.to_message`` and what the session adds) with its
    ``SHOWN_FIELDS`` in the language in use; ids, states and numbers unchanged."""
    out = dict(message)
    for key in SHOWN_FIELDS:
        value = out.get(key)
        if isinstance(value, str):
            out[key] = shown(value)
    return out
