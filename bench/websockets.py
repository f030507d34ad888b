"""WebSocket fan-out of the playground's ChatRoom under ``pyworker dev``.

Run from the repository root::

    python -m bench.websockets                 # 50, 200 and 1000 clients; starts pyworker dev itself
    python -m bench.websockets --smoke         # 5 and 20 clients, a few messages, for CI
    python -m bench.websockets --url http://127.0.0.1:8787 --server-pid <pid>   # a running server

For each client count N, N clients join one room (``/chat/ws?room=bench-<N>``), then:

* connect: each join is timed from the handshake to the client's ``connected`` frame (p50/p99),
  joins run 50 at a time; every join also sends ``user-joined`` to all earlier clients, as the app does;
* broadcast latency: ``--messages`` chat messages, one at a time, each from the next client in turn;
  the time from sending to the moment the last of the N clients has it (p50/p99/max);
* throughput: the same number of messages sent at once; messages/s and deliveries/s (messages x N)
  until every client has every message.

Prints a table and writes JSON (default ``bench/results/websockets-<YYYY-MM-DD>.json``). Exits 1 if
a message was lost or a client failed, 2 if the server did not start.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp

from bench._load import aiohttp_client_info, percentile
from bench._server import ServerStartError, measure_server
from bench.http import REPO_ROOT, _csv, git_info, machine_info, write_results

DEFAULT_CLIENTS = [50, 200, 1000]
SMOKE_CLIENTS = [5, 20]
CONNECT_CONCURRENCY = 50
DELIVERY_TIMEOUT_S = 60.0
_MARK = '"text":"bench '


@dataclass
class Cell:
    """The figures for one client count."""

    clients: int
    connect_s: float = 0.0
    connect_p50_ms: float | None = None
    connect_p99_ms: float | None = None
    broadcast_p50_ms: float | None = None
    broadcast_p99_ms: float | None = None
    broadcast_max_ms: float | None = None
    messages: int = 0
    throughput_s: float = 0.0
    messages_per_s: float = 0.0
    deliveries_per_s: float = 0.0
    client_cpu_s: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)


class Room:
    """N connected clients and the bookkeeping of which client has which message."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self.session = session
        self.url = url
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.readers: list[asyncio.Task[None]] = []
        self.waiting: dict[int, tuple[list[int], asyncio.Future[float]]] = {}
        self.errors: dict[str, int] = {}

    async def join(self) -> float:
        """Connect one client; seconds until its ``connected`` frame."""
        started = time.perf_counter()
        ws = await self.session.ws_connect(self.url, max_msg_size=0)
        first = await ws.receive_str()
        elapsed = time.perf_counter() - started
        if not first.startswith('{"type":"connected"'):
            self._error("unexpected first frame")
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._read(ws)))
        return elapsed

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        async for msg in ws:
            if msg.type is not aiohttp.WSMsgType.TEXT:
                self._error(f"frame {msg.type.name}")
                continue
            at = msg.data.find(_MARK)
            if at < 0:
                continue  # user-joined
            start = at + len(_MARK)
            seq = int(msg.data[start : msg.data.index('"', start)])
            entry = self.waiting.get(seq)
            if entry is None:
                continue
            entry[0][0] -= 1
            if entry[0][0] == 0 and not entry[1].done():
                entry[1].set_result(time.perf_counter())

    def _error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def send(self, seq: int) -> asyncio.Future[float]:
        """Send message ``seq`` from the next client; the future gets the time all clients had it."""
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[seq] = ([len(self.sockets)], done)
        text = f'{{"type":"message","text":"bench {seq}","username":"bench"}}'
        asyncio.ensure_future(self.sockets[seq % len(self.sockets)].send_str(text))
        return done

    async def close(self) -> None:
        """Disconnect every client."""
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


