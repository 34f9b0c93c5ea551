"""Desk companion benchmarks: agreement with the labelled posture clips, CPU share of
the posture monitor, memory over an hour.

Prints tables, asserts nothing.

- Agreement: the shared sitting recordings with labelled seconds
  (``posture-clips/``, labels in ``tests/support/posture_clips.py``) through the
  real pose model and the monitor at 2, 3 and 5 analysed frames per second:
  per labelled state, the seconds whose reported state (read at the middle of
  the second) is the label.

- CPU: decode + pose + posture monitor on the real desk clip
  (``IvanGael__Posture-Analysis-Mediapipe/video.mp4``, 13.9 s) at 2, 3 and 5
  analysed frames per second, as process CPU time (all threads: decoder,
  MediaPipe, Python) divided by the clip's duration = the share of one core
  the monitor would use running all day. The model's start-up is measured
  apart (it happens once). Every frame is still decoded (a camera delivers
  them all too); only the sampled ones go through the model.
- Memory: one hour of monitoring at 5 fps (18,000 synthetic landmark frames of
  a person sitting upright, slouching, leaning in and leaving the desk, with
  noise), RSS and tracemalloc after 1, 15, 30 and 60 minutes.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from backcoach.cli.desk_posture import run_monitor, video_samples
from backcoach.content.models import Segments, View
from backcoach.vision.landmarks import LandmarkFrame
from backcoach.vision.pose import MediaPipePose
from backcoach.vision.posture import PostureMonitor
from backcoach.vision.sources import VideoFile, quiet_native_stderr
from tests.support import synthetic as syn
from tests.support.posture_clips import POSTURE_CLIPS, agreement

CLIP = "IvanGael__Posture-Analysis-Mediapipe/video.mp4"
REPEATS = 2
SITTING = Segments(
    trunk=90, head=90, upper_arm_l=290, forearm_l=0, upper_arm_r=290, forearm_r=0,
    thigh_l=0, shin_l=270, thigh_r=0, shin_r=270,
)  # fmt: skip


def _data_dir() -> Path:
    default = Path(__file__).resolve().parents[2] / "shared" / "data"
    return Path(os.environ.get("BACKCOACH_TEST_DATA", default))


def _rss_mb() -> float:
    """Current resident set size in MB (Linux /proc; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def posture_agreement(data: Path) -> None:
    print(f"{'clip':<16} {'fps':>4} {'state':<13} {'agree':>6} {'of':>4} {'share':>6} "
          f"{'pose found':>11}")  # fmt: skip
    for clip in POSTURE_CLIPS:
        path = clip.file(data)
        if not path.is_file():
            print(f"{clip.name:<16} not found at {path}: skipped")
            continue
        for fps in (2.0, 3.0, 5.0):
            run = run_monitor(video_samples(VideoFile(path), fps))
            timeline = [span.to_json() for span in run.monitor.spans]
            for state, (agree, total) in agreement(clip, timeline).items():
                found = f"{run.person_frames}/{run.frames}"
                print(f"{clip.name:<16} {fps:>4.0f} {state:<13} {agree:>6} {total:>4} "
                      f"{100 * agree / total:>5.0f}% {found:>11}")  # fmt: skip


def cpu_share(path: Path) -> None:
    clip = VideoFile(path)
    duration = clip.info.duration_s
    started = time.perf_counter()
    cpu0 = time.process_time()
    with quiet_native_stderr():  # the model's start-up log lines
        MediaPipePose().close()
    startup_wall, startup_cpu = time.perf_counter() - started, time.process_time() - cpu0
    info = clip.info
    print(f"clip: {path.name}, {info.width}x{info.height}, {info.fps:.2f} fps, {duration:.1f} s; "
          f"model start-up {startup_wall:.2f} s wall, {startup_cpu:.2f} s CPU")  # fmt: skip
    print(f"{'fps':>4} {'frames':>7} {'CPU s':>7} {'wall s':>7} {'share of one core':>18} "
          f"{'states':>24}")  # fmt: skip
    for fps in (2.0, 3.0, 5.0):
        walls, cpus = [], []
        frames, spans = 0, ""
        for _ in range(REPEATS):
            pose = MediaPipePose()  # a fresh tracker per run; its start-up is not timed
            try:
                cpu0, wall0 = time.process_time(), time.perf_counter()
                run = run_monitor(video_samples(clip, fps, estimator=pose))
                cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            finally:
                pose.close()
            walls.append(wall)
            cpus.append(cpu)
            frames = run.frames
            spans = "/".join(str(s.state) for s in run.monitor.spans)
        cpu = statistics.median(cpus)
        print(f"{fps:>4.0f} {frames:>7} {cpu:>7.2f} {statistics.median(walls):>7.2f} "
              f"{100 * cpu / duration:>17.1f}% {spans:>24}")  # fmt: skip


def _hour_of_frames(fps: float = 5.0, hour_s: float = 3600.0) -> Iterator[LandmarkFrame]:
    """A 6-minute desk routine, repeated: upright, slouched, head forward, away, upright."""
    upright = syn.Pose(SITTING)
    slouched = upright.with_segments(trunk=108, head=95)
    forward = upright.with_segments(head=65)
    render = syn.Render(
        view=View.SIDE, fps=fps, camera_distance_m=1.6, offset=(0.0, 0.35), lead_in_s=0,
        noise=0.003, seed=5,
    )  # fmt: skip
    parts = [(upright, 150.0), (slouched, 90.0), (forward, 40.0), (None, 30.0), (upright, 50.0)]
    routine: list[LandmarkFrame] = []
    t0 = 0.0
    for pose, seconds in parts:
        if pose is None:
            count = round(seconds * fps)
            routine += [LandmarkFrame(t_s=t0 + i / fps, landmarks=None) for i in range(count)]
        else:
            clip = syn.generate(syn.still(pose, seconds), render)
            routine += [dataclasses.replace(f, t_s=t0 + f.t_s) for f in clip.frames[:-1]]
        t0 += seconds
    offset = 0.0
    while offset < hour_s:
        for frame in routine:
            if offset + frame.t_s >= hour_s:
                return
            yield dataclasses.replace(frame, t_s=offset + frame.t_s)
        offset += t0


def memory_hour() -> None:
    frames = list(_hour_of_frames())  # generated up front: only the monitor is measured
    monitor = PostureMonitor()
    checkpoints = {60.0, 15 * 60.0, 30 * 60.0, 3600.0 - 0.2}
    tracemalloc.start()
    base_traced, _ = tracemalloc.get_traced_memory()
    base_rss = _rss_mb()
    print(f"{len(frames)} frames (one hour at 5 fps); before: RSS {base_rss:.1f} MB")
    print(f"{'minute':>7} {'RSS MB':>8} {'traced KB':>10} {'spans':>6} {'alerts':>7}")
    started = time.perf_counter()
    for frame in frames:
        monitor.update(frame)
        if any(abs(frame.t_s - c) < 1e-6 for c in checkpoints):
            traced, _ = tracemalloc.get_traced_memory()
            print(f"{frame.t_s / 60:>7.0f} {_rss_mb():>8.1f} "
                  f"{(traced - base_traced) / 1024:>10.1f} {len(monitor.spans):>6} "
                  f"{monitor.alerts:>7}")  # fmt: skip
    elapsed = time.perf_counter() - started
    tracemalloc.stop()
    print(f"monitor alone: {len(frames) / elapsed:,.0f} frames/s (with tracemalloc on); "
          "memory grows only by one small span per state change")  # fmt: skip


def main() -> None:
    print("-- posture: agreement with the labelled seconds of the shared clips --")
    posture_agreement(_data_dir())
    print()
    path = _data_dir() / CLIP
    if path.is_file():
        print("-- CPU of the posture monitor (decode + pose + monitor) --")
        cpu_share(path)
    else:
        print(f"desk clip not found at {path}: CPU figures skipped")
    print("\n-- memory over one simulated hour --")
    memory_hour()


if __name__ == "__main__":
    main()
