"""Finding exercises in the catalog: the one filter the library page and the API share.

The search forgives the way people type, because they search for what they feel and
for the names they know, not for our ids:

- every word of the query must match the exercise's id, name, other names (``aliases``),
  purpose, muscles or stage;
- ids and names also match written as one word or apart ("birddog", "glute bridge",
  "warmup");
- a complaint or an everyday word stands for the words the content uses (``SYNONYMS``):
  "back pain" and "sciatica" find the exercises that train the back's own muscles;
- a word that matches no exercise at all is read as the closest word that does, when
  one is close enough and starts with the same letter (a typo: "brige" finds the bridge);
- filler words ("exercises for my ...") are ignored.

The text each exercise is searched in (its *haystack*) is built once per catalog:
the content does not change while an app runs, so a search only matches words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from backcoach.content import Catalog, Exercise, Stage

STAGE_ORDER = {stage: i for i, stage in enumerate(Stage)}

# The back's own muscles, as the exercise content names them.
_BACK = ("back extensors", "erector spinae", "multifidus", "quadratus lumborum", "lower back")
_CORE = ("abdominal", "abdominis", "obliques", "trunk")

SYNONYMS: dict[str, tuple[str, ...]] = {
    "back pain": _BACK,
    "low back pain": _BACK,
    "lower back pain": _BACK,
    "backache": _BACK,
    "back ache": _BACK,
    "stiff back": _BACK,
    "bad back": _BACK,
    "lumbago": _BACK,
    "sciatica": _BACK,
    "neck pain": ("neck",),
    "stiff neck": ("neck",),
    "core": _CORE,
    "abs": _CORE,
    "tummy": _CORE,
    "glutes": ("gluteus",),
    "bum": ("gluteus",),
    "breathe": ("breath",),
    "stretching": ("stretch",),
}
"""Query phrase -> words of the content; an exercise matches the phrase if it has any."""

_FILLER = frozenset({"a", "an", "the", "for", "my", "of", "with", "exercise", "exercises"})
_TYPO_CUTOFF = 0.8  # difflib ratio; "brige"/"bridge" is 0.91, "back"/"neck" only 0.5
_TYPO_MIN_LENGTH = 4  # shorter words are too easy to "correct" into something else


def find_exercises(
    catalog: Catalog, *, stage: Stage | None = None, query: str = ""
) -> list[Exercise]:
    """Exercises of ``stage`` (all when None) that match every term of ``query``.

    Ordered as a session runs: warm-up, workout, cool-down; core program before extras.
    """
    haystacks = _haystacks(_Same(catalog))
    terms = _terms(query, haystacks.values())
    found = [
        exercise
        for exercise in catalog.exercises.values()
        if (stage is None or exercise.stage is stage)
        and all(_matches(haystacks[exercise.id], term) for term in terms)
    ]
    return sorted(found, key=lambda e: (STAGE_ORDER[e.stage], not e.core))


class _Same:
    """A catalog as a memo key: equal only to the very same object (a catalog is unhashable)."""

    __slots__ = ("catalog",)

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __hash__(self) -> int:
        return id(self.catalog)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.catalog is self.catalog


@lru_cache(maxsize=16)
def _haystacks(key: _Same) -> Mapping[str, str]:
    """Exercise id -> its haystack, for every exercise of the catalog (kept alive while cached)."""
    return {e.id: _haystack(e) for e in key.catalog.exercises.values()}


def _compact(text: str) -> str:
    """``text`` without spaces, hyphens or brackets: "Bird-dog" and "bird dog" -> "birddog"."""
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _haystack(exercise: Exercise) -> str:
    names = [exercise.id, exercise.name, *exercise.aliases, exercise.stage.value]
    text = [*names, exercise.purpose, *exercise.muscles]
    return " ".join([*text, *map(_compact, names)]).casefold()


def _matches(haystack: str, term: tuple[str, ...]) -> bool:
    return any(word in haystack or _compact(word) in haystack for word in term)


def _terms(query: str, haystacks: Iterable[str]) -> list[tuple[str, ...]]:
    """The query as terms, each a tuple of words of which an exercise must contain one."""
    text = " ".join(query.casefold().split())
    terms: list[tuple[str, ...]] = []
    # Longest phrases first, so "low back pain" is not read as "low" + "back pain".
    for phrase in sorted(SYNONYMS, key=len, reverse=True):
        pattern = rf"(?<![\w-]){re.escape(phrase)}(?![\w-])"
        if re.search(pattern, text):
            terms.append(SYNONYMS[phrase])
            text = re.sub(pattern, " ", text)
    everything = list(haystacks)
    known: list[str] | None = None  # the words of the content, built on the first typo
    for word in text.split():
        if word in _FILLER:
            continue
        if len(word) >= _TYPO_MIN_LENGTH and not any(_matches(h, (word,)) for h in everything):
            known = known if known is not None else _vocabulary(everything)
            # Typos rarely hit the first letter; requiring it keeps "knitting" from "sitting".
            same_start = [w for w in known if w[0] == word[0]]
            close = difflib.get_close_matches(word, same_start, n=1, cutoff=_TYPO_CUTOFF)
            if close:
                terms.append(SYNONYMS.get(close[0], (close[0],)))
                continue
        terms.append((word,))
    return terms


def _vocabulary(haystacks: Iterable[str]) -> list[str]:
    words = {w for h in haystacks for w in re.findall(r"[0-9a-z]+(?:-[0-9a-z]+)*", h)}
    words |= {w for h in haystacks for w in re.findall(r"[0-9a-z]+", h)}
    return sorted(words | {p for p in SYNONYMS if " " not in p})
