"""Reading single key presses from the terminal without blocking.

``terminal_keys()`` puts the terminal in cbreak mode (keys arrive one by one,
not echoed; Ctrl-C still interrupts; output is untouched, so Rich draws as
usual) and gives back a ``KeySource``. The terminal settings and the SIGTERM
handler are restored on every way out: normal exit, exception, Ctrl-C or
SIGTERM (which is turned into ``SystemExit`` so ``finally`` blocks run).
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import sys
import termios
import time
import tty
from collections.abc import Iterator
from types import FrameType
from typing import Protocol, TextIO

SIGTERM_EXIT_CODE = 128 + signal.SIGTERM

# Arrow keys, function keys and the like: ignored as a whole, so the letters
# inside them ("\x1b[B") are not taken for commands.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?", re.DOTALL)


class KeySource(Protocol):
    def read(self, timeout: float) -> str:
        """The keys pressed, waiting at most ``timeout`` seconds; "" if none."""
        ...


class FdKeys:
    """Keys from a file descriptor (a terminal, a pipe)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._closed = False

    def read(self, timeout: float) -> str:
        if self._closed:  # end of input: nothing more will come, just let time pass
            time.sleep(timeout)
            return ""
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if not ready:
            return ""
        data = os.read(self._fd, 64)
        if not data:
            self._closed = True
            return ""
        return _ESCAPE_SEQUENCE.sub("", data.decode("utf-8", errors="ignore"))


def _raise_exit(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(SIGTERM_EXIT_CODE)


@contextlib.contextmanager
def terminal_keys(stream: TextIO | None = None) -> Iterator[KeySource]:
    """Read keys from ``stream`` (stdin) in cbreak mode until the block ends.

    Args:
        stream: the input; default ``sys.stdin``.
    """
    stream = stream if stream is not None else sys.stdin
    fd = stream.fileno()
    saved = termios.tcgetattr(fd) if os.isatty(fd) else None
    previous_handler = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _raise_exit)
        handler_set = True
    except ValueError:  # not the main thread: leave signals alone
        handler_set = False
    try:
        if saved is not None:
            tty.setcbreak(fd, termios.TCSANOW)
        yield FdKeys(fd)
    finally:
        if saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        if handler_set:
            signal.signal(signal.SIGTERM, previous_handler)
