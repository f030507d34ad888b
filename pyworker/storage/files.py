"""Files and folders of the local state, readable by their owner only (folders 0700, files 0600):
the state holds whatever the worker stored, tokens and secrets included.

SQLite creates a database's ``-wal`` and ``-shm`` files with the database file's mode, so a
database created with ``create_private_file`` first stays private too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["create_private_file", "private_dir", "write_private"]


def private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents with mode 0700; folders that exist are left as they are
    (``Path.mkdir(parents=True, mode=...)`` would give the parents the default mode)."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (its folder must exist)."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``; a new file gets mode 0600."""
    with open(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600), "wb") as file:
        file.write(data)
