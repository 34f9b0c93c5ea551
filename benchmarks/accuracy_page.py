"""The accuracy page's data, figures and markdown (pure: no I/O).

``benchmarks/accuracy.py`` runs the analyses and hands their outcomes here;
``render_page`` turns them into ``docs/accuracy.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GENERIC = "generic"
REFERENCE = "reference"  # rows counted against a demonstration (``analyze --reference``)
BLANK = "-"  # an empty table cell


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Case:
    """One analysis to run: a landmark file through one analyzer, and what it should find."""

    suite: str  # "real" or "synthetic"
    name: str  # clip or synthetic case name
    analyzer: str  # the exercise id passed to ``analyze`` ("generic"), or "reference"
    view: str | None
    landmarks: Path
    reference: Path | None = None  # the demonstration, for ``analyze --reference``
    demo: Path | None = None  # a demonstration of this movement, to count it against
    exercise: str | None = None  # with a reference: the ``--exercise`` to pass, if any
    reps: int | None = None
    hold_s: float | None = None  # labelled total hold time
    hold_min_s: float | None = None  # the label only says "at least"
    holds: int = 0  # number of labelled holds (hold error is per hold)
    form: str | None = None  # "correct" / "incorrect"
    prepare: str = ""  # the command that made the landmark file, if any
    recommended_view: bool = True
    movement: str = ""  # hard suite: the movement the recording shows (e.g. "lunge")

    @property
    def args(self) -> tuple[str, ...]:
        """The ``backcoach`` arguments of this analysis."""
        args = ["analyze", "--landmarks", str(self.landmarks)]
        if self.reference is not None:
            args += ["--reference", str(self.reference)]
            args += ["--exercise", self.exercise] if self.exercise else []
        else:
            args += ["--exercise", self.analyzer]
        return (*args, "--json")

    @property
    def command(self) -> str:
        """The command that reproduces this analysis."""
        return "backcoach " + " ".join(self.args)


@dataclass(frozen=True)
class Outcome:
    """What ``analyze --json`` said about one case (``error`` when it failed)."""

    case: Case
    reps: int = 0
    held_s: float = 0.0
    fault_codes: tuple[str, ...] = ()
    seen_view: str | None = None
    error: str = ""

    @property
    def flagged(self) -> bool:
        return bool(self.fault_codes)


def outcome_from_json(case: Case, result: dict[str, Any]) -> Outcome:
    """Read the fields the page uses from an ``analyze --json`` object."""
    codes = [fault["code"] for fault in result.get("faults", [])]
    for event in result.get("rep_events", []):
        codes.extend(event.get("faults", []))
    view = result.get("view")
    return Outcome(
        case=case,
        reps=int(result["reps"]),
        held_s=sum(float(hold["duration_s"]) for hold in result.get("holds", [])),
        fault_codes=tuple(sorted(set(codes))),
        seen_view=view if isinstance(view, str) else None,
    )


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class CountRow:
    """Counting figures of a group of outcomes."""

    label: str
    view: str
    clips: int
    exact: float | None
    off_by_one: float | None
    mae: float | None  # mean of |counted - labelled| / labelled, labelled > 0
    hold_error_s: float | None
    names: tuple[str, ...]


@dataclass(frozen=True)
class FormRow:
    """Form-fault figures of one analyzer: positives are clips labelled incorrect."""

    analyzer: str
    correct: int
    incorrect: int
    true_positive: int
    false_positive: int

    @property
    def precision(self) -> float | None:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        return self.true_positive / self.incorrect if self.incorrect else None

    @property
    def quiet_on_correct(self) -> float | None:
        return 1 - self.false_positive / self.correct if self.correct else None


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def hold_error(outcome: Outcome) -> float | None:
    """Seconds per labelled hold by which the measured hold time misses the label."""
    case = outcome.case
    if case.hold_s is not None:
        return abs(outcome.held_s - case.hold_s) / max(case.holds, 1)
    if case.hold_min_s is not None:
        return max(0.0, case.hold_min_s - outcome.held_s) / max(case.holds, 1)
    return None


def count_row(label: str, view: str, outcomes: Sequence[Outcome]) -> CountRow:
    """Exact, off-by-one, relative MAE and hold error over ``outcomes``."""
    counted = [o for o in outcomes if o.case.reps is not None]
    errors = [abs(o.reps - o.case.reps) for o in counted if o.case.reps is not None]
    relative = [
        abs(o.reps - o.case.reps) / o.case.reps
        for o in counted
        if o.case.reps  # labelled > 0
    ]
    holds = [e for e in (hold_error(o) for o in outcomes) if e is not None]
    return CountRow(
        label=label,
        view=view,
        clips=len(outcomes),
        exact=_mean([float(e == 0) for e in errors]),
        off_by_one=_mean([float(e <= 1) for e in errors]),
        mae=_mean(relative),
        hold_error_s=_mean(holds),
        names=tuple(o.case.name for o in outcomes),
    )


def _group(outcomes: Iterable[Outcome], key: Callable[[Outcome], str]) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(key(outcome), []).append(outcome)
    return groups


def _view_label(outcome: Outcome) -> str:
    view = outcome.case.view or "unknown"
    return view if outcome.case.recommended_view else f"{view} (not recommended)"


def count_rows(outcomes: Sequence[Outcome]) -> list[CountRow]:
    """Per analyzer (generic last), one row per camera view and, with several, one for all."""
    rows: list[CountRow] = []
    by_analyzer = _group(outcomes, lambda o: o.case.analyzer)
    for analyzer in sorted(by_analyzer, key=lambda a: (a == GENERIC, a)):
        group = by_analyzer[analyzer]
        by_view = _group(group, _view_label)
        for view in sorted(by_view):
            rows.append(count_row(analyzer, view, by_view[view]))
        if len(by_view) > 1:
            rows.append(count_row(analyzer, "all", group))
    return rows


def movement_rows(outcomes: Sequence[Outcome]) -> list[CountRow]:
    """Per analyzer and input kind (the ``view`` slot), one row per movement shown."""
    rows = []
    by_analyzer = _group(outcomes, lambda o: o.case.analyzer)
    for analyzer in sorted(by_analyzer, key=lambda a: (a == GENERIC, a)):
        for view, group in sorted(_group(by_analyzer[analyzer], _view_label).items()):
            for movement, clips in sorted(_group(group, lambda o: o.case.movement).items()):
                rows.append(count_row(f"{analyzer}: {movement}", view, clips))
    return rows


def headline_rows(outcomes: Sequence[Outcome]) -> list[CountRow]:
    """Exercise analyzers; generic on the same clips and on all; counting against a demo."""
    counted = [o for o in outcomes if o.case.reps is not None]
    specific = [o for o in counted if o.case.analyzer not in (GENERIC, REFERENCE)]
    names = {o.case.name for o in specific}
    generic = [o for o in counted if o.case.analyzer == GENERIC]
    rows = [
        count_row("exercise analyzers", "all", specific),
        count_row("generic, same clips", "all", [o for o in generic if o.case.name in names]),
        count_row("generic, every counted clip", "all", generic),
        count_row(REFERENCE, "all", [o for o in counted if o.case.analyzer == REFERENCE]),
    ]
    return [row for row in rows if row.clips]


def form_rows(outcomes: Sequence[Outcome]) -> list[FormRow]:
    """Per analyzer, over the clips labelled correct or incorrect."""
    labelled = [o for o in outcomes if o.case.form is not None and o.case.analyzer != GENERIC]
    rows = []
    for analyzer, group in sorted(_group(labelled, lambda o: o.case.analyzer).items()):
        bad = [o for o in group if o.case.form == "incorrect"]
        good = [o for o in group if o.case.form == "correct"]
        rows.append(
            FormRow(
                analyzer=analyzer,
                correct=len(good),
                incorrect=len(bad),
                true_positive=sum(o.flagged for o in bad),
                false_positive=sum(o.flagged for o in good),
            )
        )
    return rows


# --------------------------------------------------------------------------- markdown


def ratio(value: float | None, digits: int = 2) -> str:
    return BLANK if value is None else f"{value:.{digits}f}"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _count_table(rows: Sequence[CountRow], *, names: bool) -> list[str]:
    header = ["analyzer", "view", "clips", "exact", "off-by-one", "MAE", "hold error (s)"]
    return _table(
        header + (["clips in the row"] if names else []),
        (
            [
                row.label,
                row.view,
                str(row.clips),
                ratio(row.exact),
                ratio(row.off_by_one),
                ratio(row.mae),
                ratio(row.hold_error_s, 1),
            ]
            + ([", ".join(row.names)] if names else [])
            for row in rows
        ),
    )


def _form_table(rows: Sequence[FormRow]) -> list[str]:
    return _table(
        ["analyzer", "incorrect clips", "correct clips", "recall", "precision", "quiet on correct"],
        (
            [
                row.analyzer,
                str(row.incorrect),
                str(row.correct),
                ratio(row.recall),
                ratio(row.precision),
                ratio(row.quiet_on_correct),
            ]
            for row in rows
        ),
    )


def _detail_table(outcomes: Sequence[Outcome]) -> list[str]:
    seen_view = any(o.seen_view for o in outcomes)
    header = ["case", "view", *(["seen as"] if seen_view else [])]
    header += ["analyzer", "reps: labelled", "counted", "hold (s): labelled", "measured"]
    header += ["faults", "command"]
    rows = []
    for o in outcomes:
        case = o.case
        if case.hold_s is not None:
            hold = f"{case.hold_s:.1f}"
        elif case.hold_min_s is not None:
            hold = f"≥ {case.hold_min_s:.1f}"
        else:
            hold = BLANK
        view = _view_label(o)
        faults = ", ".join(o.fault_codes) or BLANK
        if case.form is not None:
            faults = f"{faults} (labelled {case.form})"
        counted = f"error: {o.error}" if o.error else str(o.reps)
        rows.append(
            [
                case.name,
                view,
                *([o.seen_view or BLANK] if seen_view else []),
                case.analyzer,
                BLANK if case.reps is None else str(case.reps),
                counted,
                hold,
                f"{o.held_s:.1f}" if hold != BLANK else BLANK,
                faults,
                f"`{case.command}`",
            ]
        )
    return _table(header, rows)


def _hard_section(outcomes: Sequence[Outcome], cache: Path) -> list[str]:
    """The hard synthetic suite's tables (nothing when the suite did not run)."""
    if not outcomes:
        return []
    return [
        "## Hard synthetic suite: counting",
        "",
        "Gym and floor movements (`tests/support/hard_synthetic.py`) filmed from any",
        "camera angle and elevation through a distorting lens, with BlazePose-like",
        "noise, glitches and dropped bursts, drifting tempo, pauses between sets and",
        "partial reps at the ends, 3 to 30 reps. The generic counter gets the landmarks",
        "min-max normalised per frame (as third-party recordings often are); an exercise",
        "analyzer gets them as the pose model gives them.",
        "",
        *_count_table(count_rows(outcomes), names=False),
        *_count_table(
            movement_rows([o for o in outcomes if o.case.analyzer == GENERIC]), names=False
        ),
        f"The files are written to `{cache}/hard`.",
        "",
        "<details><summary>one line per recording</summary>",
        "",
        *_detail_table(outcomes),
        "</details>",
        "",
    ]


