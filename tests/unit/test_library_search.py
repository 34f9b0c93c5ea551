"""Exercise search forgives how people type: complaints, other names, joined words, typos."""

from __future__ import annotations

import pytest

from backcoach.content import Catalog, Exercise, Stage, default_catalog, load_catalog
from backcoach.services import library
from backcoach.services.library import SYNONYMS, find_exercises

BIG_THREE = {"bird-dog", "curl-up", "side-plank"}
BACK_WORKOUT = {"bird-dog", "glute-bridge", "superman"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def ids(catalog: Catalog, query: str, stage: Stage | None = None) -> list[str]:
    return [e.id for e in find_exercises(catalog, stage=stage, query=query)]


@pytest.mark.parametrize(
    "query",
    [
        "back pain",
        "Back Pain",
        "sciatica",
        "low back pain",
        "backache",
        "exercises for my back pain",
    ],
)
def test_back_complaints_find_the_back_exercises(catalog: Catalog, query: str) -> None:
    found = set(ids(catalog, query))
    assert found >= BIG_THREE | BACK_WORKOUT
    # ...and not the whole catalog: neck and arm mobility are not back exercises
    assert not {"neck-nods", "neck-turns", "arm-circles", "shoulder-circles"} & found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("birddog", "bird-dog"),
        ("bird dog", "bird-dog"),
        ("Bird-Dog", "bird-dog"),
        ("BIRD-DOG", "bird-dog"),
        ("glutebridge", "glute-bridge"),
        ("glute-bridge", "glute-bridge"),
        ("curlup", "curl-up"),
        ("pike to arch", "pike-to-arch"),
    ],
)
def test_ids_and_names_match_joined_or_apart(catalog: Catalog, query: str, expected: str) -> None:
    assert ids(catalog, query) == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("brige", "glute-bridge"),
        ("supreman", "superman"),
        ("birdog", "bird-dog"),
        ("sqaut", "squat"),
    ],
)
def test_a_typo_finds_the_closest_word(catalog: Catalog, query: str, expected: str) -> None:
    assert ids(catalog, query) == [expected]


def test_a_typo_in_a_complaint_still_finds_the_back_exercises(catalog: Catalog) -> None:
    assert set(ids(catalog, "sciatca")) == set(ids(catalog, "sciatica"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hip bridge", "glute-bridge"),
        ("downward dog", "pike-to-arch"),
        ("press-up", "push-up"),
        ("boat", "superman"),
        ("belly breathing", "deep-breathing"),
    ],
)
def test_other_names_from_the_content_are_found(
    catalog: Catalog, query: str, expected: str
) -> None:
    assert ids(catalog, query) == [expected]


def test_every_exercise_is_found_by_each_of_its_aliases(catalog: Catalog) -> None:
    for exercise in catalog.exercises.values():
        for alias in exercise.aliases:
            assert exercise.id in ids(catalog, alias), (exercise.id, alias)


def test_unknown_words_find_nothing(catalog: Catalog) -> None:
    # Typo tolerance must not turn nonsense into a match
    assert ids(catalog, "xyzzy") == []
    assert ids(catalog, "bridge xyzzy") == []
    assert ids(catalog, "knitting") == []


def test_short_words_are_not_corrected(catalog: Catalog) -> None:
    # "abx" is one letter from "abs", but three letters are too few to guess from
    assert ids(catalog, "abx") == []


def test_a_precise_word_stays_precise(catalog: Catalog) -> None:
    assert ids(catalog, "bridge") == ["glute-bridge"]
    assert set(ids(catalog, "neck pain")) >= {"neck-nods", "neck-turns"}


def test_stage_filter_and_order_still_apply(catalog: Catalog) -> None:
    workout = ids(catalog, "back pain", Stage.WORKOUT)
    assert workout
    assert all(catalog.exercise(i).stage is Stage.WORKOUT for i in workout)
    # core program before extras within a stage
    core = [catalog.exercise(i).core for i in workout]
    assert core == sorted(core, reverse=True)
    assert ids(catalog, "warmup") == ids(catalog, "warm-up") == ids(catalog, "", Stage.WARM_UP)


def test_every_synonym_names_words_the_content_uses(catalog: Catalog) -> None:
    for phrase in SYNONYMS:
        assert ids(catalog, phrase), f"'{phrase}' finds nothing: its words are stale"


def test_the_search_text_is_built_once_per_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    haystack = library._haystack

    def counting(exercise: Exercise) -> str:
        built.append(exercise.id)
        return haystack(exercise)

    monkeypatch.setattr(library, "_haystack", counting)
    fresh = load_catalog()  # new objects: nothing is kept for it yet
    first = ids(fresh, "back pain")
    assert ids(fresh, "back pain") == first
    assert ids(fresh, "brige") == ["glute-bridge"]
    assert sorted(built) == sorted(fresh.exercises)  # each exercise once, for all searches
    # another catalog object with other content is searched in its own text
    renamed = {
        **fresh.exercises,
        "plank": fresh.exercise("plank").model_copy(update={"aliases": ["zebra"]}),
    }
    other = Catalog(exercises=renamed, programs=fresh.programs, tips=fresh.tips)
    assert ids(other, "zebra") == ["plank"]
    assert ids(fresh, "zebra") == []
