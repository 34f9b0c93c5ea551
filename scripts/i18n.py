"""Translation catalogs: extract the marked messages, update the ``.po`` files, compile, check.

    python scripts/i18n.py update [DOMAIN ...]   re-extract, merge into locale/de/.../DOMAIN.po
    python scripts/i18n.py compile               every .po -> .mo
    python scripts/i18n.py compile-one PO        one .po -> .mo (make setup does this)
    python scripts/i18n.py check [DOMAIN ...]    untranslated, fuzzy or missing messages (exit 1)
    python scripts/i18n.py set DOMAIN FILE.json  update, then fill in {"msgid": "German", ...}
                                                 (plurals: {"msgid": ["singular", "plural"]})

Each domain's sources are listed in ``i18n/<domain>.cfg`` (Babel's mapping
format, paths under ``src/backcoach``; the first matching section wins). A
translator edits the ``.po`` after ``update``; ``check`` is what the tests run.
Messages are matched exactly (no fuzzy guesses): a changed English text is a
new message to translate. ``update`` and ``set`` hold a lock on the catalogs
while they read and write them, so several people (or helpers) may fill in
translations at once without losing each other's.
"""

from __future__ import annotations

import fcntl
import json
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message, TranslationError
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = REPO_ROOT / "src" / "backcoach"
MAPPINGS_DIR = REPO_ROOT / "i18n"
LOCALE_DIR = PACKAGE_DIR / "locale"
TRANSLATED = ("de",)
COMMENT_TAGS = ("Translators:",)
BRACE_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def domains() -> list[str]:
    """Every domain that has a mapping in ``i18n/``."""
    return sorted(path.stem for path in MAPPINGS_DIR.glob("*.cfg"))


def po_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def extract(domain: str) -> Catalog:
    """The messages marked in ``domain``'s sources, with where they are."""
    with (MAPPINGS_DIR / f"{domain}.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(project="backcoach", domain=domain, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE_DIR,
        method_map,
        options_map,
        keywords=DEFAULT_KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
    ):
        template.add(
            message,
            None,
            [(f"src/backcoach/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read_catalog(path: Path, language: str, domain: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language, domain=domain)


@contextmanager
def _catalogs_locked() -> Iterator[None]:
    """Hold the catalogs' lock (one writer at a time) for the block."""
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def update(domain: str) -> Path:
    """Merge ``domain``'s extracted messages into each translation, new ones untranslated."""
    template = extract(domain)
    with _catalogs_locked():
        _merge(domain, template)
    return po_path(TRANSLATED[0], domain)


def set_translations(domain: str, translations: dict[str, str | list[str]]) -> list[str]:
    """``update`` ``domain``, then give its German messages these translations; the msgids
    given that the sources do not mark (not extracted) are returned, and left out."""
    template = extract(domain)
    with _catalogs_locked():
        _merge(domain, template)
        path = po_path("de", domain)
        catalog = read_catalog(path, "de", domain)
        unknown = []
        for msgid, german in translations.items():
            message = catalog.get(msgid)
            if message is None:
                unknown.append(msgid)
                continue
            message.string = tuple(german) if isinstance(german, list) else german
            message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True, sort_by_file=True)
    return unknown


def _merge(domain: str, template: Catalog) -> None:
    """Each translation of ``domain`` with ``template``'s messages (the lock is held)."""
    for language in TRANSLATED:
        path = po_path(language, domain)
        if path.is_file():
            catalog = read_catalog(path, language, domain)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=domain, project="backcoach", fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, ignore_obsolete=True, sort_by_file=True)


def compile_one(path: Path) -> Path:
    """Compile one ``.po`` into the ``.mo`` beside it (fuzzy entries left out)."""
    catalog = read_catalog(path, path.parent.parent.name, path.stem)
    target = path.with_suffix(".mo")
    with target.open("wb") as handle:
        write_mo(handle, catalog)
    return target


def compile_all() -> list[Path]:
    """Compile every ``.po`` into the ``.mo`` beside it."""
    return [compile_one(path) for path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))]


@dataclass(frozen=True)
class Problem:
    domain: str
    language: str
    message: str
    what: str

    def __str__(self) -> str:
        return f"{self.language}/{self.domain}: {self.what}: {self.message!r}"


def problems(domain: str) -> list[Problem]:
    """What is wrong with ``domain``'s translations: messages marked in the sources but
    missing from the ``.po``, untranslated, fuzzy, or whose placeholders differ."""
    template = extract(domain)
    found: list[Problem] = []
    for language in TRANSLATED:
        path = po_path(language, domain)
        catalog = read_catalog(path, language, domain) if path.is_file() else None
        for wanted in template:
            if not wanted.id:
                continue
            shown = wanted.id if isinstance(wanted.id, str) else wanted.id[0]
            message = catalog.get(wanted.id, wanted.context) if catalog is not None else None
            if message is None:
                found.append(Problem(domain, language, shown, "not in the .po (run update)"))
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(Problem(domain, language, shown, "untranslated"))
            elif message.fuzzy:
                found.append(Problem(domain, language, shown, "fuzzy"))
            else:
                found.extend(
                    Problem(domain, language, shown, f"placeholders differ ({error})")
                    for error in _placeholder_errors(catalog, message)
                )
    return found


def _placeholder_errors(catalog: Catalog, message: Message) -> Iterable[str]:
    for checker in (python_format, _brace_format):
        try:
            checker(catalog, message)
        except TranslationError as exc:
            yield str(exc)


def _brace_format(catalog: Catalog | None, message: Message) -> None:  # noqa: ARG001
    """``{name}`` placeholders (``str.format`` and the scripts' ``format``) must match."""
    pattern = BRACE_PLACEHOLDER
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    wanted = set(pattern.findall(" ".join(str(i) for i in ids)))
    for string in strings:
        got = set(pattern.findall(str(string)))
        if got != wanted:
            raise TranslationError(f"{{...}} names {sorted(got)} instead of {sorted(wanted)}")


def _say(text: object) -> None:
    print(text)  # noqa: T201 (a command-line tool)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "compile", "compile-one", "check", "set"):
        _say(__doc__)
        return 2
    if argv[0] == "compile-one":
        for name in argv[1:]:
            _say(f"compiled {compile_one(Path(name).resolve()).relative_to(REPO_ROOT)}")
        return 0
    if argv[0] == "set":
        if len(argv) != 3:
            _say(__doc__)
            return 2
        given = json.loads(Path(argv[2]).read_text(encoding="utf-8"))
        unknown = set_translations(argv[1], given)
        for msgid in unknown:
            _say(f"not marked in {argv[1]}'s sources, left out: {msgid!r}")
        _say(f"set {len(given) - len(unknown)} translation(s) in {argv[1]}")
        return 1 if unknown else 0
    command, chosen = argv[0], argv[1:] or domains()
    unknown = sorted(set(chosen) - set(domains()))
    if unknown:
        _say(f"unknown domain(s): {', '.join(unknown)}; known: {', '.join(domains())}")
        return 2
    if command == "update":
        for domain in chosen:
            _say(f"updated {update(domain).relative_to(REPO_ROOT)}")
        return 0
    if command == "compile":
        for path in compile_all():
            _say(f"compiled {path.relative_to(REPO_ROOT)}")
        return 0
    found = [problem for domain in chosen for problem in problems(domain)]
    for problem in found:
        _say(problem)
    _say(f"{len(found)} problem(s) in {', '.join(chosen)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
