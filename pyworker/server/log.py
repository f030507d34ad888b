"""Logging in wrangler's format: ``[wrangler:info] GET /counter 200 OK (2ms)``."""

from __future__ import annotations

import logging
import sys

from pyworker.dev_config import LogLevel

__all__ = ["setup_logging", "log", "log_request"]

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


class _WranglerFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = f"[wrangler:{_NAMES.get(record.levelno, 'error')}] {record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def setup_logging(level: LogLevel) -> None:
    """Log at ``level`` in wrangler's format: info and debug to stdout, warnings and errors to stderr."""
    out = logging.StreamHandler(sys.stdout)
    out.addFilter(lambda record: record.levelno < logging.WARNING)
    err = logging.StreamHandler(sys.stderr)
    err.setLevel(logging.WARNING)
    for handler in (out, err):
        handler.setFormatter(_WranglerFormatter())
    log.handlers[:] = [out, err]
    log.setLevel(_LEVELS[level])
    log.propagate = False


def log_request(method: str, path: str, status: int, status_text: str, started: float, now: float) -> None:
    """One line per request, after the response is produced."""
    if log.isEnabledFor(logging.INFO):
        log.info("%s %s %d %s (%dms)", method, path, status, status_text, round((now - started) * 1000))
