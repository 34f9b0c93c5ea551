"""``backcoach companion --check`` where the desktop offers nothing: each part names its fallback.

The parts found on a real desktop are tested in
``tests/integration/test_companion_desktop.py``; these are the desktops the
tests cannot start (a bare terminal, a Wayland session without GNOME).
"""

from __future__ import annotations

import pytest

from backcoach.cli.companion import report
from backcoach.desktop.found import Found
from backcoach.i18n import use_language
from tests.support.german import english_leftovers


def bare(*, wayland: bool) -> Found:
    return Found(
        display=None, bus=None, wayland=wayland, idle=None, notifications=None,
        fullscreen=None, dnd=None, lock=None, tray=None,
    )  # fmt: skip


@pytest.mark.parametrize("wayland", [False, True])
def test_every_missing_part_says_its_fallback(wayland: bool) -> None:
    lines = report(bare(wayland=wayland))
    assert [works for works, _line in lines] == [False] * 6
    texts = [line for _works, line in lines]
    assert [t.split(":")[0] for t in texts] == [
        "Idle", "Notifications", "Fullscreen", "Do Not Disturb", "Screen lock", "Tray",
    ]  # fmt: skip
    assert all("Fallback" in t for t in texts[:5]), texts
    assert ("Wayland" in texts[0]) is wayland and ("Wayland" in texts[2]) is wayland
    assert "ext-idle-notify-v1" in texts[0] if wayland else "macOS and Windows" in texts[0]


@pytest.mark.parametrize("wayland", [False, True])
def test_the_fallbacks_are_said_in_german(wayland: bool) -> None:
    with use_language("de"):
        lines = report(bare(wayland=wayland))
    text = "\n".join(line for _works, line in lines)
    assert text.count("Ersatz:") == 5
    assert english_leftovers(text) == [], text
