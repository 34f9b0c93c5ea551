"""An icon in the system tray (``pystray``), where this desktop has a tray.

A tray is there when an X11 system tray holds its selection
(``_NET_SYSTEM_TRAY_S0``: Xfce, MATE, LXQt, stalonetray, i3bar...) or a
StatusNotifier host is on the bus (``org.kde.StatusNotifierWatcher``: Plasma,
GNOME with the AppIndicator extension). ``pystray`` is imported only then: its
X11 part opens the display as it is imported.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from PIL import Image, ImageDraw
from Xlib import X
from Xlib import display as xdisplay

from backcoach.desktop.bus import SessionBus

SNI_WATCHER = "org.kde.StatusNotifierWatcher"
ICON_PX = 64
ICON_GREEN = (46, 125, 50, 255)


def find_tray(display: xdisplay.Display | None, bus: SessionBus | None) -> str | None:
    """ "x11" (a system tray), "statusnotifier", or None: no tray on this desktop."""
    if display is not None:
        selection = display.intern_atom(f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}")
        if display.get_selection_owner(selection) != X.NONE:
            return "x11"
    if bus is not None and bus.has_owner(SNI_WATCHER):
        return "statusnotifier"
    return None


def icon_image() -> Image.Image:
    """A green circle with a white upright line: a straight back."""
    image = Image.new("RGBA", (ICON_PX, ICON_PX), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((2, 2, ICON_PX - 3, ICON_PX - 3), fill=ICON_GREEN)
    draw.rounded_rectangle((28, 12, 36, 52), radius=4, fill=(255, 255, 255, 255))
    return image


def tray_has_menu() -> bool:
    """Whether the icon's menu is shown: with a StatusNotifier or GTK backend, yes; pystray's
    plain X11 backend (no GObject introspection installed) shows the icon and its name only."""
    import pystray  # imported only where a tray exists (see the module's note)

    return bool(pystray.Icon.HAS_MENU)


class Tray:
    """The tray icon: a title (the countdown) and a menu of (label, callback) entries.

    The first entry is the default: a click on the icon runs it.
    """

    def __init__(self, title: str, entries: Sequence[tuple[str, Callable[[], None]]]) -> None:
        import pystray  # imported only where a tray exists (see the module's note)

        def item(label: str, callback: Callable[[], None], default: bool) -> Any:
            return pystray.MenuItem(label, lambda _icon, _item: callback(), default=default)

        menu = pystray.Menu(*(item(*e, default=i == 0) for i, e in enumerate(entries)))
        self.icon = pystray.Icon("backcoach", icon_image(), title, menu)

    def start(self) -> Tray:
        """Show the icon; its events are handled in a thread of its own (a daemon: quitting
        the companion never waits for the tray)."""
        threading.Thread(target=self.icon.run, name="tray", daemon=True).start()
        return self

    def set_title(self, title: str) -> None:
        if self.icon.title != title:
            self.icon.title = title

    def stop(self) -> None:
        self.icon.stop()
