"""Logging in wrangler's format: ``[wrangler:info] GET /counter 200 OK (2ms)``.

On a terminal the lines are coloured as wrangler colours them — the level, the method, the status
by class (2xx green, 3xx cyan, 4xx yellow, 5xx red) — and methods are padded so paths line up.
Anywhere else (a pipe, a file, ``NO_COLOR`` set) the text is plain and exactly the format above.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import NamedTuple, TextIO

from pyworker.dev_config import LogLevel

__all__ = ["RequestLine", "log", "log_request", "setup_logging", "wants_colour"]

log = logging.getLogger("pyworker")

_LEVELS: dict[LogLevel, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "log": logging.INFO,
    "warn": logging.WARNING,
    "error": logging.ERROR,
    "none": logging.CRITICAL + 1,
}
_NAMES = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warn", logging.ERROR: "error"}

_RESET, _BOLD, _DIM = "\x1b[0m", "\x1b[1m", "\x1b[2m"
_LEVEL_COLOURS = {"debug": _DIM, "info": "\x1b[90m", "warn": "\x1b[33m", "error": "\x1b[31m"}
_STATUS_COLOURS = {2: "\x1b[32m", 3: "\x1b[36m", 4: "\x1b[33m", 5: "\x1b[31m"}
_METHOD_WIDTH = len("OPTIONS")


class RequestLine(NamedTuple):
    """The parts of one request line, attached to its log record as ``request_line``."""

    method: str
    path: str
    status: int
    status_text: str
    duration_ms: int

    def plain(self) -> str:
        """``GET /counter 200 OK (2ms)``."""
        return f"{self.method} {self.path} {self.status} {self.status_text} ({self.duration_ms}ms)"

    def coloured(self) -> str:
        """The line with ANSI colours, the method padded so paths line up."""
        colour = _STATUS_COLOURS.get(self.status // 100, "")
        return (
            f"{_BOLD}{self.method:<{_METHOD_WIDTH}}{_RESET} {self.path} "
            f"{colour}{self.status} {self.status_text}{_RESET} {_DIM}({self.duration_ms}ms){_RESET}"
        )


def wants_colour(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and ``NO_COLOR`` is not set."""
    isatty = getattr(stream, "isatty", None)
    return "NO_COLOR" not in os.environ and isatty is not None and isatty()


class _WranglerFormatter(logging.Formatter):
    def __init__(self, colour: bool) -> None:
        super().__init__()
        self.colour = colour

    def format(self, record: logging.LogRecord) -> str:
        level = _NAMES.get(record.levelno, "error")
        line: RequestLine | None = getattr(record, "request_line", None)
        if self.colour:
            prefix = f"{_LEVEL_COLOURS[level]}[wrangler:{level}]{_RESET}"
            message = line.coloured() if line is not None else record.getMessage()
        else:
            prefix, message = f"[wrangler:{level}]", record.getMessage()
        text = f"{prefix} {message}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def setup_logging(level: LogLevel) -> None:
    """Log at ``level`` in wrangler's format: info and debug to stdout, warnings and errors to stderr,
    each coloured when it is a terminal."""
    out = logging.StreamHandler(sys.stdout)
    out.addFilter(lambda record: record.levelno < logging.WARNING)
    out.setFormatter(_WranglerFormatter(wants_colour(sys.stdout)))
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.WARNING)
    err.setFormatter(_WranglerFormatter(wants_colour(sys.stderr)))
    log.handlers[:] = [out, err]
    log.setLevel(_LEVELS[level])
    log.propagate = False


def log_request(method: str, path: str, status: int, status_text: str, started: float, now: float) -> None:
    """One line per request, after the response is produced."""
    if log.isEnabledFor(logging.INFO):
        line = RequestLine(method, path, status, status_text, round((now - started) * 1000))
        log.info("%s", line.plain(), extra={"request_line": line})
