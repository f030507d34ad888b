"""HTTP throughput and latency of ``pyworker dev`` on the counter Durable Object routes.

Run from the repository root::

    python -m bench.http                 # starts pyworker dev itself, 5 s per cell
    python -m bench.http --smoke         # 0.3 s per cell, for CI
    python -m bench.http --url http://127.0.0.1:8787   # an already running server

For every path x concurrency cell it prints requests/s and latency p50/p99/max,
plus the CPU the load client used, and writes everything as JSON (default
``bench/results/http-<YYYY-MM-DD>.json``). Exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from bench._load import (
    CLIENT_BOUND_RATIO,
    CellResult,
    aiohttp_client_info,
    run_aiohttp,
    run_wrk,
    wrk_client_info,
    wrk_path,
)
from bench._server import ServerStartError, measure_server

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def write_results(report: dict[str, Any], out: Path | None, default_name: str) -> Path:
    """Write ``report`` as JSON to ``out`` (default ``bench/results/<default_name>``), atomically;
    return the path written."""
    out = out or RESULTS_DIR / default_name
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2) + "\n")
    os.replace(tmp, out)
    return out
DEFAULT_PATHS = ["/counter/value", "/counter/increment"]
DEFAULT_CONCURRENCY = [1, 16, 64]

RunCell = Callable[[str, str, int, float, float], CellResult]


def _csv(kind: Callable[[str], Any]) -> Callable[[str], list[Any]]:
    return lambda text: [kind(part.strip()) for part in text.split(",") if part.strip()]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``--smoke`` only changes defaults that were not given."""
    p = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="benchmark this running server instead of starting pyworker dev")
    p.add_argument("--server-pid", type=int,
                   help="with --url: pid of that server, to record its RSS")  # fmt: skip
    p.add_argument("--duration", type=float, help="measured seconds per cell (default 5, smoke 0.3)")
    p.add_argument("--warmup", type=float, help="discarded seconds before each cell (default 1, smoke 0.1)")
    p.add_argument("--concurrency", type=_csv(int), default=DEFAULT_CONCURRENCY,
                   help="comma-separated connection counts (default 1,16,64)")  # fmt: skip
    p.add_argument("--paths", type=_csv(str), default=DEFAULT_PATHS,
                   help="comma-separated paths (default /counter/value,/counter/increment)")  # fmt: skip
    p.add_argument("--client", choices=["auto", "wrk", "aiohttp"], default="auto",
                   help="load client; auto = wrk if on PATH, else the built-in aiohttp client")  # fmt: skip
    p.add_argument("--smoke", action="store_true", help="tiny durations, to check that it runs")
    p.add_argument("--out", type=Path, help="JSON output path (default bench/results/http-<date>.json)")
    args = p.parse_args(argv)
    if args.duration is None:
        args.duration = 0.3 if args.smoke else 5.0
    if args.warmup is None:
        args.warmup = 0.1 if args.smoke else 1.0
    if args.client == "auto":
        args.client = "wrk" if wrk_path() else "aiohttp"
    elif args.client == "wrk" and not wrk_path():
        p.error("--client wrk: wrk is not on PATH")
    if not all(c > 0 for c in args.concurrency):
        p.error("--concurrency values must be positive")
    return args


def machine_info() -> dict[str, Any]:
    """nproc, CPU model, Python version and platform of this machine."""
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": cpu_model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
    }


def git_info() -> dict[str, Any]:
    """Commit and dirty flag of the repository, if git is available."""
    def git(*args: str) -> str | None:
        try:
            proc = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True)
        except OSError:
            return None
        return proc.stdout.strip() if proc.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def run_cells(
    base_url: str,
    paths: Sequence[str],
    concurrencies: Sequence[int],
    duration: float,
    warmup: float,
    run_cell: RunCell = run_aiohttp,
    progress: Callable[[CellResult], None] | None = None,
) -> list[CellResult]:
    """Measure every path x concurrency cell, in that order, with ``run_cell``."""
    cells = []
    for path in paths:
        for concurrency in concurrencies:
            cell = run_cell(base_url, path, concurrency, duration, warmup)
            cells.append(cell)
            if progress:
                progress(cell)
    return cells


