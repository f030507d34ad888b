"""Closed-loop HTTP load clients: ``wrk`` when installed, otherwise a built-in aiohttp client.

Both return a :class:`CellResult` for one (URL, concurrency) cell, so callers do
not care which one ran. Each reports the CPU time the client itself used during
the measured window; if that is close to the wall time, the client (not the
server) may have been the bottleneck.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import resource
import shutil
import subprocess
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import aiohttp
import yarl

try:  # optional, only used if already installed
    import uvloop
except ImportError:  # pragma: no cover - depends on the environment
    uvloop = None

REQUEST_TIMEOUT_S = 30.0
CLIENT_BOUND_RATIO = 0.9  # client CPU / wall at or above this: client may be the bottleneck


@dataclass
class CellResult:
    """Outcome of driving one URL at one concurrency for a fixed time.

    ``requests`` counts every completed attempt, including errors; latencies are
    over successful (2xx) responses for the aiohttp client and over all responses
    for wrk.
    """

    path: str
    concurrency: int
    requests: int
    errors: int
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    client_cpu_s: float
    duration_s: float
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def client_cpu_ratio(self) -> float:
        """Client CPU seconds per wall second (1.0 = one core fully busy)."""
        return self.client_cpu_s / self.duration_s if self.duration_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the fields (plus ``client_cpu_ratio``)."""
        return asdict(self) | {"client_cpu_ratio": round(self.client_cpu_ratio, 3)}


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank ``q``-th percentile (0 < q <= 100) of an ascending list; None if empty."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


# --------------------------------------------------------------------------- aiohttp


def aiohttp_client_info() -> dict[str, Any]:
    """Describe the built-in client (aiohttp version, event loop, C speedups)."""
    from aiohttp import http_parser

    return {
        "name": "aiohttp",
        "version": aiohttp.__version__,
        "loop": "uvloop" if uvloop is not None else "asyncio",
        "c_parser": http_parser.HttpResponseParser.__module__ == "aiohttp._http_parser",
        "process": "runs in the benchmark process; the server is a separate process",
    }


async def _drive(
    session: aiohttp.ClientSession, url: yarl.URL, concurrency: int, duration: float
) -> tuple[list[float], Counter[str]]:
    """Run ``concurrency`` request->read-body loops until ``duration`` has passed."""
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        clock = time.perf_counter
        while (start := clock()) < deadline:
            try:
                async with session.get(url) as resp:
                    await resp.read()
                    status = resp.status
            except Exception as exc:  # any failure counts as an error, keep going
                errors[type(exc).__name__] += 1
                continue
            if 200 <= status < 300:
                latencies.append(clock() - start)
            else:
                errors[f"HTTP {status}"] += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, errors


async def measure_aiohttp(
    base_url: str, path: str, concurrency: int, duration: float, warmup: float = 0.0
) -> CellResult:
    """Drive ``GET base_url+path`` closed-loop with ``concurrency`` keep-alive connections.

    One ClientSession whose connector allows exactly ``concurrency`` connections;
    ``concurrency`` coroutines each loop request -> read body. The first ``warmup``
    seconds are discarded (connections stay open into the measured window).
    Runs on the caller's event loop; see :func:`run_aiohttp` for a standalone run.
    """
    url = yarl.URL(base_url.rstrip("/") + path)
    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=concurrency)
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
        cookie_jar=aiohttp.DummyCookieJar(),
    ) as session:
        if warmup > 0:
            await _drive(session, url, concurrency, warmup)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        latencies, errors = await _drive(session, url, concurrency, duration)
        wall = time.perf_counter() - wall0
        cpu = time.process_time() - cpu0
    latencies.sort()
    n_err = sum(errors.values())
    total = len(latencies) + n_err
    return CellResult(
        path=path,
        concurrency=concurrency,
        requests=total,
        errors=n_err,
        rps=round(total / wall, 1) if wall > 0 else 0.0,
        p50_ms=_ms(percentile(latencies, 50)),
        p99_ms=_ms(percentile(latencies, 99)),
        max_ms=_ms(latencies[-1] if latencies else None),
        client_cpu_s=round(cpu, 3),
        duration_s=round(wall, 3),
        error_kinds=dict(errors),
    )


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    return uvloop.new_event_loop if uvloop is not None else None


