"""Smoke test for bench.compare: ``python -m bench.compare --smoke`` (pyworker only, no npm/wrangler)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[2]
# The repository root is not on sys.path when pytest is run as `.venv/bin/pytest`.
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from bench.compare import (
    MD_BEGIN,
    MD_END,
    compute_ratios,
    evaluate_targets,
    table_rows,
    write_markdown,
)

SIDE_KEYS = {"cold_start", "reload", "rss", "http", "websockets", "storage"}
HTTP_KEYS = {"path", "concurrency", "rps", "p50_ms", "p99_ms", "errors", "client_cpu_ratio_max", "runs"}
TARGET_KEYS = {"name", "figure", "op", "target", "ratio", "met"}


def test_compare_smoke_run_measures_pyworker_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "compare.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.compare", "--smoke", "--out", str(out)],
        cwd=_ROOT, capture_output=True, text=True, timeout=120, check=False,
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


def _side(cold: float, rss: int, rps: float, p99: float, deliveries: float) -> dict:
    return {
        "cold_start": {"runs_ms": [cold], "median_ms": cold},
        "reload": {"latencies_ms": [cold / 10], "median_ms": cold / 10, "timeouts": 0, "notes": []},
        "rss": {"idle_kib": rss, "load_peak_kib": rss * 2, "idle_processes": []},
        "http": [{"path": "/counter/increment", "concurrency": c, "rps": rps, "p50_ms": p99 / 4, "p99_ms": p99,
                  "errors": 0, "client_cpu_ratio_max": 0.1, "runs": []} for c in (16, 64)],
        "websockets": [{"clients": n, "deliveries_per_s": deliveries, "broadcast_p50_ms": 1.0,
                        "broadcast_p99_ms": 2.0, "connect_p50_ms": 3.0, "errors": 0, "runs": []} for n in (50, 200)],
        "storage": {"n": 10, "ops": 20, "ops_per_s": 1000.0, "inside_ops_per_s": 2000.0},
    }


def test_ratios_targets_and_the_generated_markdown_section(tmp_path: Path) -> None:
    results = {"pyworker": _side(200, 50_000, 4000, 10, 30_000), "wrangler": _side(1000, 400_000, 250, 200, 10_000)}
    ratios = compute_ratios(results)
    assert ratios["cold_start_ms"] == 0.2 and ratios["rss_idle_kib"] == 0.125
    assert ratios["http /counter/increment c=16 rps"] == 16.0 and ratios["ws 200 deliveries_per_s"] == 3.0
    targets = {t["name"]: t for t in evaluate_targets(ratios)}
    assert all(t["met"] for t in targets.values())
    results["pyworker"]["cold_start"]["median_ms"] = 400
    targets = {t["name"]: t for t in evaluate_targets(compute_ratios(results))}
    assert targets["cold start"]["met"] is False and targets["cold start"]["ratio"] == 0.4

    report = {
        "timestamp": "2026-01-01T00:00:00+00:00", "smoke": False, "git": {"commit": "abc", "dirty": False},
        "machine": {"nproc": 2, "cpu_model": "cpu", "python": "CPython 3.11", "platform": "Linux"},
        "versions": {"wrangler": "4.86.0", "node": "v20"}, "client": {"name": "wrk"},
        "load_average": {"start": [0.1, 0.2, 0.3], "end": [0.4, 0.5, 0.6]},
        "settings": {"duration_s": 5, "warmup_s": 1, "repeats": 3, "ws_messages": 100, "cold_runs": 5,
                     "reload_saves": 10, "storage_repeats": 15},
        "results": results, "ratios": compute_ratios(results), "targets": evaluate_targets(compute_ratios(results)),
    }  # fmt: skip
    rows = {row[0]: row for row in table_rows(report)}
    assert rows["cold start, spawn -> first 200 (median ms)"][3:] == ["0.4x", "<= 0.3x", "NOT met"]
    md = tmp_path / "BENCHMARKS.md"
    md.write_text(f"# Benchmarks\n\nintro\n\n{MD_BEGIN}\nSTALE-SECTION\n{MD_END}\n\n## Notes kept\n")
    write_markdown(report, md)
    write_markdown(report, md)  # idempotent: replaces its own section only
    text = md.read_text()
    assert text.count(MD_BEGIN) == 1 and "STALE-SECTION" not in text
    assert text.startswith("# Benchmarks\n\nintro\n") and text.endswith("## Notes kept\n")
    assert "| cold start, spawn -> first 200 (median ms) | 400 | 1,000 | 0.4x | <= 0.3x | NOT met |" in text