@dataclass(frozen=True)
class PageInfo:
    """How the page was made: the code's commit, the day, the cache and the synthetic set-up."""

    commit: str
    day: str
    cache: Path
    synthetic_reps: int
    conditions: tuple[str, ...]


def render_page(outcomes: Sequence[Outcome], info: PageInfo) -> str:
    """The whole ``docs/accuracy.md`` from the outcomes of every analysis."""
    cache = info.cache
    real = [o for o in outcomes if o.case.suite == "real"]
    synthetic = [o for o in outcomes if o.case.suite == "synthetic"]
    prepared = sorted({o.case.prepare for o in real if o.case.prepare})
    lines = [
        "# Counting and form accuracy",
        "",
        f"Generated by `make accuracy` (`benchmarks/accuracy.py`) at commit `{info.commit}`"
        f" on {info.day};",
        "do not edit by hand. Every figure comes from a `backcoach analyze --landmarks FILE",
        "... --json` command, shown in the last column of the tables at the end.",
        "",
        "- **Real clips**: the shared third-party clips and their labels",
        "  (`tests/support/clip_labels.toml`, from `../shared/data/MANIFEST.md`). Landmarks",
        "  come from the real pose model (`backcoach landmarks`, commands below).",
        "- **Synthetic suites**: each exercise's own keyframes (`content/`) scripted into"
        f" {info.synthetic_reps} reps",
        "  (per side where the exercise alternates; one hold for a hold exercise) and rendered",
        "  as BlazePose landmarks (`tests/support/synthetic.py`) from the side and the front,",
        "  filmed " + ", ".join(f"*{name}*" for name in info.conditions) + ".",
        "",
        "How to read the figures:",
        "",
        "- **clips**: analyses in the row; some clips carry only a hold or a form label.",
        "- **exact**, **off-by-one**: share of the clips with a labelled count whose count",
        "  is exact, or within one rep.",
        "- **MAE**: mean of |counted - labelled| / labelled over clips with labelled reps",
        "  (the relative error that RepCount-A reports as MAE).",
        "- **hold error**: seconds per labelled hold between the measured and the labelled",
        "  hold time; where the label only says *at least*, the shortfall. A synthetic",
        "  label is the scripted time at the top, so part of the movement into and out of",
        "  the position may add to the measured time.",
        "- **form**: a clip counts as flagged when its analysis reports any fault; the",
        "  positives are the clips labelled incorrect.",
        "- An analysis that fails (e.g. nobody seen) counts as 0 reps, no hold, no fault.",
        *(
            [
                "- **reference**: counted by `analyze --reference DEMO` against a demonstration",
                "  (named in the case): another real clip of the same exercise, or two clean",
                "  synthetic reps of the exercise filmed from the same side.",
            ]
            if any(o.case.analyzer == REFERENCE for o in outcomes)
            else []
        ),
        "",
        "## Real clips: counting",
        "",
        *_count_table(headline_rows(real), names=False),
        *_count_table(count_rows(real), names=True),
        "## Real clips: form faults",
        "",
        *_form_table(form_rows(real)),
        "## Synthetic suites: counting",
        "",
        "Views marked *not recommended* are the ones the exercise's content does not",
        "suggest for the camera.",
        "",
        *_count_table(headline_rows(synthetic), names=False),
        *_count_table(count_rows(synthetic), names=False),
        *_hard_section([o for o in outcomes if o.case.suite == "hard"], cache),
        "## Every real-clip analysis",
        "",
        f"Landmark files are cached in `{cache}`; each video's file is made by the",
        "command below (the clips are in `../shared/data`, or `$BACKCOACH_TEST_DATA`):",
        "",
        "```sh",
        *prepared,
        "```",
        "",
        *_detail_table(real),
        "## Every synthetic analysis",
        "",
        f"The synthetic landmark files are written to `{cache}/synthetic` by `make accuracy`.",
        "",
        "<details><summary>one line per case</summary>",
        "",
        *_detail_table(synthetic),
        "</details>",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- desk posture

POSTURE_HEADING = "## Desk posture: state per labelled second"


@dataclass(frozen=True)
class PostureRow:
    """One clip at one analysis rate: per labelled state, the seconds that agree."""

    clip: str
    fps: int
    agreement: dict[str, tuple[int, int]]  # state -> (agreeing, labelled seconds)
    person_frames: int
    frames: int
    command: str
    error: str = ""


def posture_section(rows: Sequence[PostureRow]) -> list[str]:
    """The markdown of the desk posture section."""
    states = sorted({state for row in rows for state in row.agreement})
    lines = [
        POSTURE_HEADING,
        "",
        "`backcoach posture VIDEO --json` on the shared sitting recordings (labels in",
        "`tests/support/posture_clips.py`, from `../shared/data/MANIFEST.md`): per labelled",
        "state, the labelled seconds whose reported state (read at the middle of the second)",
        "is the label. **pose found**: frames in which the pose model saw a person; a second",
        "with nobody found can only come out `absent`.",
        "",
        "| clip | fps | " + " | ".join(states) + " | all | pose found | command |",
        "|---|---:|" + "---:|" * (len(states) + 2) + "---|",
    ]
    for row in rows:
        if row.error:
            lines.append(f"| {row.clip} | {row.fps} | failed: {row.error} |")
            continue
        cells = []
        for state in states:
            agree, total = row.agreement.get(state, (0, 0))
            cells.append(f"{agree}/{total} ({ratio(agree / total)})" if total else BLANK)
        agree = sum(a for a, _ in row.agreement.values())
        total = sum(t for _, t in row.agreement.values())
        overall = f"{agree}/{total} ({ratio(agree / total)})" if total else BLANK
        lines.append(
            f"| {row.clip} | {row.fps} | " + " | ".join(cells) + f" | {overall} | "
            f"{row.person_frames}/{row.frames} | `{row.command}` |"
        )
    return [*lines, ""]


def with_posture_section(page: str, section: Sequence[str]) -> str:
    """``page`` with its desk posture section replaced (or added before the per-analysis lists)."""
    lines = page.splitlines()
    if POSTURE_HEADING in lines:
        start = lines.index(POSTURE_HEADING)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
    else:
        start = end = next(
            (i for i, line in enumerate(lines) if line.startswith("## Every ")), len(lines)
        )
    return "\n".join([*lines[:start], *section, *lines[end:]]) + "\n"
