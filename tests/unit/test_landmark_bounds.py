"""Landmark parsing refuses numbers no camera gives, with a short message and no overflow."""

from __future__ import annotations

import json

import pytest

from backcoach.vision.landmarks import (
    LandmarkFormatError,
    frame_from_json,
    iter_jsonl_lines,
    parse_landmarks,
)

POINT = [0.5, 0.5, 0.0, 0.9]


def points_with(point: list[object]) -> list[list[object]]:
    return [point] + [POINT] * 32


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"t_s": 10**400, "landmarks": None}, "'t_s' must be a number from -10000000 to 10000000"),
        ({"t_s": float("inf"), "landmarks": None}, "'t_s' must be a number from"),
        ({"t_s": float("nan"), "landmarks": None}, "'t_s' must be a number from"),
        ({"t_s": 0, "landmarks": None, "aspect": 10**400}, "'aspect' must be a number from"),
        ({"t_s": 0, "landmarks": None, "aspect": 1e-9}, "'aspect' must be positive"),
        ({"t_s": 0, "landmarks": points_with([10**400, 0, 0, 1])}, "landmark 0 must be"),
        ({"t_s": 0, "landmarks": points_with([0, -1e400, 0, 1])}, "from -100 to 100"),
        ({"t_s": 0, "landmarks": points_with([0, 0, 0, 2])}, "visibility must be a number from 0"),
    ],
)
def test_out_of_range_numbers_are_a_value_error_with_a_short_message(
    record: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        frame_from_json(record)
    assert len(str(refused.value)) < 200  # a 400-digit number is not echoed back


def test_a_bad_point_is_shown_briefly() -> None:
    with pytest.raises(ValueError) as refused:
        parse_landmarks(points_with(["x" * 10_000, 0, 0]))
    assert "landmark 0 must be [x, y, z, visibility]" in str(refused.value)
    assert len(str(refused.value)) < 200


def test_landmark_files_with_huge_numbers_or_deep_nesting_name_the_line() -> None:
    good = json.dumps({"t_s": 0, "landmarks": None})
    huge = '{"t_s": 1' + "0" * 400 + ', "landmarks": null}'
    nested = '{"t_s": 1, "landmarks": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(LandmarkFormatError, match="line 2: 't_s' must be a number from"):
        list(iter_jsonl_lines([good, huge]))
    with pytest.raises(LandmarkFormatError, match="line 2: lists nested too deeply"):
        list(iter_jsonl_lines([good, nested]))