def build_report(
    cells: Sequence[CellResult],
    *,
    client: dict[str, Any],
    server: dict[str, Any],
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Assemble the JSON document written by this benchmark."""
    now = dt.datetime.now().astimezone()
    return {
        "benchmark": "http",
        "date": now.date().isoformat(),
        "timestamp": now.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_info(),
        "client": client,
        "server": server,
        "settings": settings,
        "cells": [c.to_dict() for c in cells],
        "total_errors": sum(c.errors for c in cells),
    }


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def format_table(cells: Sequence[CellResult]) -> str:
    """Plain, right-aligned text table of the cells."""
    header = ["path", "conc", "requests", "errors", "req/s", "p50 ms", "p99 ms", "max ms",
              "client cpu", "wall s"]  # fmt: skip
    rows = [header]
    for c in cells:
        cpu = f"{c.client_cpu_s:.2f}s {c.client_cpu_ratio:4.0%}"
        if c.client_cpu_ratio >= CLIENT_BOUND_RATIO:
            cpu += " !"
        rows.append([c.path, str(c.concurrency), f"{c.requests:,}", f"{c.errors:,}",
                     _fmt(c.rps, 1), _fmt(c.p50_ms, 2), _fmt(c.p99_ms, 2), _fmt(c.max_ms, 2),
                     cpu, f"{c.duration_s:.2f}"])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(w) for cell, w in zip(row[1:], widths[1:])]
        lines.append("  ".join([first, *rest]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _client_note(client: dict[str, Any], cells: Sequence[CellResult]) -> str:
    if client["name"] == "aiohttp":
        what = f"aiohttp {client['version']} ({client['loop']} loop, C parser: {client['c_parser']})"
    else:
        what = client.get("version") or "wrk"
    note = (f"client: {what}, {client['process']}\n"
            f"client cpu: the client's CPU time in the measured window and its % of wall time "
            f"(100% = one core busy)")  # fmt: skip
    bound = [c for c in cells if c.client_cpu_ratio >= CLIENT_BOUND_RATIO]
    if bound:
        note += (f"\nwarning: in {len(bound)} cell(s) marked '!' the client used >= "
                 f"{CLIENT_BOUND_RATIO:.0%} of a core: it may be the bottleneck, so read "
                 f"those req/s as a lower bound for the server")  # fmt: skip
    return note


def main(argv: Sequence[str] | None = None, cwd: Path = REPO_ROOT) -> int:
    """Run the benchmark (starting ``pyworker dev`` in ``cwd`` unless ``--url``); return exit code."""
    args = parse_args(argv)
    run_cell: RunCell = run_wrk if args.client == "wrk" else run_aiohttp
    client = wrk_client_info() if args.client == "wrk" else aiohttp_client_info()
    settings = {
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "concurrency": args.concurrency,
        "paths": args.paths,
        "smoke": args.smoke,
    }

    def progress(c: CellResult) -> None:
        print(f"  {c.path} c={c.concurrency}: {c.rps:,.1f} req/s, {c.errors} errors",
              file=sys.stderr, flush=True)  # fmt: skip

    def measure(url: str, pid: int | None) -> list[CellResult]:
        print(f"benchmarking {url} with {args.client}", file=sys.stderr, flush=True)
        return run_cells(url, args.paths, args.concurrency, args.duration, args.warmup,
                         run_cell, progress)  # fmt: skip

    try:
        cells, server = measure_server(args.url, args.server_pid, cwd, measure)
    except ServerStartError as exc:
        print(f"error: could not start pyworker dev: {exc}", file=sys.stderr)
        return 2

    report = build_report(cells, client=client, server=server, settings=settings)
    out = write_results(report, args.out, f"http-{report['date']}.json")

    print(format_table(cells))
    print()
    print(_client_note(client, cells))
    rss = (f"server rss: {server['rss_kib_before']:,} KiB before, {server['rss_kib_after']:,} KiB after"
           if server["rss_kib_before"] is not None and server["rss_kib_after"] is not None
           else "server rss: unknown (pass --server-pid with --url)")  # fmt: skip
    print(rss)
    m = report["machine"]
    print(f"machine: {m['nproc']} cpus, {m['python']}, {m['platform']}")
    print(f"wrote {out}")
    for c in cells:
        if c.errors:
            print(f"ERRORS {c.path} c={c.concurrency}: {c.error_kinds}", file=sys.stderr)
    return 1 if report["total_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
