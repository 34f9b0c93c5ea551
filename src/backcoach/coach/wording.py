"""Small pieces of wording the coach's messages share, in the language in use.

English keeps the plain forms it always had (``2.5``, ``A, B and C``); other
languages get their own decimal comma and list words.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel.numbers import format_decimal

from backcoach.i18n import DEFAULT_LANGUAGE, _, current_language, format_date

__all__ = ["plain_date", "plain_number", "spoken_list"]


def plain_number(value: float) -> str:
    """``value`` without trailing zeros: ``2.5`` and ``4`` (German ``2,5``).

    Example:
        >>> plain_number(4.0), plain_number(2.5)
        ('4', '2.5')
    """
    if current_language() == DEFAULT_LANGUAGE:
        return f"{value:g}"
    return format_decimal(value, format="0.###", locale=current_language())


def spoken_list(names: Sequence[str]) -> str:
    """Names as a sentence lists them: ``A``, ``A and B``, ``A, B and C``.

    Example:
        >>> spoken_list(["Squat", "Plank", "Bridge"])
        'Squat, Plank and Bridge'
    """
    if len(names) <= 1:
        return "".join(names)
    return _("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def plain_date(day: date) -> str:
    """A day inside a sentence: ``2026-01-05`` in English, ``05.01.2026`` in German."""
    if current_language() == DEFAULT_LANGUAGE:
        return str(day)
    return format_date(day, "yMd")
