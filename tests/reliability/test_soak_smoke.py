"""Smoke test of ``python -m bench.soak``: a three-second soak against a real ``pyworker dev``."""

from __future__ import annotations

import json
from pathlib import Path

from bench.soak import OPS, main  # reliability_helpers (imported by conftest) puts the repo root on sys.path


def test_soak_smoke_run_has_no_errors_and_writes_every_figure(tmp_path: Path) -> None:
    """Every kind of operation ran, nothing failed, state checked, RSS sampled and judged."""
    out = tmp_path / "soak.json"
    assert main(["--smoke", "--duration", "3", "--objects", "20", "--out", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["benchmark"] == "soak" and report["total_errors"] == 0
    assert all(report["operations"][kind]["count"] > 0 for kind in [*OPS, "ws-send", "ws-join"] if kind != "alarm")
    checked = report["verification"]
    assert checked["objects_checked"] > 0 and checked["counters_wrong"] == checked["ws_messages_lost"] == 0
    assert report["memory"]["bound_mib"] == 30 and report["memory"]["ok"]
    assert len(report["rss_samples"]) >= 8 and report["server"]["exit_code"] == 0
