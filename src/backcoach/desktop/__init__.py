"""The desktop around ``backcoach companion``: what it can see and use on this computer.

- ``bus``: the D-Bus session bus (``jeepney``), shared by the parts below;
- ``notifications``: desktop notifications with actions (``org.freedesktop.Notifications``);
- ``idle``: how long nobody touched the keyboard or mouse (X11's XScreenSaver
  extension, GNOME Mutter's IdleMonitor);
- ``quiet``: a fullscreen window, Do Not Disturb, a locked screen (times not to
  show a break);
- ``tray``: an icon in the system tray (``pystray``), where there is a tray;
- ``found``: all of them as found on this desktop at start (``Found``);
- ``companion``: the loop that joins them to the desk runtime.

Nothing here holds user-visible text: each part reports what it found as data
(``Found``), and the command line words it (``cli/companion.py``).
"""
