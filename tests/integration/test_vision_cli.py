"""``backcoach landmarks`` and ``backcoach analyze`` through the real Typer app.

Bad input must give a plain message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backcoach.cli import app

BRIDGE = "pankajmaurya__PhysioPlus/physiocore/tests/bridging.mp4"

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr


# --- bad input, no model needed -------------------------------------------------------


def test_missing_empty_and_non_video_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n")
    cases = {
        tmp_path / "missing.mp4": "Video not found",
        empty: "empty (0 bytes)",
        text: "could not be opened as a video",
    }
    for path, message in cases.items():
        code, out, err = invoke("analyze", path, "--exercise", "squat")
        assert code == 1
        assert message in " ".join(err.split())
        assert out == ""
        _no_traceback(err)


def test_truncated_video_without_its_index(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / BRIDGE).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])  # the index (moov) sits at the end: now gone
    code, _, err = invoke("analyze", cut, "--exercise", "glute-bridge", "--json")
    assert code == 1
    assert "corrupt or truncated" in " ".join(err.split())
    _no_traceback(err)


def test_bad_landmark_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"t_s": 0, "landmarks": null}\n{"t_s": 0.1, "landmarks": [[1, 2, 3]]}\n')
    code, _, err = invoke("analyze", "--landmarks", path, "--exercise", "squat")
    assert code == 1
    assert "line 2" in err and "33 points" in " ".join(err.split())
    _no_traceback(err)


def test_landmark_file_with_no_person_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("".join(f'{{"t_s": {i / 30}, "landmarks": null}}\n' for i in range(30)))
    code, _, err = invoke("analyze", "--landmarks", path, "--exercise", "plank")
    assert code == 1
    assert "No person was seen" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "--exercise", "squat"], "either a VIDEO file or --landmarks"),
        (["analyze", "v.mp4", "--landmarks", "x.jsonl", "--exercise", "squat"], "exactly one"),
        (["analyze", "v.mp4", "--exercise", "juggling"], "No camera analyzer"),
        (
            ["analyze", "--landmarks", "x.jsonl", "--exercise", "squat", "--annotate", "o.mp4"],
            "needs a video",
        ),
        (["analyze", "--landmarks", "x.jsonl", "--exercise", "squat", "--stride", "0"], "stride"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "x.jsonl").write_text('{"t_s": 0, "landmarks": null}\n')
    args = [str(tmp_path / a) if a.endswith((".jsonl", ".mp4")) else a for a in args]
    code, _, err = invoke(*args)
    assert code == 2
    assert message in " ".join(err.split())


# --- the real model ---------------------------------------------------------------------


@pytest.mark.vision
def test_video_with_nobody_in_it(tmp_path: Path) -> None:
    cv2 = pytest.importorskip("cv2")
    np = pytest.importorskip("numpy")
    path = tmp_path / "empty_room.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (160, 120))
    for i in range(10):
        writer.write(np.full((120, 160, 3), 60 + 10 * i, dtype=np.uint8))
    writer.release()
    code, out, err = invoke("analyze", path, "--exercise", "squat", "--json")
    assert code == 1
    assert out == ""
    assert "No person was seen" in err


@pytest.mark.vision
def test_truncated_video_that_stops_early(tmp_path: Path, shared_data: Path) -> None:
    # Keep the index but drop the second half of the frame data: decoding stops early.
    data = bytearray((shared_data / BRIDGE).read_bytes())
    moov, mdat = data.find(b"moov") - 4, data.find(b"mdat") - 4
    size = struct.unpack(">I", data[mdat : mdat + 4])[0]
    keep = mdat + 8 + (moov - mdat - 8) // 2
    cut = data[:keep] + data[moov:]
    cut[mdat : mdat + 4] = struct.pack(">I", size - (moov - keep))
    path = tmp_path / "half.mp4"
    path.write_bytes(bytes(cut))
    code, _, err = invoke("analyze", path, "--exercise", "glute-bridge")
    assert code == 1
    assert "truncated or corrupt" in " ".join(err.split())
    _no_traceback(err)


@pytest.mark.vision
def test_landmarks_then_analyze_the_file(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "bridge.jsonl"
    code, _, err = invoke("landmarks", shared_data / BRIDGE, "-o", out)
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert len(lines) == 91
    first = json.loads(lines[0])
    assert set(first) == {"t_s", "landmarks", "aspect"}
    assert len(first["landmarks"]) == 33 and len(first["landmarks"][0]) == 4

    code, stdout, err = invoke(
        "analyze", "--landmarks", out, "--exercise", "glute-bridge", "--json"
    )
    assert code == 0, err
    result = json.loads(stdout)
    assert result["reps"] == 1 and result["frames"] == 91
    assert result["holds"][0]["duration_s"] >= 1.0

    code, stdout, _ = invoke("analyze", "--landmarks", out, "--exercise", "glute-bridge")
    assert code == 0
    assert "Reps" in stdout and "Repetitions" in stdout


@pytest.mark.vision
def test_analyze_video_json_and_annotated_output(tmp_path: Path, shared_data: Path) -> None:
    cv2 = pytest.importorskip("cv2")
    annotated = tmp_path / "bridge_annotated.mp4"
    code, stdout, err = invoke(
        "analyze",
        shared_data / BRIDGE,
        "--exercise",
        "glute-bridge",
        "--json",
        "--fps",
        "15",
        "--annotate",
        annotated,
    )
    assert code == 0, err
    result = json.loads(stdout)  # stdout holds the JSON only
    assert result["exercise"] == "glute-bridge"
    assert result["frames"] == 46
    assert result["reps"] == 1
    assert result["fps"] == pytest.approx(15.0)

    video = cv2.VideoCapture(str(annotated))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 46
    assert int(video.get(cv2.CAP_PROP_FRAME_WIDTH)) == 640
    original = cv2.VideoCapture(str(shared_data / BRIDGE))
    ok_a, drawn = video.read()
    ok_b, plain = original.read()
    assert ok_a and ok_b
    # The status bar is drawn over the top rows; the skeleton changes the picture too.
    assert drawn[:20].mean() < plain[:20].mean() - 20
    assert abs(drawn[40:].astype(float) - plain[40:].astype(float)).mean() > 1.0


@pytest.mark.vision
def test_missing_camera_is_a_plain_error() -> None:
    pytest.importorskip("cv2")
    from backcoach.vision.sources import Camera, VideoError

    with pytest.raises(VideoError, match="Camera 97 is not available"):
        Camera(97)


@pytest.mark.vision
def test_model_complexity_other_than_the_bundled_one_is_refused() -> None:
    from backcoach.errors import UsageError
    from backcoach.vision.pose import MediaPipePose

    with pytest.raises(UsageError, match="never downloads models"):
        MediaPipePose(model_complexity=2)


def test_prefetch_hands_reader_errors_to_the_consumer() -> None:
    from backcoach.vision.sources import Prefetch

    def items() -> Iterator[int]:
        yield 1
        raise RuntimeError("disk gone")

    with Prefetch(items(), size=1) as stream, pytest.raises(RuntimeError, match="disk gone"):
        list(stream)
