"""The loader's bytecode caches for user modules: checked against the source's hash, never its mtime."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from pyworker.runtime.loader import load_module

ENTRY = "from helper_module import VALUE\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    (tmp_path / "entry_bytecode.py").write_text(ENTRY)
    (tmp_path / "helper_module.py").write_text("VALUE = 1\n")
    return tmp_path


def _flags(source: Path) -> int:
    cache = Path(importlib.util.cache_from_source(str(source)))
    return int.from_bytes(cache.read_bytes()[4:8], "little")


def test_loader_caches_user_modules_checked_by_source_hash(project: Path) -> None:
    load_module(project / "entry_bytecode.py")
    assert _flags(project / "entry_bytecode.py") == 0b11  # hash-based, checked against the source
    assert _flags(project / "helper_module.py") == 0b11


def test_loader_sees_a_same_size_save_within_the_same_second(project: Path) -> None:
    assert load_module(project / "entry_bytecode.py").VALUE == 1
    helper = project / "helper_module.py"
    stat = helper.stat()
    helper.write_text("VALUE = 2\n")  # same size, and the same mtime below
    os.utime(helper, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert load_module(project / "entry_bytecode.py").VALUE == 2


def test_loader_writes_no_cache_when_python_writes_no_bytecode(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    load_module(project / "entry_bytecode.py")
    assert not (project / "__pycache__").exists()
