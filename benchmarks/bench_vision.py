"""Vision benchmarks: counting accuracy on labelled real clips, speed, memory.

Prints tables, asserts nothing. Needs the ``vision`` extra and the shared
clips (``BACKCOACH_TEST_DATA`` or ``../shared/data``).

- Counting: per clip, labelled vs counted reps; MAE = mean(|pred - true| / true)
  and off-by-one accuracy over clips with a labelled count > 0, at frame
  strides 1, 2 and 3 (each stride is a real model run: tracking differs).
- Speed: end-to-end (decode + pose + analyze) on the 640x480 bridge clip as
  frames per second and as a ratio to real time, with decoding overlapped with
  inference (reader thread) and without; the model's start-up time apart.
- Analyzer only: frames per second of each analyzer on recorded landmarks.
- Parallel pose: ``analyze`` and ``landmarks`` with ``--jobs`` 1 and 2 on shared
  clips joined into one ~56 s 640x360 video: wall time, x real time, CPU use.
- Form faults: per clip labelled correct/incorrect, the faults found and the view
  seen; precision/recall of a clip being flagged.
- Generic counter: off-by-one and MAE per suite and per exercise on the hard
  synthetic suites (``tests/support/hard_synthetic.py``, normalised per frame
  and raw) and on every labelled shared clip; frames/s of CPU time.
- Memory: peak resident set size of the process; tracemalloc peak of the analyzers.
"""

from __future__ import annotations

import csv
import os
import resource
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from backcoach.vision.analyzers import available, get_analyzer
from backcoach.vision.analyzers.base import UNFINISHED
from backcoach.vision.landmarks import LandmarkFrame, read_jsonl, write_jsonl
from backcoach.vision.parallel import ChunkedPose
from backcoach.vision.pipeline import analyze_video, pose_frames, run_analyzer, video_landmarks
from backcoach.vision.pose import MediaPipePose
from backcoach.vision.sources import VideoFile, VideoFrame
from benchmarks.accuracy import keraal_landmarks
from tests.support.clip_labels import clips
from tests.support.hard_synthetic import suite

WORKOUT = "calimiro-ai__WorkoutTracker/data"


@dataclass(frozen=True)
class Clip:
    name: str
    path: str
    exercise: str
    label: int | None  # None: read from the label CSV
    note: str = ""


CLIPS = (
    Clip("bridging", "pankajmaurya__PhysioPlus/physiocore/tests/bridging.mp4", "glute-bridge", 1),
    Clip("push-up_12", f"{WORKOUT}/raw/push-ups/push-up_12.mp4", "push-up", None),
    Clip("squat_12", f"{WORKOUT}/raw/squats/squat_12.mp4", "squat", None),
    Clip("squat_24", f"{WORKOUT}/raw/squats/squat_24.mp4", "squat", None),
    Clip(
        "push-up_13",
        f"{WORKOUT}/raw/push-ups/push-up_13.mp4",
        "push-up",
        None,
        "label CSV has no rep start; the clip shows 2 push-ups (not in MAE)",
    ),
)
PLANKS = (
    ("plank_correct_001", "kaiakol__computervision/data/plank/correct/plank_correct_001.mp4", 2.6),
    ("plank_correct_004", "kaiakol__computervision/data/plank/correct/plank_correct_004.mp4", 3.9),
)
STRIDES = (1, 2, 3)


def _data_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    return Path(os.environ.get("BACKCOACH_TEST_DATA", default))


def _label(data: Path, clip: Clip) -> int:
    if clip.label is not None:
        return clip.label
    kind = "push-ups" if clip.exercise == "push-up" else "squats"
    with (data / WORKOUT / "labels" / kind / f"{clip.name}.csv").open() as handle:
        return sum(float(row["label"]) == 1 for row in csv.DictReader(handle))


def _landmarks(path: Path, stride: int) -> list[LandmarkFrame]:
    return [frame for _, frame in pose_frames(VideoFile(path), stride=stride)]