def run_aiohttp(
    base_url: str, path: str, concurrency: int, duration: float, warmup: float = 0.0
) -> CellResult:
    """:func:`measure_aiohttp` on a fresh event loop (uvloop if importable)."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(measure_aiohttp(base_url, path, concurrency, duration, warmup))


# --------------------------------------------------------------------------- wrk


def wrk_path() -> str | None:
    """Path of ``wrk`` on PATH, or None."""
    return shutil.which("wrk")


def wrk_client_info() -> dict[str, Any]:
    """Describe the wrk client (path and version line)."""
    path = wrk_path()
    proc = subprocess.run([path or "wrk", "-v"], capture_output=True, text=True)
    version = (proc.stdout or proc.stderr).strip().splitlines()
    return {
        "name": "wrk",
        "path": path,
        "version": version[0].split(" Copyright")[0] if version else None,
        "process": "a separate wrk process",
    }


_TIME_UNITS_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}
_TIME = r"([\d.]+)(us|ms|s|m|h)"


def _us(value: str, unit: str) -> float:
    return float(value) * _TIME_UNITS_US[unit]


def parse_wrk_output(text: str) -> dict[str, Any]:
    """Parse ``wrk --latency`` output into requests, duration, errors and latencies (ms).

    wrk counts a status > 399 as an error ("Non-2xx or 3xx responses") and reports
    socket errors separately; both are summed into ``errors``.
    """
    out: dict[str, Any] = {"errors": 0, "error_kinds": {}}
    if m := re.search(rf"^\s*Latency\s+{_TIME}\s+{_TIME}\s+{_TIME}", text, re.M):
        out["max_ms"] = _us(m[5], m[6]) / 1000
    for pct, key in (("50", "p50_ms"), ("99", "p99_ms")):
        if m := re.search(rf"^\s*{pct}%\s+{_TIME}", text, re.M):
            out[key] = _us(m[1], m[2]) / 1000
    m = re.search(rf"^\s*(\d+) requests in {_TIME}", text, re.M)
    if not m:
        raise ValueError(f"could not parse wrk output:\n{text}")
    out["requests"] = int(m[1])
    out["duration_s"] = _us(m[2], m[3]) / 1e6
    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    ):
        for kind, n in zip(("connect", "read", "write", "timeout"), m.groups()):
            if int(n):
                out["error_kinds"][f"socket {kind}"] = int(n)
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", text):
        out["error_kinds"]["HTTP >= 400"] = int(m[1])
    out["errors"] = sum(out["error_kinds"].values())
    return out


def _wrk_threads(concurrency: int) -> int:
    # wrk gives each thread connections // threads, so pick a divisor of concurrency.
    threads = min(concurrency, len(os.sched_getaffinity(0)))
    while concurrency % threads:
        threads -= 1
    return threads


def _wrk(url: str, concurrency: int, seconds: int) -> str:
    cmd = [wrk_path() or "wrk", "-t", str(_wrk_threads(concurrency)), "-c", str(concurrency),
           "-d", f"{seconds}s", "--latency", url]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def run_wrk(
    base_url: str, path: str, concurrency: int, duration: float, warmup: float = 0.0
) -> CellResult:
    """Drive ``GET base_url+path`` with ``wrk -c concurrency --latency``.

    wrk only takes whole seconds, so ``duration`` and ``warmup`` are rounded up
    (a warmup of 0 is skipped). Client CPU is wrk's user+system time.
    """
    url = base_url.rstrip("/") + path
    if warmup > 0:
        _wrk(url, concurrency, max(1, math.ceil(warmup)))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = _wrk(url, concurrency, max(1, math.ceil(duration)))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    parsed = parse_wrk_output(text)
    return CellResult(
        path=path,
        concurrency=concurrency,
        requests=parsed["requests"],
        errors=parsed["errors"],
        rps=round(parsed["requests"] / parsed["duration_s"], 1),
        p50_ms=parsed.get("p50_ms"),
        p99_ms=parsed.get("p99_ms"),
        max_ms=parsed.get("max_ms"),
        client_cpu_s=round(cpu, 3),
        duration_s=round(parsed["duration_s"], 3),
        error_kinds=parsed["error_kinds"],
    )
