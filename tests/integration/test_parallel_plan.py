"""How ``backcoach analyze --jobs N`` cuts a video into parts (pure planning, no model)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.vision.parallel import analysed_frames, default_jobs, plan_chunks


@pytest.mark.parametrize("frames", [1, 59, 150, 301, 1650, 10_007])
@pytest.mark.parametrize("parts", [1, 2, 3, 8])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_parts_keep_every_analysed_frame_once_in_order(
    frames: int, parts: int, stride: int
) -> None:
    warm_up = 60
    plan = plan_chunks(frames, parts=parts, stride=stride, warm_up=warm_up)
    kept: list[int] = []
    for chunk in plan:
        stop = frames if chunk.stop is None else chunk.stop
        kept.extend(i for i in range(chunk.start, stop) if i % stride == 0)
        assert chunk.start % stride == 0 and chunk.warm_from % stride == 0
        if chunk.index:
            assert chunk.start - chunk.warm_from == -(-warm_up // stride) * stride
    assert kept == list(range(0, frames, stride))
    assert [c.index for c in plan] == list(range(len(plan)))
    assert plan[0].warm_from == 0 and plan[-1].stop is None
    assert len(plan) <= parts


def test_work_is_balanced_and_short_videos_are_not_split() -> None:
    plan = plan_chunks(1650, parts=2, stride=1, warm_up=60)
    work = [analysed_frames(chunk, 1650, 1) for chunk in plan]
    assert len(plan) == 2 and abs(work[0] - work[1]) <= 1
    assert sum(work) == 1650 + 60
    # Each part must keep at least a warm-up's worth of frames, else it is not worth a process.
    assert len(plan_chunks(170, parts=2, stride=1, warm_up=60)) == 1
    assert len(plan_chunks(180, parts=2, stride=1, warm_up=60)) == 2
    assert len(plan_chunks(0, parts=4, stride=1, warm_up=60)) == 1  # frame count unknown
    assert len(plan_chunks(1650, parts=8, stride=1, warm_up=60)) == 8


def test_jobs_must_be_at_least_one(tmp_path: Path) -> None:
    for command in (["analyze", "-e", "squat"], ["landmarks", "-o", str(tmp_path / "o.jsonl")]):
        result = CliRunner().invoke(app, [*command, str(tmp_path / "v.mp4"), "--jobs", "0"])
        assert result.exit_code == 2
        assert "--jobs" in result.stderr


def test_default_jobs_is_the_usable_cores() -> None:
    assert default_jobs() == len(os.sched_getaffinity(0))
