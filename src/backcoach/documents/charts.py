"""Charts for printed documents as inline SVG: drawn here, laid out by the PDF engine.

No browser and no plotting library: each chart is a few lines, dots and text
labels, with both axes labelled, so it reads the same on paper and to a screen
reader (the SVG has a title and a description).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from backcoach.i18n import DEFAULT_LANGUAGE, _, current_language, format_date, ngettext

BEFORE_COLOUR = "#c0392b"
AFTER_COLOUR = "#0b4f6c"
PAIN_TOP = 10
#: Where the second legend entry starts, after the first (room for the longer German words).
LEGEND_GAP = 220


@dataclass(frozen=True)
class PainPair:
    """One session's pain before and after it (0-10; ``None``: not logged)."""

    day: date
    before: int | None
    after: int | None


def short_day(day: date) -> str:
    """A chart's axis label in the language in use: ``2 Mar`` (German ``2. März``).

    English keeps the day-first order of backcoach's English documents (CLDR's
    ``en`` would write ``Mar 2``).
    """
    if current_language() == DEFAULT_LANGUAGE:
        return f"{day.day} {day:%b}"
    return format_date(day, "MMMd")


def pain_chart(points: Sequence[PainPair], *, width: int = 640, height: int = 240) -> Markup:
    """Pain before and after each session, oldest first, as two lines on a 0-10 scale.

    Args:
        points: the sessions with their pain (at least one).
        width: the drawing's width in SVG units (it scales to the page).
        height: its height.
    """
    left, right, top, bottom = 48, 28, 28, 44  # room for a centred date label at each end
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> float:
        return left + (i * step if len(points) > 1 else plot_w / 2)

    def y(value: int) -> float:
        return top + plot_h * (1 - value / PAIN_TOP)

    title, y_label, x_label = (
        escape(_("Pain before and after each session")),
        escape(_("Pain (0-10)")),
        escape(_("Session date")),
    )
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="pain-title pain-desc">',
        f'<title id="pain-title">{title}</title>',
        f'<desc id="pain-desc">{escape(_desc(len(points)))}</desc>',
    ]
    for value in range(0, PAIN_TOP + 1, 2):
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#ddd" stroke-width="0.8"/>'
            f'<text x="{left - 6}" y="{y(value) + 3.5:.1f}" font-size="10" '
            f'text-anchor="end">{value}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#555"/>'
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" '
        'stroke="#555"/>'
        f'<text x="12" y="{top + plot_h / 2:.1f}" font-size="10" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2:.1f})">{y_label}</text>'
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" font-size="10" '
        f'text-anchor="middle">{x_label}</text>'
    )
    every = max(1, -(-len(points) // 8))  # at most about 8 date labels
    for i, point in enumerate(points):
        if i % every == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" font-size="9" '
                f'text-anchor="middle">{escape(short_day(point.day))}</text>'
            )
    for offset, label, colour, values in (
        (0, _("pain before the session"), BEFORE_COLOUR, [p.before for p in points]),
        (LEGEND_GAP, _("pain after the session"), AFTER_COLOUR, [p.after for p in points]),
    ):
        parts.append(_series(values, colour, x, y))
        parts.append(
            f'<line x1="{left + offset}" x2="{left + offset + 18}" y1="12" y2="12" '
            f'stroke="{colour}" stroke-width="2"/>'
            f'<text x="{left + offset + 24}" y="15.5" font-size="10">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _desc(count: int) -> str:
    """The chart's description for a screen reader."""
    return ngettext(
        "{count} session; pain from 0 (none) to 10 (worst).",
        "{count} sessions; pain from 0 (none) to 10 (worst).",
        count,
    ).format(count=count)


def _series(
    values: Sequence[int | None],
    colour: str,
    x: Callable[[int], float],
    y: Callable[[int], float],
) -> str:
    """One line, broken where a value is missing, with a dot on every value."""
    runs: list[list[str]] = [[]]
    dots: list[str] = []
    for i, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        at = f"{x(i):.1f},{y(value):.1f}"
        runs[-1].append(at)
        dots.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}"/>')
    lines = [
        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
        for run in runs
        if len(run) > 1
    ]
    return "".join(lines + dots)
