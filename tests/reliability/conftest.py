"""Reliability tests (crash safety, fuzzing, security): the soak project fixture and the fuzz case
counter shown in the terminal summary. Helpers are in ``reliability_helpers.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reliability_helpers import write_soak_project

_CASES: dict[str, int] = {}


@pytest.fixture
def soak_project(tmp_path: Path) -> Path:
    """The soak worker (counters, notes, alarms, chat rooms) in ``tmp_path/project``."""
    return write_soak_project(tmp_path / "project")


class CaseCounter:
    """Counts the examples a fuzz test ran; the count is printed, recorded and summarized."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def fuzz_cases(request: pytest.FixtureRequest, record_property: Callable[[str, object], None]) -> Iterator[CaseCounter]:
    """Call it once per example; the total goes to the test output (``-s``), the JUnit properties
    and the ``reliability fuzz cases`` terminal summary."""
    counter = CaseCounter()
    yield counter
    record_property("fuzz_cases", counter.count)
    _CASES[request.node.name] = counter.count
    print(f"\n{request.node.name}: {counter.count} fuzz cases")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per fuzz test that ran: how many cases it tried."""
    if _CASES:
        terminalreporter.section("reliability fuzz cases")
        for name, count in _CASES.items():
            terminalreporter.write_line(f"{name}: {count}")
