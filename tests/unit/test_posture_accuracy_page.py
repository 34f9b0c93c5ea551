"""The desk posture section of docs/accuracy.md: its table, and replacing it in a page."""

from __future__ import annotations

from benchmarks.accuracy_page import (
    POSTURE_HEADING,
    PostureRow,
    posture_section,
    with_posture_section,
)

ROW = PostureRow(
    clip="slouch",
    fps=2,
    agreement={"upright": (8, 8), "slouched": (6, 9)},
    person_frames=36,
    frames=36,
    command="backcoach posture $DATA/x.mp4 --json --fps 2",
)
PAGE = "# Title\n\n## Real clips\n\ntext\n\n## Every real-clip analysis\n\nlist\n"


def test_the_table_gives_agreement_per_state_and_overall() -> None:
    section = posture_section([ROW, PostureRow("gone", 5, {}, 0, 0, "cmd", error="no file")])
    assert section[0] == POSTURE_HEADING
    assert "| clip | fps | slouched | upright | all | pose found | command |" in section
    row = next(line for line in section if line.startswith("| slouch |"))
    assert "6/9 (0.67)" in row and "8/8 (1.00)" in row and "14/17 (0.82)" in row
    assert "36/36" in row
    assert "| gone | 5 | failed: no file |" in section


def test_the_section_goes_before_the_per_analysis_lists_and_is_replaced_in_place() -> None:
    once = with_posture_section(PAGE, posture_section([ROW]))
    assert once.index(POSTURE_HEADING) < once.index("## Every real-clip analysis")
    assert once.index("## Real clips") < once.index(POSTURE_HEADING)
    better = PostureRow(**{**ROW.__dict__, "agreement": {"upright": (8, 8), "slouched": (9, 9)}})
    twice = with_posture_section(once, posture_section([better]))
    assert twice.count(POSTURE_HEADING) == 1
    assert "9/9 (1.00)" in twice and "6/9" not in twice
    assert twice.endswith("list\n")
