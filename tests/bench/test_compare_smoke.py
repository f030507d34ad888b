"""Smoke test for bench.compare: ``python -m bench.compare --smoke`` (pyworker only, no npm/wrangler)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]

SIDE_KEYS = {"cold_start", "reload", "rss", "http", "websockets", "storage"}
HTTP_KEYS = {"path", "concurrency", "rps", "p50_ms", "p99_ms", "errors", "client_cpu_ratio_max", "runs"}
TARGET_KEYS = {"name", "figure", "op", "target", "ratio", "met"}


def test_compare_smoke_run_measures_pyworker_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "compare.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.compare", "--smoke", "--out", str(out)],
        cwd=_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())

    assert report["benchmark"] == "compare" and report["smoke"] is True
    assert report["sides"] == ["pyworker"] and list(report["results"]) == ["pyworker"]
    assert {"machine", "git", "client", "load_average", "settings", "ratios", "targets", "versions"} <= report.keys()
    assert len(report["load_average"]["start"]) == 3 and len(report["load_average"]["end"]) == 3
    assert report["total_errors"] == 0

    side = report["results"]["pyworker"]
    assert SIDE_KEYS <= side.keys()
    assert side["cold_start"]["median_ms"] > 0 and len(side["cold_start"]["runs_ms"]) >= 1
    assert side["reload"]["median_ms"] > 0 and side["reload"]["timeouts"] == 0
    assert side["rss"]["idle_kib"] > 0 and side["rss"]["load_peak_kib"] >= side["rss"]["idle_kib"] // 2
    assert [p["name"] for p in side["rss"]["idle_processes"]]
    cells = {(c["path"], c["concurrency"]) for c in side["http"]}
    assert cells == {(p, c) for p in ("/counter/value", "/counter/increment") for c in (1, 16, 64)}
    for cell in side["http"]:
        assert HTTP_KEYS <= cell.keys() and cell["rps"] > 0 and cell["errors"] == 0
    assert [c["clients"] for c in side["websockets"]] == [5, 20]
    assert all(c["deliveries_per_s"] > 0 and c["errors"] == 0 for c in side["websockets"])
    assert side["storage"]["ops"] == 2 * side["storage"]["n"] and side["storage"]["ops_per_s"] > 0

    # No wrangler side: no ratios, every target listed but not judged.
    assert report["ratios"] == {}
    assert report["targets"] and all(TARGET_KEYS <= t.keys() and t["met"] is None for t in report["targets"])
    assert "cold start" in proc.stdout and "wrote" in proc.stdout
