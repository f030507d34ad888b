"""The terminal side of ``pyworker dev``: hotkeys, and ``print()`` output labelled with its object.

* **Hotkeys** — when stdin is the terminal in the foreground, single keys act at once (no Enter),
  as in ``wrangler dev``: ``b`` opens the worker in a browser, ``e`` opens the explorer, ``c``
  clears the console, ``x`` (or ``q``) exits. A legend is printed once the server is ready.
* **Object prints** — ``print()`` inside a Durable Object is shown with the object it came from,
  ``[Counter global-counter] hello``; the worker's own prints are unchanged. ``sys.stdout`` is
  wrapped by a stream that reads ``pyworker.runtime.current.object_host``, the context variable
  set while an object's event runs (and inherited by the tasks that event starts).

``Console`` sets up both for the duration of a ``with`` block.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sys
import termios
import tty
from collections.abc import Callable
from typing import Any, Self, TextIO

from pyworker.runtime import current
from pyworker.server.banner import render_hotkeys
from pyworker.server.explorer import EXPLORER_PATH

__all__ = ["HOTKEYS", "Console", "ObjectPrints", "object_label"]

HOTKEYS = (("b", "open a browser"), ("e", "open the explorer"), ("c", "clear console"), ("x", "to exit"))
"""The keys and what they do, in the legend's order."""

_CLEAR = "\x1b[2J\x1b[3J\x1b[H"


def object_label(host: Any) -> str:
    """``[Counter global-counter]``: the class and the name (else the first 8 digits of the id)."""
    cls = type(host.instance).__name__ if host.instance is not None else "DurableObject"
    return f"[{cls} {host.id.name or host.id.toString()[:8]}]"


class ObjectPrints(io.TextIOBase):
    """A text stream that starts each line written during a Durable Object's event with
    ``object_label`` and passes everything else through to ``stream`` unchanged."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._at_line_start = True

    def write(self, text: str) -> int:
        host = current.object_host.get()
        out = text
        if host is not None:
            label = object_label(host) + " "
            parts, at_start = [], self._at_line_start
            for line in text.splitlines(keepends=True):
                parts.append(label + line if at_start else line)
                at_start = line.endswith("\n")
            out = "".join(parts)
        if text:
            self._at_line_start = text.endswith("\n")
        self.stream.write(out)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding

    def __getattr__(self, name: str) -> Any:  # buffer, errors, reconfigure, ...
        return getattr(self.stream, name)


class Console:
    """Hotkeys and object prints while ``pyworker dev`` serves ``url``; ``stop`` stops the server.

    ``open_url`` opens a URL in a browser (``webbrowser.open`` by default, run off the event loop).
    """

    def __init__(
        self,
        url: str,
        stop: Callable[[], None],
        *,
        stdin: TextIO | None = None,
        open_url: Callable[[str], Any] | None = None,
    ) -> None:
        self.url = url
        self._stop = stop
        self._stdin = stdin if stdin is not None else sys.stdin
        self._open_url = open_url
        self._saved_mode: list[Any] | None = None
        self._stdout: TextIO | None = None

    def interactive(self) -> bool:
        """True when stdin is a terminal and this process is in its foreground (reading it from the
        background would stop the process)."""
        try:
            fd = self._stdin.fileno()
            return os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp()
        except (OSError, ValueError):
            return False

    def __enter__(self) -> Self:
        self._stdout = sys.stdout
        sys.stdout = ObjectPrints(sys.stdout)  # type: ignore[assignment]
        if self.interactive():
            fd = self._stdin.fileno()
            self._saved_mode = termios.tcgetattr(fd)
            tty.setcbreak(fd)  # keys arrive one by one; Ctrl-C still interrupts
            asyncio.get_running_loop().add_reader(fd, self._read)
            print(render_hotkeys(HOTKEYS), flush=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved_mode is not None:
            fd = self._stdin.fileno()
            asyncio.get_running_loop().remove_reader(fd)
            with contextlib.suppress(termios.error):
                termios.tcsetattr(fd, termios.TCSADRAIN, self._saved_mode)
            self._saved_mode = None
        if self._stdout is not None:
            sys.stdout = self._stdout
            self._stdout = None

    def _read(self) -> None:
        data = os.read(self._stdin.fileno(), 64)
        for key in data.decode(errors="ignore"):
            self.press(key)

    def press(self, key: str) -> None:
        """Act on one key (other keys are ignored)."""
        key = key.lower()
        if key == "b":
            self._open(self.url)
        elif key == "e":
            self._open(self.url + EXPLORER_PATH)
        elif key == "c":
            sys.stdout.write(_CLEAR)
            sys.stdout.flush()
        elif key in ("x", "q"):
            self._stop()

    def _open(self, url: str) -> None:
        open_url = self._open_url
        if open_url is None:
            import webbrowser  # only when a key asks for it: a faster start

            open_url = webbrowser.open
        asyncio.get_running_loop().run_in_executor(None, open_url, url)
