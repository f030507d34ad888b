"""Helpers of the reliability tests: hypothesis settings, the soak worker, SQLite integrity checks."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:  # bench/ holds the soak worker; the repo root is not on sys.path under .venv/bin/pytest
    sys.path.insert(0, _ROOT)

from bench.soak import write_soak_project  # noqa: E402

__all__ = ["FUZZ", "examples", "integrity_errors", "on_loop", "write_soak_project"]

T = TypeVar("T")

FUZZ = settings(
    deadline=None,  # servers and SQLite on a shared CI machine: a slow example is no failure
    database=None,  # no .hypothesis/ folder in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""Parent settings of every fuzz test: ``@settings(FUZZ, max_examples=examples(N))``."""


def examples(count: int) -> int:
    """``count`` times ``$PYWORKER_FUZZ_SCALE`` (default 1): ``PYWORKER_FUZZ_SCALE=20`` for a deep run."""
    return max(1, round(count * float(os.environ.get("PYWORKER_FUZZ_SCALE", "1"))))


def integrity_errors(root: Path) -> dict[str, list[str]]:
    """``PRAGMA integrity_check`` of every SQLite file under ``root``: the files that fail.

    Each database is checked on a copy (with its ``-wal``), so the WAL recovery after a crash is
    left to the server's next start, as it would be without the check.
    """
    failures = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path in sorted(root.rglob("*.sqlite")):
            copy = Path(scratch) / path.name
            for suffix in ("", "-wal"):
                if Path(f"{path}{suffix}").exists():
                    shutil.copyfile(f"{path}{suffix}", f"{copy}{suffix}")
            db = sqlite3.connect(copy)
            result = [row[0] for row in db.execute("PRAGMA integrity_check")]
            db.close()
            if result != ["ok"]:
                failures[str(path.relative_to(root))] = result
    return failures


def on_loop(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T], timeout: float = 30) -> T:
    """Run ``work`` on ``loop`` from another thread and wait for it: hypothesis's ``@given`` bodies
    are synchronous, so a fuzz test runs them in a thread (``asyncio.to_thread``) next to the server."""
    return asyncio.run_coroutine_threadsafe(work, loop).result(timeout)