async def measure(base_url: str, clients: int, messages: int) -> Cell:
    """Join ``clients`` clients to a fresh room, then time broadcasts one at a time and all at once."""
    cell = Cell(clients)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        room = Room(session, f"{base_url}/chat/ws?room=bench-{clients}")
        cpu0 = time.process_time()
        started = time.perf_counter()
        joins: list[float] = []
        for first in range(0, clients, CONNECT_CONCURRENCY):
            batch = min(CONNECT_CONCURRENCY, clients - first)
            joins += await asyncio.gather(*(room.join() for _ in range(batch)))
        cell.connect_s = round(time.perf_counter() - started, 3)
        joins.sort()
        cell.connect_p50_ms, cell.connect_p99_ms = _ms(percentile(joins, 50)), _ms(percentile(joins, 99))
        await asyncio.sleep(0.2)  # let the user-joined frames drain
        try:
            latencies = []
            for seq in range(messages):
                sent = time.perf_counter()
                latencies.append(await asyncio.wait_for(room.send(seq), DELIVERY_TIMEOUT_S) - sent)
            latencies.sort()
            cell.broadcast_p50_ms = _ms(percentile(latencies, 50))
            cell.broadcast_p99_ms = _ms(percentile(latencies, 99))
            cell.broadcast_max_ms = _ms(latencies[-1] if latencies else None)
            started = time.perf_counter()
            burst = [room.send(messages + seq) for seq in range(messages)]
            await asyncio.wait_for(asyncio.gather(*burst), DELIVERY_TIMEOUT_S)
            elapsed = time.perf_counter() - started
            cell.messages = messages
            cell.throughput_s = round(elapsed, 3)
            cell.messages_per_s = round(messages / elapsed, 1)
            cell.deliveries_per_s = round(messages * clients / elapsed, 1)
        except TimeoutError:
            room.errors["undelivered"] = room.errors.get("undelivered", 0) + 1
        cell.client_cpu_s = round(time.process_time() - cpu0, 3)
        cell.errors = room.errors
        await room.close()
    return cell


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``--smoke`` only changes defaults that were not given."""
    p = argparse.ArgumentParser(prog="python -m bench.websockets", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="benchmark this running server instead of starting pyworker dev")
    p.add_argument("--server-pid", type=int, help="with --url: pid of that server, to record its RSS")
    p.add_argument("--clients", type=_csv(int), help="comma-separated client counts (default 50,200,1000)")
    p.add_argument("--messages", type=int, help="messages per phase and client count (default 100, smoke 10)")
    p.add_argument("--smoke", action="store_true", help="few clients and messages, to check that it runs")
    p.add_argument("--out", type=Path, help="JSON output path (default bench/results/websockets-<date>.json)")
    args = p.parse_args(argv)
    if args.clients is None:
        args.clients = SMOKE_CLIENTS if args.smoke else DEFAULT_CLIENTS
    if args.messages is None:
        args.messages = 10 if args.smoke else 100
    if not all(c > 0 for c in args.clients) or args.messages <= 0:
        p.error("--clients and --messages must be positive")
    return args


def format_table(cells: Sequence[Cell]) -> str:
    """Plain, right-aligned text table of the cells."""
    header = ["clients", "connect s", "join p50", "join p99", "bcast p50", "bcast p99", "msgs/s",
              "deliveries/s", "client cpu", "errors"]  # fmt: skip
    rows = [header]
    for c in cells:
        rows.append([f"{c.clients:,}", f"{c.connect_s:.2f}", _num(c.connect_p50_ms), _num(c.connect_p99_ms),
                     _num(c.broadcast_p50_ms), _num(c.broadcast_p99_ms), f"{c.messages_per_s:,.0f}",
                     f"{c.deliveries_per_s:,.0f}", f"{c.client_cpu_s:.2f}s", str(sum(c.errors.values()))])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n(join and bcast columns in ms)"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def main(argv: Sequence[str] | None = None, cwd: Path = REPO_ROOT) -> int:
    """Run the benchmark (starting ``pyworker dev`` in ``cwd`` unless ``--url``); return the exit code."""
    args = parse_args(argv)

    def run(url: str, pid: int | None) -> list[Cell]:
        cells = []
        for clients in args.clients:
            cell = asyncio.run(measure(url, clients, args.messages))
            print(f"  {clients} clients: {cell.deliveries_per_s:,.0f} deliveries/s", file=sys.stderr, flush=True)
            cells.append(cell)
        return cells

    try:
        cells, server = measure_server(args.url, args.server_pid, cwd, run)
    except ServerStartError as exc:
        print(f"error: could not start pyworker dev: {exc}", file=sys.stderr)
        return 2

    now = dt.datetime.now().astimezone()
    report = {
        "benchmark": "websockets",
        "date": now.date().isoformat(),
        "timestamp": now.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_info(),
        "client": aiohttp_client_info(),
        "server": server,
        "settings": {"clients": args.clients, "messages": args.messages, "connect_concurrency": CONNECT_CONCURRENCY},
        "cells": [asdict(c) for c in cells],
        "total_errors": sum(sum(c.errors.values()) for c in cells),
    }
    out = write_results(report, args.out, f"websockets-{report['date']}.json")

    print(format_table(cells))
    m = report["machine"]
    print(f"machine: {m['nproc']} cpus, {m['python']}, {m['platform']}; client and server share them")
    print(f"wrote {out}")
    return 1 if report["total_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