def _count(frames: list[LandmarkFrame], exercise: str) -> int:
    analyzer = get_analyzer(exercise)
    for frame in frames:
        analyzer.update(frame)
    return analyzer.result().reps


def _table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def counting(data: Path) -> dict[str, list[LandmarkFrame]]:
    """Counting accuracy at each stride; returns the stride-1 landmarks for later sections."""
    generic = "generic" in available()
    cached: dict[str, list[LandmarkFrame]] = {}
    rows: list[list[str]] = []
    summary: list[list[str]] = []
    for stride in STRIDES:
        errors: list[float] = []
        within: list[bool] = []
        generic_errors: list[float] = []
        for clip in CLIPS:
            frames = _landmarks(data / clip.path, stride)
            if stride == 1:
                cached[clip.name] = frames
            label = _label(data, clip)
            counted = _count(frames, clip.exercise)
            by_generic = _count(frames, "generic") if generic else None
            if label > 0:
                errors.append(abs(counted - label) / label)
                within.append(abs(counted - label) <= 1)
                if by_generic is not None:
                    generic_errors.append(abs(by_generic - label) / label)
            rows.append(
                [
                    str(stride),
                    clip.name,
                    clip.exercise,
                    str(label),
                    str(counted),
                    "-" if by_generic is None else str(by_generic),
                    clip.note,
                ]
            )
        summary.append(
            [
                str(stride),
                str(len(errors)),
                f"{sum(errors) / len(errors):.3f}",
                f"{sum(within) / len(within):.2f}",
                f"{sum(generic_errors) / len(generic_errors):.3f}" if generic_errors else "-",
            ]
        )
    print("\nRep counting on labelled real clips (analyzer defaults, same for every clip)")
    _table(["stride", "clip", "analyzer", "label", "counted", "generic", "note"], rows)
    print()
    _table(["stride", "clips", "MAE", "off-by-one acc", "generic MAE"], summary)

    hold_rows = []
    for name, relative, seconds in PLANKS:
        frames = _landmarks(data / relative, 1)
        cached[name] = frames
        analyzer = get_analyzer("plank")
        for frame in frames:
            analyzer.update(frame)
        held = sum(h.duration_s for h in analyzer.result().holds)
        hold_rows.append([name, f"{seconds:.1f}", f"{held:.2f}"])
    print("\nPlank holds (label = clip length of a correct hold)")
    _table(["clip", "label s", "measured s"], hold_rows)
    return cached


def _sequential(video: VideoFile, stride: int) -> Iterator[tuple[VideoFrame, LandmarkFrame]]:
    pose = MediaPipePose()
    try:
        for frame in video.frames(stride=stride):
            yield frame, pose.estimate(frame.image, frame.t_s)
    finally:
        pose.close()


def speed(data: Path) -> None:
    path = data / CLIPS[0].path
    video = VideoFile(path)
    info = video.info
    decode_started = time.perf_counter()
    decoded = sum(1 for _ in video.frames())
    decode_fps = decoded / (time.perf_counter() - decode_started)

    rows = []
    for stride in STRIDES:
        for mode in ("overlapped", "sequential"):
            analyzer = get_analyzer(CLIPS[0].exercise)
            started = time.perf_counter()
            source = (
                pose_frames(video, stride=stride)
                if mode == "overlapped"
                else _sequential(video, stride)
            )
            frames = 0
            first = cpu_first = 0.0
            for _, landmarks in source:
                analyzer.update(landmarks)
                frames += 1
                if frames == 1:  # model start-up ends with the first frame: timed apart
                    first, cpu_first = time.perf_counter(), time.process_time()
            wall = time.perf_counter() - first
            cpu_ms = 1000 * (time.process_time() - cpu_first) / (frames - 1)
            covered_s = (frames - 1) * stride / info.fps
            rows.append(
                [
                    str(stride),
                    mode,
                    str(frames),
                    f"{first - started:.2f}",
                    f"{(frames - 1) / wall:.1f}",
                    f"{covered_s / wall:.2f}x",
                    f"{cpu_ms:.0f}",
                    str(analyzer.result().reps),
                ]
            )
    print(
        f"\nEnd-to-end speed on {path.name} ({info.width}x{info.height}, "
        f"{info.frame_count} frames, {info.fps:.0f} fps, {info.duration_s:.1f} s); decoding "
        f"alone {decode_fps:.0f} frames/s; {os.cpu_count()} cores, load shared with others"
    )
    headers = ["stride", "decoding", "frames", "start-up s", "frames/s", "x real time"]
    _table([*headers, "CPU ms/frame", "reps"], rows)
    print(
        "(after the first frame; CPU ms/frame = all threads' CPU time per analysed frame, "
        "independent of other load)"
    )


