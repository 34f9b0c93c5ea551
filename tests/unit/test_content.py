"""The shipped content: the catalog loads, is complete, safe to dose, and broken files are named."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from backcoach.coach.plan import plan_from_program
from backcoach.content import (
    Amount,
    Catalog,
    Exercise,
    Length,
    Stage,
    View,
    default_catalog,
    load_catalog,
)
from backcoach.content.figure import joint_angle, joint_positions
from backcoach.content.loader import DEFAULT_CONTENT_DIR
from backcoach.errors import ContentError

# DESIGN.md's table of canonical ids and its extras: the one place the tests spell out the
# expected set (kept in step with DESIGN.md by test_design_*). Every per-exercise test below
# runs over the catalog itself (ALL_IDS), so an exercise added later is checked too.
CANONICAL: dict[str, Stage] = {
    "deep-breathing": Stage.WARM_UP,
    "neck-nods": Stage.WARM_UP,
    "neck-turns": Stage.WARM_UP,
    "shoulder-circles": Stage.WARM_UP,
    "arm-circles": Stage.WARM_UP,
    "overhead-side-bend": Stage.WARM_UP,
    "standing-forward-bend": Stage.WARM_UP,
    "high-knee-march": Stage.WARM_UP,
    "glute-bridge": Stage.WORKOUT,
    "bird-dog": Stage.WORKOUT,
    "superman": Stage.WORKOUT,
    "pike-to-arch": Stage.WORKOUT,
    "jog-to-walk": Stage.COOL_DOWN,
    "relaxation": Stage.COOL_DOWN,
}
EXTRAS = {"curl-up", "side-plank", "plank", "squat", "push-up"}
BIG_THREE = {"curl-up", "side-plank", "bird-dog"}
STAGE_ORDER = list(Stage)
FLOOR = 0.02  # a joint this close to y = 0 (in body heights) rests on the floor


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _exercise(exercise_id: str) -> Exercise:
    return default_catalog().exercise(exercise_id)


ALL_IDS = sorted(default_catalog().exercises)


# --- the shipped catalog -------------------------------------------------------------


def test_shipped_catalog_loads(catalog: Catalog) -> None:
    assert catalog.exercises
    assert catalog.programs
    assert catalog.tips


def test_exactly_the_canonical_ids_plus_the_extras(catalog: Catalog) -> None:
    core = {e.id for e in catalog.exercises.values() if e.core}
    extra = {e.id for e in catalog.exercises.values() if not e.core}
    assert core == set(CANONICAL)
    assert extra == EXTRAS


@pytest.mark.parametrize("exercise_id", list(CANONICAL))
def test_core_exercise_has_the_design_stage(catalog: Catalog, exercise_id: str) -> None:
    assert catalog.exercise(exercise_id).stage is CANONICAL[exercise_id]


def _empty_fields(value: Any, where: str) -> list[str]:
    """Paths of every empty string or empty list inside a dumped model."""
    if isinstance(value, str):
        return [where] if not value.strip() else []
    if isinstance(value, list):
        found = [where] if not value else []
        for i, item in enumerate(value):
            found += _empty_fields(item, f"{where}.{i}")
        return found
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _empty_fields(item, f"{where}.{key}")]
    return []


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_every_field_is_filled(catalog: Catalog, exercise_id: str) -> None:
    exercise = catalog.exercise(exercise_id)
    assert _empty_fields(exercise.model_dump(mode="json"), exercise_id) == []
    assert len(exercise.steps) >= 3
    assert len(exercise.keyframes) >= 2


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_no_push_through_pain(catalog: Catalog, exercise_id: str) -> None:
    exercise = catalog.exercise(exercise_id)
    text = " ".join(str(v) for v in exercise.model_dump(mode="json").values()).lower()
    assert "through pain" not in text
    assert "through the pain" not in text
    assert any("stop" in line.lower() for line in exercise.safety), "safety says when to stop"


def _amounts(model: BaseModel, where: str = "") -> list[tuple[str, Amount]]:
    found: list[tuple[str, Amount]] = []
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, Amount):
            found.append((f"{where}{name}", value))
        elif isinstance(value, BaseModel):
            found += _amounts(value, f"{where}{name}.")
    return found


@pytest.mark.parametrize("exercise_id", ALL_IDS)
def test_doses_lie_inside_their_safe_range(catalog: Catalog, exercise_id: str) -> None:
    dosage = catalog.exercise(exercise_id).dosage
    amounts = _amounts(dosage)
    assert amounts
    for name, amount in amounts:
        assert 0 < amount.min <= amount.default <= amount.max, name
    assert dosage.sets.max <= 5


def test_seed_doses_are_respected(catalog: Catalog) -> None:
    bridge_hold = catalog.exercise("glute-bridge").dosage.hold_s
    assert bridge_hold is not None
    assert (bridge_hold.min, bridge_hold.max) == (3, 5)
    superman = catalog.exercise("superman").dosage.reps
    assert superman is not None
    assert superman.min <= 5 <= superman.default <= 6 <= superman.max
    breathing = catalog.exercise("deep-breathing").dosage
    assert breathing.reps is not None
    assert breathing.hold_s is not None
    assert breathing.reps.min <= 2 and breathing.reps.default in (2, 3)
    assert 2 <= breathing.hold_s.default <= 3 and breathing.hold_s.max <= 3


def test_program_doses_stay_inside_the_exercise_ranges(catalog: Catalog) -> None:
    for program in catalog.programs.values():
        for length, steps in program.lengths.items():
            for step in steps:
                dosage = catalog.exercise(step.exercise).dosage
                for field in ("sets", "reps", "hold_s", "duration_s"):
                    value = getattr(step.dose, field)
                    if value is None:
                        continue
                    amount = getattr(dosage, field)
                    where = f"{program.id}/{length}/{step.exercise}.{field}"
                    assert amount is not None, f"{where}: the exercise is not dosed this way"
                    assert amount.min <= value <= amount.max, where


def test_extras_are_marked_as_not_from_the_core_program(catalog: Catalog) -> None:
    for exercise_id in EXTRAS:
        assert "not from the core program" in catalog.exercise(exercise_id).notes.lower()
    for exercise_id in CANONICAL:
        assert "from the source program" in catalog.exercise(exercise_id).notes.lower()


@pytest.mark.parametrize("exercise_id", sorted(BIG_THREE))
def test_mcgill_big_three_say_so(catalog: Catalog, exercise_id: str) -> None:
    notes = catalog.exercise(exercise_id).notes
    assert "McGill" in notes and "big three" in notes


def test_camera_support_as_designed(catalog: Catalog) -> None:
    unsupported = {e.id for e in catalog.exercises.values() if not e.camera.supported}
    assert unsupported == {"jog-to-walk", "relaxation", "deep-breathing"}
    floor_work = ["glute-bridge", "bird-dog", "superman", "pike-to-arch", "curl-up", "plank"]
    assert all(catalog.exercise(i).camera.view is View.SIDE for i in floor_work)
    assert all(
        catalog.exercise(i).camera.view is View.FRONT
        for i in ("neck-turns", "arm-circles", "overhead-side-bend")
    )


# --- bird-dog: opposite arm and leg by default ----------------------------------------


def _raised(angle: float) -> bool:
    """A limb segment is raised when it points well away from straight down."""
    return abs((angle - 270 + 180) % 360 - 180) > 45


def test_bird_dog_defaults_to_opposite_arm_and_leg(catalog: Catalog) -> None:
    bird_dog = catalog.exercise("bird-dog")
    reaches = 0
    for keyframe in bird_dog.keyframes:
        seg = keyframe.segments
        arms = {side for side in "lr" if _raised(getattr(seg, f"upper_arm_{side}"))}
        # On all fours the supporting thigh points down; a reaching one points back.
        legs = {side for side in "lr" if _raised(getattr(seg, f"thigh_{side}"))}
        if arms or legs:
            reaches += 1
            assert len(arms) == len(legs) == 1, keyframe.name
            assert arms != legs, f"{keyframe.name}: same-side raise in the default"
    assert reaches >= 2, "both diagonals are shown"
    assert (
        "same side" in bird_dog.harder.name.lower() or "same-side" in bird_dog.harder.name.lower()
    )
    notes = bird_dog.notes.lower()
    assert "opposite" in notes and "same side" in notes and "rotation" in notes


# --- keyframe geometry sanity ---------------------------------------------------------


def _points(exercise_id: str, keyframe: int) -> dict[str, tuple[float, float]]:
    exercise = _exercise(exercise_id)
    return joint_positions(exercise.keyframes[keyframe].segments, exercise.camera.view)


def test_bird_dog_starts_on_hands_and_knees() -> None:
    points = _points("bird-dog", 0)
    for joint in ("wrist_l", "wrist_r", "knee_l", "knee_r"):
        assert points[joint][1] < FLOOR, joint
    assert points["hip"][1] > 0.2 and points["neck"][1] > 0.2


def test_glute_bridge_starts_with_bent_knees_and_lifts_the_hips() -> None:
    start, top = _points("glute-bridge", 0), _points("glute-bridge", 1)
    assert 70 <= joint_angle(start["hip_l"], start["knee_l"], start["ankle_l"]) <= 110
    assert start["ankle_l"][1] < 0.06  # feet flat, ankles just above the floor
    assert top["hip"][1] > start["hip"][1] + 0.08
    assert joint_angle(top["neck"], top["hip"], top["knee_l"]) > 165  # shoulders-hips-knees line


@pytest.mark.parametrize(
    "exercise_id",
    ["deep-breathing", "neck-turns", "arm-circles", "overhead-side-bend", "high-knee-march"],
)
def test_standing_keyframes_keep_a_foot_on_the_floor(exercise_id: str) -> None:
    for index, keyframe in enumerate(_exercise(exercise_id).keyframes):
        points = _points(exercise_id, index)
        feet = sorted(points[a][1] for a in ("ankle_l", "ankle_r"))
        assert feet[0] < FLOOR, keyframe.name
        if exercise_id != "high-knee-march":
            assert feet[1] < FLOOR, f"{keyframe.name}: both feet stay down"
        assert points["head"][1] > 0.8, keyframe.name


def test_pike_to_arch_shows_the_inverted_v_and_the_arch() -> None:
    v, arch = _points("pike-to-arch", 0), _points("pike-to-arch", 1)
    for points in (v, arch):
        assert points["wrist_l"][1] < FLOOR
    assert joint_angle(v["neck"], v["hip"], v["knee_l"]) < 100  # hips folded, high
    assert v["hip"][1] > 0.35
    assert joint_angle(arch["neck"], arch["hip"], arch["knee_l"]) < 160  # back arched
    assert arch["hip"][1] < 0.15 and arch["neck"][1] > 0.25


# --- programs -------------------------------------------------------------------------


@pytest.mark.parametrize("length", list(Length))
def test_back_basics_runs_warm_up_then_workout_then_cool_down(
    catalog: Catalog, length: Length
) -> None:
    steps = catalog.program("back-basics").lengths[length]
    stages = [catalog.exercise(step.exercise).stage for step in steps]
    indices = [STAGE_ORDER.index(stage) for stage in stages]
    assert indices == sorted(indices), stages
    assert set(stages) == set(Stage)
    core_ids = {step.exercise for step in steps}
    assert core_ids == set(CANONICAL), "every core exercise appears in each length"


@pytest.mark.parametrize(
    ("program_id", "length", "low", "high"),
    [
        ("back-basics", Length.SHORT, 8, 12),
        ("back-basics", Length.FULL, 17, 23),
        ("desk-break", Length.SHORT, 1, 2),
    ],
)
def test_program_durations(
    catalog: Catalog, program_id: str, length: Length, low: float, high: float
) -> None:
    minutes = plan_from_program(catalog, program_id, length).estimated_minutes()
    assert low <= minutes <= high


def test_desk_break_uses_desk_friendly_warm_up_moves(catalog: Catalog) -> None:
    steps = catalog.program("desk-break").lengths[Length.SHORT]
    ids = {step.exercise for step in steps}
    assert ids == {
        "neck-turns",
        "neck-nods",
        "shoulder-circles",
        "overhead-side-bend",
        "deep-breathing",
    }
    assert all(catalog.exercise(i).stage is Stage.WARM_UP for i in ids)


# --- tips -----------------------------------------------------------------------------

TIP_TOPICS = [
    "walking",
    "straight back",
    "breaks at the computer",
    "fresh air",
    "diet",
    "stress",
    "overstrain",
    "bad habits",
]


@pytest.mark.parametrize("topic", TIP_TOPICS)
def test_at_least_two_tips_per_topic(catalog: Catalog, topic: str) -> None:
    assert sum(tip.topic == topic for tip in catalog.tips) >= 2


def test_smoking_is_covered_under_bad_habits(catalog: Catalog) -> None:
    assert any("smok" in tip.text.lower() for tip in catalog.tips if tip.topic == "bad habits")


# --- the canonical ids are the documented ones ----------------------------------------


def _design_ids(design: Path) -> dict[str, str]:
    rows = re.findall(
        r"^\|\s*([a-z-]+)\s*\|\s*`([a-z0-9-]+)`\s*\|", design.read_text("utf-8"), re.M
    )
    return {exercise_id: stage for stage, exercise_id in rows}


def _design_extras(design: Path) -> set[str]:
    text = design.read_text("utf-8")
    paragraph = re.search(r"^Extras beyond the article.*?(?:\n\n|\Z)", text, re.M | re.S)
    assert paragraph, "DESIGN.md lists the extras in a paragraph 'Extras beyond the article'"
    return set(re.findall(r"`([a-z0-9-]+)`", paragraph.group(0)))


@pytest.fixture
def design(shared_data: Path) -> Path:
    """DESIGN.md, which the shared folder carries beside the clips."""
    path = shared_data.parent / "DESIGN.md"
    assert path.is_file(), f"DESIGN.md not found beside {shared_data}"
    return path


def test_design_table_matches_the_hard_coded_ids(design: Path) -> None:
    assert _design_ids(design) == {i: s.value for i, s in CANONICAL.items()}


def test_design_extras_match_the_hard_coded_extras(design: Path) -> None:
    assert _design_extras(design) == EXTRAS


@pytest.mark.parametrize("exercise_id", list(CANONICAL))
def test_every_canonical_id_is_shipped(catalog: Catalog, exercise_id: str) -> None:
    assert catalog.exercise(exercise_id).core


# --- broken files: the error names the file, the id and the field ----------------------


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped content."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def _edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _error(directory: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_catalog(directory)
    return str(caught.value)


def test_copied_content_loads(content_dir: Path) -> None:
    assert set(load_catalog(content_dir).exercises) == set(ALL_IDS)


def test_missing_field_is_named(content_dir: Path) -> None:
    path = content_dir / "exercises" / "glute-bridge.yaml"
    _edit_yaml(path, lambda data: data.pop("breathing"))
    message = _error(content_dir)
    assert str(path) in message
    assert "'glute-bridge'" in message
    assert "field 'breathing'" in message


def test_wrong_type_is_named(content_dir: Path) -> None:
    path = content_dir / "exercises" / "superman.yaml"
    _edit_yaml(path, lambda data: data["dosage"]["reps"].update(default="lots"))
    message = _error(content_dir)
    assert str(path) in message
    assert "'superman'" in message
    assert "field 'dosage.reps.default'" in message


def test_unsafe_range_is_named(content_dir: Path) -> None:
    path = content_dir / "exercises" / "bird-dog.yaml"
    _edit_yaml(path, lambda data: data["dosage"]["hold_s"].update(min=20))
    message = _error(content_dir)
    assert str(path) in message
    assert "'bird-dog'" in message
    assert "field 'dosage.hold_s'" in message


def test_missing_dose_for_the_kind_is_named(content_dir: Path) -> None:
    path = content_dir / "exercises" / "side-plank.yaml"
    _edit_yaml(path, lambda data: data["dosage"].pop("hold_s"))
    message = _error(content_dir)
    assert str(path) in message
    assert "'side-plank'" in message
    assert "dosage.hold_s" in message


def test_unknown_exercise_in_a_program_is_named(content_dir: Path) -> None:
    path = content_dir / "programs.yaml"
    _edit_yaml(path, lambda data: data[0]["lengths"]["full"][9].update(exercise="birddog"))
    message = _error(content_dir)
    assert str(path) in message
    assert "'back-basics'" in message
    assert "field 'lengths.full.9.exercise'" in message
    assert "'birddog'" in message


def test_duplicate_program_id_is_named(content_dir: Path) -> None:
    path = content_dir / "programs.yaml"
    _edit_yaml(path, lambda data: data[1].update(id="back-basics"))
    message = _error(content_dir)
    assert str(path) in message
    assert "duplicate program id 'back-basics'" in message


def test_duplicate_tip_id_is_named(content_dir: Path) -> None:
    path = content_dir / "tips.yaml"
    _edit_yaml(path, lambda data: data[1].update(id=data[0]["id"]))
    message = _error(content_dir)
    assert str(path) in message
    assert "duplicate tip id 'walk-every-day'" in message


def test_exercise_id_must_match_its_file(content_dir: Path) -> None:
    source = content_dir / "exercises" / "plank.yaml"
    copy = content_dir / "exercises" / "plank-copy.yaml"
    shutil.copy(source, copy)  # a second file claiming the id 'plank'
    message = _error(content_dir)
    assert str(copy) in message
    assert "'plank'" in message
    assert "field 'id'" in message


def test_invalid_yaml_is_named(content_dir: Path) -> None:
    path = content_dir / "exercises" / "neck-nods.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nsteps: [unclosed\n", encoding="utf-8")
    message = _error(content_dir)
    assert str(path) in message  # the file name is the exercise id
    assert "not valid YAML" in message
    assert "line" in message


def test_wrong_top_level_shape_is_named(content_dir: Path) -> None:
    path = content_dir / "tips.yaml"
    path.write_text("walking: every day\n", encoding="utf-8")
    message = _error(content_dir)
    assert str(path) in message
    assert "expected a list" in message


def test_invalid_tip_field_is_named(content_dir: Path) -> None:
    path = content_dir / "tips.yaml"
    _edit_yaml(path, lambda data: data[2].update(text=""))
    message = _error(content_dir)
    assert str(path) in message
    assert "'walking-as-a-break'" in message
    assert "field 'text'" in message


# --- own words: no run of seven words copied from the seed article --------------------


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_content_is_written_in_our_own_words(shared_data: Path, catalog: Catalog) -> None:
    seed = shared_data.parent / "seed" / "back-strengthening-exercises.txt"
    assert seed.is_file(), f"the seed article sits next to the shared data: {seed}"
    run = 7
    seed_words = _words(seed.read_text(encoding="utf-8"))
    seed_runs = {tuple(seed_words[i : i + run]) for i in range(len(seed_words) - run + 1)}
    texts = [e.model_dump_json() for e in catalog.exercises.values()]
    texts += [f"{t.title} {t.text}" for t in catalog.tips]
    texts += [p.description for p in catalog.programs.values()]
    copied = set()
    for text in texts:
        words = _words(text)
        copied |= {tuple(words[i : i + run]) for i in range(len(words) - run + 1)} & seed_runs
    assert not copied, [" ".join(c) for c in copied]
