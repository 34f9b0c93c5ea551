"""Languages: which one is in use, and messages, numbers and dates in it.

backcoach is written in English; German translations live in gettext catalogs
under ``locale/de/LC_MESSAGES/<domain>.po``, one domain per part of the product
(the patient pages, the clinic, the coach, the CLI ...; ``DOMAINS``), so each
part's messages are extracted and checked on their own. At run time all the
domains of a language are merged into one lookup, so a message marked in one
part (a form note made by the vision code) is translated where another part
shows it (the camera page, the report).

The language in use is a context variable: the web app sets it per request
(``web.language``: the Settings choice, else the browser's ``Accept-Language``,
else the server's default), the CLI once per process from ``BACKCOACH_LANG``
or the POSIX locale (``language_from_env``). Code asks for text through:

- ``_("...")`` / ``ngettext(...)`` at the moment the text is shown;
- ``N_("...")`` to mark a module-level constant, translated later with
  ``_(CONSTANT)`` (a constant made at import time cannot know the request).

Text kept in the database (form notes, flags) stays in English, the msgid,
and is translated when shown: old records follow the reader's language too.

A ``.mo`` file is compiled from each ``.po`` at build (``make setup``, the
wheel's build hook). A ``.po`` newer than its ``.mo`` (a translator at work) is
compiled in memory instead, so what is shown is never staler than the source.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import Environment

LANGUAGES: tuple[str, ...] = ("en", "de")
DEFAULT_LANGUAGE = "en"
#: Each language's name in itself (what a language menu shows).
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "de": "Deutsch"}
#: The gettext domains, one per part of the product (see ``locale/<domain>.cfg``).
DOMAINS: tuple[str, ...] = (
    "pages",
    "tracking",
    "clinic",
    "coach",
    "services",
    "cli",
    "documents",
    "js",
)
#: The domain whose messages the browser scripts look up (``js_messages``).
JS_DOMAIN = "js"
LOCALE_DIR = Path(__file__).parent / "locale"

_language: ContextVar[str] = ContextVar("backcoach_language", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    """The language in use here: ``"en"`` or ``"de"``."""
    return _language.get()


def supported(language: str | None) -> str | None:
    """``language`` as one of ``LANGUAGES`` (``"de-AT"``, ``"de_DE.UTF-8"``: ``"de"``), or None."""
    if not language:
        return None
    base = language.replace("_", "-").split("-")[0].split(".")[0].strip().lower()
    return base if base in LANGUAGES else None


def set_language(language: str) -> Token[str]:
    """Use ``language`` from here on in this context; ``reset_language`` undoes it."""
    checked = supported(language)
    if checked is None:
        raise ValueError(f"unsupported language {language!r}; backcoach speaks {LANGUAGES}")
    return _language.set(checked)


def reset_language(token: Token[str]) -> None:
    _language.reset(token)


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Within the block, text comes in ``language``."""
    token = set_language(language)
    try:
        yield
    finally:
        _language.reset(token)


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The CLI's language: ``BACKCOACH_LANG``, else the POSIX locale (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``, in that order), else English.

    An unsupported ``BACKCOACH_LANG`` is an error, said in plain words; an
    unsupported POSIX locale (``fr_FR``) falls back to English, as other tools do.
    """
    env = os.environ if environ is None else environ
    chosen = env.get("BACKCOACH_LANG", "").strip()
    if chosen:
        language = supported(chosen)
        if language is None:
            raise ValueError(
                f"BACKCOACH_LANG={chosen!r} is not a language backcoach speaks; "
                f"use one of: {', '.join(LANGUAGES)}"
            )
        return language
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:  # the first one set decides, as in POSIX
            return supported(value) or DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The best of ``LANGUAGES`` for an ``Accept-Language`` header, else ``default``.

    Ranges are tried by their quality (``q``), highest first, ties in header
    order; ``q=0`` means "not this one"; ``*`` accepts ``default``.
    """
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:32]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and tag.strip():
            ranked.append((-quality, position, tag.strip()))
    for _, _, tag in sorted(ranked):
        if tag == "*":
            return default
        language = supported(tag)
        if language is not None:
            return language
    return default


# -- messages ------------------------------------------------------------------------


