"""``--jobs 2`` against ``--jobs 1`` on real clips through the real pose model.

The parallel run restarts pose tracking in each part, so its landmarks after a
seam are close to, not equal to, the sequential run's; the counts must be the
same. Each command runs once per clip and job count (the slow part).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from backcoach.cli import app
from backcoach.cli.vision import AUTO_PARALLEL_MIN_S
from backcoach.vision.analyzers import get_analyzer
from backcoach.vision.landmarks import LandmarkFrame, read_jsonl
from backcoach.vision.parallel import WARM_UP_S, Chunk, plan_chunks, pose_chunk
from backcoach.vision.pipeline import run_analyzer
from backcoach.vision.sources import VideoFile

pytest.importorskip("mediapipe")

pytestmark = pytest.mark.vision

BRIDGE = "seed-clips/lenagalanova_glute_bridge.mp4"  # 392 frames: parts 0-225 and 226-391
BIRD_DOG = "seed-clips/gymnai_bird_dog_AIgen.mp4"  # 240 frames: parts 0-149 and 150-239

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _points(frame: LandmarkFrame) -> np.ndarray:
    assert frame.landmarks is not None
    return np.array([[p.x, p.y, p.visibility] for p in frame.landmarks])


def _is_split(path: Path) -> bool:
    info = VideoFile(path).info
    warm_up = round(WARM_UP_S * info.fps)
    return len(plan_chunks(info.frame_count, parts=2, stride=1, warm_up=warm_up)) == 2


@pytest.fixture(scope="module")
def bridge_landmarks(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[int, Path]:
    """``backcoach landmarks`` of the bridge clip with one and with two processes."""
    folder = tmp_path_factory.mktemp("parallel")
    files = {}
    for jobs in (1, 2):
        files[jobs] = folder / f"jobs{jobs}.jsonl"
        code, _, err = invoke(
            "landmarks", shared_data / BRIDGE, "-o", files[jobs], "--jobs", str(jobs)
        )
        assert code == 0, err
    return files


def test_landmarks_in_parallel_agree_frame_by_frame(
    shared_data: Path, bridge_landmarks: dict[int, Path]
) -> None:
    assert _is_split(shared_data / BRIDGE)
    one, two = (list(read_jsonl(bridge_landmarks[jobs])) for jobs in (1, 2))
    assert [f.t_s for f in one] == [f.t_s for f in two]
    assert len(one) == 392
    assert [f.landmarks is None for f in one] == [f.landmarks is None for f in two]
    first_part = 226
    for a, b in zip(one[:first_part], two[:first_part], strict=True):
        assert a == b  # the first part runs exactly as the sequential run
    gaps = []
    for a, b in zip(one[first_part:], two[first_part:], strict=True):
        if a.landmarks is None:
            continue
        pa, pb = _points(a), _points(b)
        seen = (pa[:, 2] > 0.5) & (pb[:, 2] > 0.5)
        gaps.append(float(np.median(np.abs(pa[seen, :2] - pb[seen, :2]))))
    # A restarted tracker settles within a few pixels of the sequential one (1280 px wide).
    assert max(gaps) < 0.01
    assert float(np.mean(gaps)) < 0.003


@pytest.mark.parametrize("exercise", ["glute-bridge", "generic"])
def test_landmark_files_count_the_same(bridge_landmarks: dict[int, Path], exercise: str) -> None:
    results = [
        run_analyzer(read_jsonl(bridge_landmarks[jobs]), get_analyzer(exercise)) for jobs in (1, 2)
    ]
    assert results[0].reps == results[1].reps
    assert [e.side for e in results[0].rep_events] == [e.side for e in results[1].rep_events]
    if exercise == "glute-bridge":
        assert results[0].reps >= 2  # the clip shows 3 bridges; the last ends at the top


def test_analyze_video_counts_the_same_in_parallel(shared_data: Path) -> None:
    assert _is_split(shared_data / BIRD_DOG)
    answers = []
    for jobs in ("1", "2"):
        code, stdout, err = invoke(
            "analyze", shared_data / BIRD_DOG, "-e", "bird-dog", "--json", "--jobs", jobs
        )
        assert code == 0, err
        answers.append(json.loads(stdout))
    one, two = answers
    assert one["frames"] == two["frames"] == 240
    assert one["reps"] == two["reps"] >= 1
    assert [e["side"] for e in one["rep_events"]] == [e["side"] for e in two["rep_events"]]
    for a, b in zip(one["rep_events"], two["rep_events"], strict=True):
        assert abs(a["start_s"] - b["start_s"]) < 0.2 and abs(a["end_s"] - b["end_s"]) < 0.2


def test_truncated_video_split_in_parts_is_a_plain_error(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / BRIDGE).read_bytes()  # the index (moov) sits at the front
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.4)])
    code, out, err = invoke("analyze", cut, "-e", "glute-bridge", "--json", "--jobs", "2")
    assert code == 1
    assert out == ""
    assert "truncated or corrupt" in " ".join(err.split())
    assert "Traceback" not in err


def test_seeking_decodes_the_same_frames_as_reading_from_the_start(shared_data: Path) -> None:
    video = VideoFile(shared_data / BRIDGE)
    for stride in (1, 3):
        seeked = list(video.frames(stride=stride, max_width=160, start=171, stop=184))
        read = list(video.frames(stride=stride, max_width=160, start=171, stop=184, seek=False))
        assert [f.index for f in seeked] == [f.index for f in read]
        assert [f.index for f in read] == [i for i in range(171, 184) if i % stride == 0]
        for a, b in zip(seeked, read, strict=True):
            assert a.t_s == b.t_s and np.array_equal(a.image, b.image)


def test_parts_fingerprint_the_frame_where_the_next_part_starts(shared_data: Path) -> None:
    path = shared_data / BIRD_DOG
    first = pose_chunk(path, Chunk(0, 0, 0, 10), next_warm_from=5, stride=1, max_width=160)
    second = pose_chunk(path, Chunk(1, 5, 10, 15), next_warm_from=None, stride=1, max_width=160)
    decoded = pose_chunk(
        path, Chunk(1, 5, 10, 15), next_warm_from=None, stride=1, max_width=160, seek=False
    )
    shifted = pose_chunk(path, Chunk(1, 6, 10, 15), next_warm_from=None, stride=1, max_width=160)
    assert first.next_digest == second.first_digest == decoded.first_digest
    assert shifted.first_digest != second.first_digest  # a seek one frame off is caught
    assert len(first.frames) == 10 and len(second.frames) == 5
    assert [f.t_s for f in second.frames] == pytest.approx([i / 30 for i in range(10, 15)])


def test_a_short_video_is_posed_in_one_process_unless_jobs_is_given(
    shared_data: Path, tmp_path: Path
) -> None:
    # A restarted tracker can settle elsewhere on a short clip: without --jobs, a video
    # under AUTO_PARALLEL_MIN_S gives exactly the sequential run's landmarks.
    squat = shared_data / "calimiro-ai__WorkoutTracker/data/raw/squats/squat_24.mp4"
    assert _is_split(squat) and VideoFile(squat).info.duration_s < AUTO_PARALLEL_MIN_S
    files = {name: tmp_path / f"{name}.jsonl" for name in ("default", "one")}
    for name, extra in (("default", ()), ("one", ("--jobs", "1"))):
        code, _, err = invoke("landmarks", squat, "-o", files[name], *extra)
        assert code == 0, err
    assert list(read_jsonl(files["default"])) == list(read_jsonl(files["one"]))
