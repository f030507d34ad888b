"""Smoke test for bench.http's load client; needs only aiohttp, not the pyworker CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from aiohttp import web

# The repository root is not on sys.path when pytest is run as `.venv/bin/pytest`.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from bench._load import measure_aiohttp, parse_wrk_output  # noqa: E402
from bench.http import build_report  # noqa: E402

CELL_KEYS = {
    "path", "concurrency", "requests", "errors", "rps", "p50_ms", "p99_ms", "max_ms",
    "client_cpu_s", "client_cpu_ratio", "duration_s", "error_kinds",
}  # fmt: skip


async def test_aiohttp_client_against_tiny_server(aiohttp_server) -> None:
    count = 0

    async def value(request: web.Request) -> web.Response:
        return web.json_response({"value": count})

    app = web.Application()
    app.router.add_get("/counter/value", value)
    server = await aiohttp_server(app)

    cell = await measure_aiohttp(str(server.make_url("/")), "/counter/value", 4, 0.3, 0.05)

    assert cell.requests > 0
    assert cell.errors == 0, cell.error_kinds
    assert 0 < cell.p50_ms <= cell.p99_ms <= cell.max_ms
    report = build_report(
        [cell],
        client={"name": "aiohttp"},
        server={"url": str(server.make_url("/")), "rss_kib_before": None, "rss_kib_after": None},
        settings={"duration_s": 0.3},
    )
    report = json.loads(json.dumps(report))
    assert {"benchmark", "date", "timestamp", "machine", "git", "client", "server",
            "settings", "cells", "total_errors"} <= report.keys()  # fmt: skip
    assert {"nproc", "python", "platform"} <= report["machine"].keys()
    assert CELL_KEYS <= report["cells"][0].keys()
    assert report["total_errors"] == 0


def test_parse_wrk_latency_output() -> None:
    text = """\
Running 1s test @ http://127.0.0.1:8787/counter/value
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   635.91us    0.89ms   1.20s    93.69%
    Req/Sec    56.20k     8.07k   62.00k    86.54%
  Latency Distribution
     50%  250.00us
     75%  491.00us
     90%  700.00us
     99%    5.00ms
  22436 requests in 1.01s, 3.93MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 12
Requests/sec:  22214.85
Transfer/sec:      3.89MB
"""
    parsed = parse_wrk_output(text)
    assert parsed["requests"] == 22436
    assert parsed["duration_s"] == pytest.approx(1.01)
    assert parsed["p50_ms"] == pytest.approx(0.25)
    assert parsed["p99_ms"] == pytest.approx(5.0)
    assert parsed["max_ms"] == pytest.approx(1200.0)
    assert parsed["errors"] == 15
