"""Smoke test of ``python -m bench.soak``: a three-second soak against a real ``pyworker dev``."""

from __future__ import annotations

import json
from pathlib import Path

from bench.soak import OPS, main  # reliability_helpers (imported by conftest) puts the repo root on sys.path


def test_soak_smoke_run_has_no_errors_and_writes_every_figure(tmp_path: Path) -> None:
    """Every kind of operation ran, nothing failed, state checked, RSS sampled and judged.

    Three seconds cannot tell a leak from the growth of objects still being created (the fresh
    operation makes new ones all along), so the bound here is loose; the full soak keeps 30 MiB."""
    out = tmp_path / "soak.json"
    argv = ["--smoke", "--duration", "3", "--objects", "20", "--rss-bound-mib", "100", "--out", str(out)]
    assert main(argv) == 0
    report = json.loads(out.read_text())
    assert report["benchmark"] == "soak" and report["total_errors"] == 0
    assert all(report["operations"][kind]["count"] > 0 for kind in [*OPS, "ws-send", "ws-join"] if kind != "alarm")
    checked = report["verification"]
    assert checked["objects_checked"] > 0 and checked["counters_wrong"] == checked["ws_messages_lost"] == 0
    assert report["memory"]["bound_mib"] == 100 and report["memory"]["ok"]
    assert len(report["rss_samples"]) >= 8 and report["server"]["exit_code"] == 0