def _load_domain(language: str, domain: str) -> Translations | None:
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po_path, mo_path = folder / f"{domain}.po", folder / f"{domain}.mo"
    if mo_path.is_file() and (
        not po_path.is_file() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=domain)
    if not po_path.is_file():
        return None
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> NullTranslations:
    """Every domain's messages in ``language`` in one catalog, a later domain's wording
    over an earlier one's (English: the msgids themselves). One catalog, not a chain of
    fallbacks: each lookup, on every page, is a single dictionary read."""
    merged: Translations | None = None
    if language != DEFAULT_LANGUAGE:
        for domain in DOMAINS:
            loaded = _load_domain(language, domain)
            if loaded is not None:
                merged = loaded if merged is None else merged.merge(loaded)
    return merged if merged is not None else NullTranslations()


def gettext(message: str) -> str:
    """``message`` in the language in use (itself when there is no translation)."""
    if not message:
        return message
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a message that fits ``count``, in the language in use."""
    return translations(current_language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """``message`` as meant in ``context`` (one English word, two German ones)."""
    return translations(current_language()).pgettext(context, message)


_ = gettext


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (see the module doc)."""
    return message


@lru_cache(maxsize=len(LANGUAGES))
def js_messages(language: str) -> Mapping[str, str]:
    """The browser scripts' messages in ``language``: msgid -> translation."""
    if language == DEFAULT_LANGUAGE:
        return {}
    folder = LOCALE_DIR / language / "LC_MESSAGES"
    po_path = folder / f"{JS_DOMAIN}.po"
    if not po_path.is_file():
        return {}
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=JS_DOMAIN)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


# -- numbers and dates ---------------------------------------------------------------


#: The Babel locale that writes each language's numbers and dates. English is written the
#: British way, day first (29 Nov 2026), as backcoach always has: an unambiguous order.
BABEL_LOCALES: Mapping[str, str] = {"en": "en_GB", "de": "de_DE"}


def locale() -> Locale:
    """The Babel locale of the language in use."""
    return Locale.parse(BABEL_LOCALES[current_language()])


def format_number(value: float, digits: int = 0) -> str:
    """``value`` with the locale's separators, rounded to ``digits`` decimals
    (``1,234.5`` in English, ``1.234,5`` in German)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=locale())


def format_date(value: date, skeleton: str = "yMMMd") -> str:
    """``value`` as the locale writes it, from a CLDR skeleton.

    Skeletons: ``yMMMd`` (29 Nov 2026 / 29. Nov. 2026), ``MMMEd`` (Sun 29 Nov /
    So., 29. Nov.), ``yMd`` (29/11/2026 / 29.11.2026), ``MMMd`` (29 Nov / 29. Nov.).
    """
    return babel_dates.format_skeleton(skeleton, value, locale=locale())


def format_datetime(value: datetime, skeleton: str = "yMMMd") -> str:
    """``value``'s date (from ``skeleton``) and time of day, joined as the locale joins them
    (29 Nov 2026, 18:05 / 29. Nov. 2026, 18:05)."""
    joined = str(babel_dates.get_datetime_format("medium", locale=locale()))
    return joined.replace("{1}", format_date(value, skeleton)).replace("{0}", format_time(value))


def format_time(value: datetime, skeleton: str = "Hm") -> str:
    """The time of day of ``value`` as the locale writes it (24-hour clock by default)."""
    return babel_dates.format_skeleton(skeleton, value, locale=locale())


# -- templates -------------------------------------------------------------------------


def install_in_jinja(env: Environment) -> None:
    """Give ``env``'s templates the language in use: ``_()``, ``ngettext()``,
    ``{% trans %}`` (whitespace trimmed, as ``pybabel extract`` reads it),
    ``current_language()`` and the ``date``, ``datetime``, ``time`` and
    ``number`` filters.

    Calls are new-style: ``{{ _("%(n)s reps", n=count) }}`` formats after
    translating and escapes the values. ``_()`` takes only a literal message (its
    result is trusted HTML, and ``pybabel`` extracts only literals); text held in a
    variable (a stored English note, a module constant, a clinician's own words) is
    shown with ``{{ value|translated }}``: its translation if the catalog has one,
    else itself, escaped like any value.
    """
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    # The extension adds this method to the environment (typed stubs do not know it).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext
    )
    env.globals["current_language"] = current_language
    env.filters["translated"] = gettext
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["time"] = format_time
    env.filters["number"] = format_number