def _feed_all(exercise: str, stream: list[LandmarkFrame], repeats: int) -> float:
    analyzer = get_analyzer(exercise)
    started = time.perf_counter()
    t = 0.0
    for _ in range(repeats):
        for frame in stream:
            t += 1 / 30
            analyzer.update(LandmarkFrame(t, frame.landmarks, frame.aspect))
    return repeats * len(stream) / (time.perf_counter() - started)


def analyzer_only(cached: dict[str, list[LandmarkFrame]]) -> None:
    stream = [frame for frames in cached.values() for frame in frames]
    repeats = max(1, 20_000 // len(stream))
    rows = [[exercise, f"{_feed_all(exercise, stream, repeats):,.0f}"] for exercise in available()]
    print(f"\nAnalyzer only (one core, {len(stream)} recorded real frames, repeated)")
    _table(["analyzer", "frames/s"], rows)
    tracemalloc.start()
    for exercise in available():
        _feed_all(exercise, stream, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"tracemalloc peak while running every analyzer once over them: {peak / 1e6:.2f} MB")


# --- parallel pose (analyze/landmarks --jobs) ------------------------------------------

#: Shared clips joined (letterboxed to 640x360, 30 fps) into one ~56 s test video.
LONG_SET = (
    "seed-clips/lenagalanova_glute_bridge.mp4",
    "seed-clips/gymnai_bird_dog_AIgen.mp4",
    "seed-clips/polybag_bird_dog.mp4",
    "seed-clips/polybag_seated_side_bend.mp4",
    "seed-clips/foririsgem_glute_bridge.mp4",
)


def _joined_clips(data: Path, out: Path, width: int = 640, height: int = 360) -> None:
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(out), cv2.VideoWriter.fourcc(*"mp4v"), 30.0, (width, height))
    for relative in LONG_SET:
        capture = cv2.VideoCapture(str(data / relative))
        while True:
            ok, image = capture.read()
            if not ok:
                break
            scale = min(width / image.shape[1], height / image.shape[0])
            size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
            canvas = np.zeros((height, width, 3), dtype=np.uint8)
            left, top = (width - size[0]) // 2, (height - size[1]) // 2
            canvas[top : top + size[1], left : left + size[0]] = cv2.resize(image, size)
            writer.write(canvas)
        capture.release()
    writer.release()


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def parallel_speed(data: Path) -> None:
    """``analyze`` and ``landmarks`` with one process and with one per core, on a long video."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "joined.mp4"
        _joined_clips(data, path)
        video = VideoFile(path)
        rows = []
        reps: dict[tuple[str, int], int] = {}
        for command in ("analyze", "landmarks"):
            for jobs in (1, 2):
                started, cpu = time.perf_counter(), _cpu_s()
                if jobs == 1 and command == "analyze":
                    result = analyze_video(path, "generic", video=video)
                elif jobs == 1:
                    write_jsonl(Path(folder) / "one.jsonl", video_landmarks(path))
                else:
                    frames = ChunkedPose(video, jobs=jobs).landmarks()
                    if command == "analyze":
                        result = run_analyzer(frames, get_analyzer("generic"))
                    else:
                        write_jsonl(Path(folder) / "two.jsonl", frames)
                wall = time.perf_counter() - started
                used = _cpu_s() - cpu
                if command == "analyze":
                    reps[command, jobs] = result.reps
                rows.append(
                    [
                        command,
                        str(jobs),
                        f"{wall:.1f}",
                        f"{video.info.duration_s / wall:.2f}x",
                        f"{100 * used / wall:.0f}%",
                        f"{used / video.info.duration_s:.2f}",
                        str(reps.get((command, jobs), "")),
                    ]
                )
        for jobs in (1, 2):
            landmarks = list(read_jsonl(Path(folder) / ("one.jsonl" if jobs == 1 else "two.jsonl")))
            for exercise in ("glute-bridge", "bird-dog"):
                count = run_analyzer(landmarks, get_analyzer(exercise)).reps
                reps[exercise, jobs] = count
    load = os.getloadavg()[0]
    print(
        f"\nParallel pose on {len(LONG_SET)} shared clips joined into one video "
        f"({video.info.width}x{video.info.height}, {video.info.frame_count} frames, "
        f"{video.info.duration_s:.1f} s); {os.cpu_count()} cores, load average {load:.1f} "
        "(other users' work slows both rows)"
    )
    headers = [
        "command",
        "jobs",
        "wall s",
        "x real time",
        "CPU",
        "CPU s per video s",
        "generic reps",
    ]
    _table(headers, rows)
    same = all(reps[key, 1] == reps[key, 2] for key in ("glute-bridge", "bird-dog"))
    print(
        "counts from the landmark files, jobs 1 / 2: "
        + ", ".join(
            f"{key} {reps[key, 1]} / {reps[key, 2]}" for key in ("glute-bridge", "bird-dog")
        )
        + (" (same)" if same else " (DIFFERENT)")
    )


# --- form faults on the correct/incorrect clips (issue 16 item 6) ---------------------------

#: Analyzers judged on the form-labelled clips, and the exercises each clip is also run as.
FAULT_ANALYZERS = ("squat", "push-up", "plank", "curl-up")
ALSO_AS = {"push-up": ("plank",)}  # a push-up's top is a plank: its body line and head count


def form_faults(data: Path, cached: dict[str, list[LandmarkFrame]]) -> None:
    """Form-fault precision/recall over the shared clips labelled correct or incorrect.

    A clip counts as flagged when its analyzer reports any form fault (not the
    ``unfinished`` note on a rep the recording cut off); labelled incorrect and
    flagged is a true positive, labelled correct and flagged a false positive.
    The view column is the one the analyzer saw most, beside the clip's label.
    """
    rows: list[list[str]] = []
    hits = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for label in clips():
        if label.form is None or not label.is_video or label.exercise not in FAULT_ANALYZERS:
            continue
        frames = cached.get(label.name)
        if frames is None:
            frames = cached[label.name] = _landmarks(label.file(data), 1)
        for exercise in (label.exercise, *ALSO_AS.get(label.exercise, ())):
            analyzer = get_analyzer(exercise)
            views = Counter(analyzer.update(frame).view for frame in frames)
            views.pop(None, None)
            result = analyzer.result()
            faults = sorted({f.code for f in result.faults} - {UNFINISHED})
            flagged, wrong = bool(faults), label.form == "incorrect"
            hits[("t" if flagged == wrong else "f") + ("p" if flagged else "n")] += 1
            rows.append(
                [
                    label.name,
                    exercise,
                    label.form,
                    f"{label.view or '-'} / {views.most_common(1)[0][0] if views else '-'}",
                    str(result.reps),
                    ", ".join(faults) or "-",
                ]
            )
    print("\nForm faults on the clips labelled correct/incorrect (analyzer defaults)")
    _table(["clip", "analyzer", "label", "view label / seen", "reps", "faults"], rows)
    said = hits["tp"] + hits["fp"]
    there = hits["tp"] + hits["fn"]
    precision = f"{hits['tp'] / said:.2f}" if said else "-"
    recall = f"{hits['tp'] / there:.2f}" if there else "-"
    print(
        f"precision {precision}, recall {recall} "
        f"(true positives {hits['tp']}, false positives {hits['fp']}, "
        f"missed {hits['fn']}, quiet on correct {hits['tn']})"
    )


# --------------------------------------------------------------------------- generic counter

#: The hard synthetic suites: (title, recordings, seed, per-frame normalised).
GENERIC_SUITES = (
    ("hard synthetic A, normalised per frame", 60, 0, True),
    ("hard synthetic B (another draw), raw", 60, 1, False),
)


def _generic_count(frames: list[LandmarkFrame]) -> int:
    analyzer = get_analyzer("generic")
    for frame in frames:
        analyzer.update(frame)
    return analyzer.result().reps


def _accuracy_rows(title: str, results: list[tuple[str, int, int]]) -> list[list[str]]:
    """Off-by-one and MAE (|counted - true| / true, true > 0) for all and per exercise."""
    groups: dict[str, list[tuple[int, int]]] = {"all": []}
    for kind, true, counted in results:
        groups["all"].append((true, counted))
        groups.setdefault(kind, []).append((true, counted))
    rows = []
    for kind, pairs in groups.items():
        counted_pairs = [(t, c) for t, c in pairs if t > 0]
        within = sum(abs(c - t) <= 1 for t, c in pairs) / len(pairs)
        mae = sum(abs(c - t) / t for t, c in counted_pairs) / max(1, len(counted_pairs))
        rows.append([title, kind, str(len(pairs)), f"{within:.2f}", f"{mae:.3f}"])
    return rows


def generic_counter(data: Path, cached: dict[str, list[LandmarkFrame]]) -> None:
    """The exercise-agnostic counter: synthetic suites, every labelled shared clip, speed."""
    rows: list[list[str]] = []
    for title, count, seed, normalise in GENERIC_SUITES:
        recordings = suite(count, seed=seed, normalise=normalise)
        results = [(r.exercise, r.reps, _generic_count(r.clip.frames)) for r in recordings]
        rows.extend(_accuracy_rows(title, results))
    clip_rows = []
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for label in clips(counted=True):
            frames = cached.get(label.name)
            if frames is None:
                if label.is_video:
                    frames = _landmarks(label.file(data), 1)
                else:
                    path = keraal_landmarks(label.file(data), Path(folder) / f"{label.name}.jsonl")
                    frames = list(read_jsonl(path))
                cached[label.name] = frames
            true = label.reps or 0
            counted = _generic_count(frames)
            results.append((label.exercise, true, counted))
            clip_rows.append([label.name, label.exercise, str(true), str(counted)])
    rows.extend(_accuracy_rows("shared real clips", results))
    print("\nGeneric counter per labelled shared clip (counter defaults, same for every clip)")
    _table(["clip", "exercise", "label", "generic"], clip_rows)
    print("\nGeneric counter accuracy (off-by-one: |counted - true| <= 1)")
    _table(["suite", "exercise", "recordings", "off-by-one", "MAE"], rows)
    stream = [frame for frames in cached.values() for frame in frames]
    analyzer = get_analyzer("generic")
    started = time.process_time()
    t = 0.0
    for _ in range(max(1, 20_000 // len(stream))):
        for frame in stream:
            t += 1 / 30
            analyzer.update(LandmarkFrame(t, frame.landmarks, frame.aspect))
    used = time.process_time() - started
    fed = max(1, 20_000 // len(stream)) * len(stream)
    print(f"generic counter: {fed / used:,.0f} frames/s of CPU time (one core, real frames)")


def main() -> None:
    data = _data_dir()
    if not (data / "MANIFEST.md").is_file():
        print(f"shared clips not found at {data}; set BACKCOACH_TEST_DATA")
        return
    cached = counting(data)
    speed(data)
    parallel_speed(data)
    analyzer_only(cached)
    form_faults(data, cached)
    generic_counter(data, cached)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"\nPeak resident memory of the whole benchmark process: {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
