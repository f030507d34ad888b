"""Hot reload latency of ``pyworker dev``: from saving a module to the first response of the new code.

Run from the repository root::

    python -m bench.reload                  # 20 saves
    python -m bench.reload --smoke          # 3 saves, for CI

It copies the example project (``wrangler.toml`` + ``objects/``) to a temporary folder, starts
``pyworker dev`` there and, for every iteration, rewrites ``objects/counter.py`` so that
``GET /counter/help`` answers a new text, then polls that URL in a tight loop over one keep-alive
connection until the new text arrives. Prints min/median/p90/max, plus the server's own
``Reloaded in`` times, and writes JSON (default ``bench/results/reload-<YYYY-MM-DD>.json``).
Exits 1 if a save was not served within ``--timeout`` seconds or was not exactly one reload.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench._load import percentile
from bench._server import PyworkerProcess, ServerStartError
from bench.http import REPO_ROOT, git_info, machine_info, write_results

TARGET_MEDIAN_MS = 100.0
MODULE = "objects/counter.py"
PATH = "/counter/help"  # answered by Counter's help text (HELP in objects/counter.py)
PAUSE_S = 0.2  # between iterations, so each save is a reload of its own
_RELOADED = re.compile(r"Reloaded in (\d+)ms")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``--smoke`` sets the iteration count when it is not given."""
    p = argparse.ArgumentParser(prog="python -m bench.reload", description=__doc__.split("\n\n")[0])
    p.add_argument("--iterations", type=int, help="saves to measure (default 20, smoke 3)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each save (default 5)")
    p.add_argument("--smoke", action="store_true", help="3 iterations, to check that it runs")
    p.add_argument("--out", type=Path, help="JSON output path (default bench/results/reload-<date>.json)")
    args = p.parse_args(argv)
    if args.iterations is None:
        args.iterations = 3 if args.smoke else 20
    if args.iterations < 1:
        p.error("--iterations must be at least 1")
    return args


def copy_project(source: Path, target: Path) -> Path:
    """Copy the example project (its config and ``objects/``) into ``target``."""
    shutil.copy2(source / "wrangler.toml", target / "wrangler.toml")
    shutil.copytree(source / "objects", target / "objects", ignore=shutil.ignore_patterns("__pycache__"))
    return target


class Poller:
    """GETs one path over a single keep-alive connection."""

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self._connection = http.client.HTTPConnection(host, int(port), timeout=5)

    def get(self, path: str) -> str:
        self._connection.request("GET", path)
        return self._connection.getresponse().read().decode()

    def close(self) -> None:
        self._connection.close()


def measure_save(module: Path, original: str, marker: str, poller: Poller, timeout: float) -> float | None:
    """Rewrite ``module`` so that ``PATH`` answers ``marker``; ms until it does (None: timeout)."""
    text = original.replace('HELP = "', f'HELP = "{marker} ', 1)
    started = time.perf_counter()
    module.write_text(text)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if poller.get(PATH).startswith(marker):
            return (time.perf_counter() - started) * 1000
    return None


def summary(values: list[float]) -> dict[str, float | None]:
    """min/median/p90/max of ``values`` (ms, rounded to 0.1)."""
    ordered = sorted(values)

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "min_ms": rounded(ordered[0] if ordered else None),
        "median_ms": rounded(statistics.median(ordered) if ordered else None),
        "p90_ms": rounded(percentile(ordered, 90)),
        "max_ms": rounded(ordered[-1] if ordered else None),
    }


def format_table(rows: dict[str, dict[str, float | None]], counts: dict[str, int]) -> str:
    """A plain table: one row per measured quantity."""
    header = ["measure", "n", "min ms", "median ms", "p90 ms", "max ms"]
    lines = [header]
    for name, row in rows.items():
        lines.append([name, str(counts[name])] + ["-" if v is None else f"{v:.1f}" for v in row.values()])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join([line[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(line[1:], widths[1:]))]))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def run(iterations: int, timeout: float) -> dict[str, Any]:
    """Measure ``iterations`` saves on a fresh copy of the example project."""
    with tempfile.TemporaryDirectory(prefix="pyworker-reload-") as tmp:
        project = copy_project(REPO_ROOT, Path(tmp))
        module = project / MODULE
        original = module.read_text()
        latencies: list[float] = []
        timeouts = 0
        with PyworkerProcess(project) as server:
            poller = Poller(server.url)
            try:
                poller.get(PATH)  # the first request constructs the object
                for i in range(iterations):
                    time.sleep(PAUSE_S)
                    latency = measure_save(module, original, f"reload-{i}", poller, timeout)
                    if latency is None:
                        timeouts += 1
                    else:
                        latencies.append(latency)
                    print(f"  save {i + 1}/{iterations}: "
                          + ("timeout" if latency is None else f"{latency:.1f} ms"), file=sys.stderr, flush=True)
                time.sleep(PAUSE_S)
            finally:
                poller.close()
            output = server.output()
        return {
            "latencies_ms": [round(v, 2) for v in latencies],
            "server_reload_ms": [int(v) for v in _RELOADED.findall(output)],
            "reload_lines": output.count("Reloading:"),
            "timeouts": timeouts,
            "command": server.command[1:],
        }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; return the exit code."""
    args = parse_args(argv)
    try:
        measured = run(args.iterations, args.timeout)
    except ServerStartError as exc:
        print(f"error: could not start pyworker dev: {exc}", file=sys.stderr)
        return 2
    rows = {
        "save -> new response": summary(measured["latencies_ms"]),
        "server reload": summary([float(v) for v in measured["server_reload_ms"]]),
    }
    counts = {"save -> new response": len(measured["latencies_ms"]),
              "server reload": len(measured["server_reload_ms"])}  # fmt: skip
    now = dt.datetime.now().astimezone()
    report = {
        "benchmark": "reload",
        "date": now.date().isoformat(),
        "timestamp": now.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_info(),
        "settings": {
            "iterations": args.iterations,
            "timeout_s": args.timeout,
            "module": MODULE,
            "path": PATH,
            "pause_s": PAUSE_S,
            "smoke": args.smoke,
        },
        "save_to_response": rows["save -> new response"],
        "server_reload": rows["server reload"],
        "target_median_ms": TARGET_MEDIAN_MS,
        **measured,
    }
    out = write_results(report, args.out, f"reload-{report['date']}.json")

    print(format_table(rows, counts))
    print()
    median = rows["save -> new response"]["median_ms"]
    verdict = "met" if median is not None and median <= TARGET_MEDIAN_MS else "missed"
    print(f"target: median save -> new response <= {TARGET_MEDIAN_MS:.0f} ms: {verdict}")
    print(f"reload lines: {measured['reload_lines']} for {args.iterations} saves, timeouts: {measured['timeouts']}")
    m = report["machine"]
    print(f"machine: {m['nproc']} cpus, {m['python']}, {m['platform']}")
    print(f"wrote {out}")
    return 1 if measured["timeouts"] or measured["reload_lines"] != args.iterations else 0


if __name__ == "__main__":
    sys.exit(main())
