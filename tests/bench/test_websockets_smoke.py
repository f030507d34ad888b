"""Smoke test for bench.websockets: a tiny run against a real ``pyworker dev``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

# The repository root is not on sys.path when pytest is run as `.venv/bin/pytest`.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bench.websockets import main  # noqa: E402


def test_websockets_bench_smoke_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "websockets.json"
    assert main(["--smoke", "--clients", "3", "--messages", "3", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["benchmark"] == "websockets" and report["total_errors"] == 0
    cell = report["cells"][0]
    assert cell["clients"] == 3 and cell["messages"] == 3
    assert cell["deliveries_per_s"] > 0 and 0 < cell["broadcast_p50_ms"] <= cell["broadcast_p99_ms"]
    assert cell["connect_p50_ms"] > 0
