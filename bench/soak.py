"""Soak: mixed HTTP and WebSocket traffic against ``pyworker dev`` for a while, counting every error
and sampling the server's memory.

Run from the repository root::

    python -m bench.soak                    # 60 s
    python -m bench.soak --duration 300     # longer
    python -m bench.soak --smoke            # 4 s, for CI: checks that it runs, the memory figure is noise

It writes a small soak worker (``write_soak_project``) to a temporary folder and starts
``pyworker dev`` on it (127.0.0.1, a fresh ``--persist-to``). Then, until ``--duration`` is up:

* ``--http-clients`` closed-loop HTTP clients, each picking at random one of: an increment through
  the object's ``fetch`` (``/inc``), an increment over RPC (``/rpc-inc``), a note written to
  ``ctx.storage.sql`` and ``ctx.storage.put`` (``/note``), ``ctx.storage.list`` (``/list``), a read
  (``/value``), an alarm 50-500 ms ahead (``/alarm``), or an increment of a never-seen object
  (``/inc`` on ``fresh-<n>``); over ``--objects`` object names (120);
* ``--ws-clients`` WebSocket clients in two chat rooms (hibernatable sockets), each sending a
  message every 50 ms that the room broadcasts to all its members;
* one client that keeps joining a third room, sending one message, reading its echo and leaving.

At the end it checks the state: every object's counter equals the increments acknowledged for it,
every room member received every message of its room, and every alarm set has fired. Anything
else — a non-200 answer, a failed connection, a lost message, a wrong counter — is an error.

Memory: the server's RSS (``VmRSS`` of its process tree) is sampled every second. The first third
of the run is warm-up; the run fails if RSS afterwards rises more than ``--rss-bound-mib`` (30 MiB)
above the RSS at the end of warm-up.

Prints a table and writes JSON (default ``bench/results/soak-<YYYY-MM-DD>.json``). Exits 1 on any
error or if memory grew past the bound, 2 if the server did not start.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench._load import aiohttp_client_info, percentile
from bench._server import PyworkerProcess, ServerStartError, rss_kib
from bench.http import git_info, machine_info, write_results

DEFAULT_DURATION_S = 60.0
SMOKE_DURATION_S = 4.0
RSS_BOUND_MIB = 30.0
WARMUP_FRACTION = 1 / 3
SAMPLE_EVERY_S = 1.0
WS_SEND_EVERY_S = 0.05
SETTLE_TIMEOUT_S = 10.0
OPS = {  # kind -> weight
    "inc": 30,
    "rpc-inc": 20,
    "note": 12,
    "list": 10,
    "value": 12,
    "alarm": 6,
    "fresh": 4,
}

SOAK_WRANGLER = """\
name = "soak"
main = "src/entry.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter", "Room"]
"""

SOAK_WORKER = '''\
"""The soak worker: counters with notes and alarms, and chat rooms. Query ``?name=`` picks the object."""

import json
import time
from urllib.parse import parse_qs, urlsplit

from workers import DurableObject, Response, WebSocketPair, WorkerEntrypoint

NOTES_KEPT = 20


class Counter(DurableObject):
    async def fetch(self, request):
        """``/inc`` through the object's fetch handler."""
        return Response.json({"value": await self.increment(1)})

    async def increment(self, by=1):
        value = (await self.ctx.storage.get("n") or 0) + by
        await self.ctx.storage.put("n", value)
        return value

    async def value(self):
        return {"n": await self.ctx.storage.get("n") or 0, "fired": await self.ctx.storage.get("fired") or 0}

    async def note(self, text):
        """A row in SQL and a key in the key-value API; only the last NOTES_KEPT of each stay."""
        sql = self.ctx.storage.sql
        sql.exec("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT)")
        row = sql.exec("INSERT INTO notes (text) VALUES (?) RETURNING id", text).one()
        sql.exec("DELETE FROM notes WHERE id <= ?", row["id"] - NOTES_KEPT)
        await self.ctx.storage.put(f"note:{row['id'] % NOTES_KEPT:02d}", text)
        return sql.exec("SELECT count(*) AS n FROM notes").one()["n"]

    async def notes(self):
        listed = await self.ctx.storage.list(prefix="note:", limit=NOTES_KEPT)
        return len(listed)

    async def set_alarm(self, in_ms):
        at = int(time.time() * 1000) + in_ms
        await self.ctx.storage.setAlarm(at)
        await self.ctx.storage.put("alarms_set", (await self.ctx.storage.get("alarms_set") or 0) + 1)
        return at

    async def alarm(self, alarm_info=None):
        await self.ctx.storage.put("fired", (await self.ctx.storage.get("fired") or 0) + 1)

    async def alarm_status(self):
        return {
            "set": await self.ctx.storage.get("alarms_set") or 0,
            "fired": await self.ctx.storage.get("fired") or 0,
            "pending": await self.ctx.storage.getAlarm(),
        }


class Room(DurableObject):
    async def fetch(self, request):
        client, server = WebSocketPair.new().object_values()
        self.ctx.acceptWebSocket(server)
        return Response(None, status=101, web_socket=client)

    async def webSocketMessage(self, ws, message):
        await self.ctx.storage.put("messages", (await self.ctx.storage.get("messages") or 0) + 1)
        for other in self.ctx.getWebSockets():
            other.send(message)

    async def webSocketClose(self, ws, code, reason, was_clean):
        ws.close(1000, "bye")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        url = urlsplit(request.url)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        name = query.get("name", "default")
        if url.path == "/room":
            return await self.env.ROOM.getByName(name).fetch(request)
        if url.path == "/echo":
            return Response.json({"method": request.method, "length": len(await request.bytes())})
        counter = self.env.COUNTER.getByName(name)
        if url.path == "/inc":
            return await counter.fetch(request)
        if url.path == "/rpc-inc":
            return Response.json({"value": await counter.increment(1)})
        if url.path == "/value":
            return Response.json(await counter.value())
        if url.path == "/note":
            return Response.json({"notes": await counter.note(query.get("text", ""))})
        if url.path == "/list":
            return Response.json({"notes": await counter.notes()})
        if url.path == "/alarm":
            return Response.json({"at": await counter.set_alarm(int(query.get("in_ms", "100")))})
        if url.path == "/alarm-status":
            return Response.json(await counter.alarm_status())
        return Response("not found", status=404)
'''


def write_soak_project(root: Path) -> Path:
    """Write the soak worker (``wrangler.toml`` + ``src/entry.py``) into ``root``; returns ``root``."""
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "wrangler.toml").write_text(SOAK_WRANGLER)
    (root / "src" / "entry.py").write_text(SOAK_WORKER)
    return root


@dataclass
class Tally:
    """What the clients did and what they saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    increments: Counter[str] = field(default_factory=Counter)
    alarms: set[str] = field(default_factory=set)
    ws_sent: Counter[str] = field(default_factory=Counter)
    ws_received: Counter[int] = field(default_factory=Counter)
    ws_members: dict[int, str] = field(default_factory=dict)
    churn_joins: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] += 1


async def _http_client(session: aiohttp.ClientSession, url: str, objects: int, deadline: float,
                       tally: Tally, rng: random.Random, fresh: list[int]) -> None:  # fmt: skip
    kinds, weights = list(OPS), list(OPS.values())
    clock = time.perf_counter
    while (started := clock()) < deadline:
        kind = rng.choices(kinds, weights)[0]
        params = {"name": f"obj-{rng.randrange(objects)}"}
        if kind == "fresh":
            fresh[0] += 1
            params["name"] = f"fresh-{fresh[0]}"
        elif kind == "alarm":
            params["in_ms"] = str(rng.randrange(50, 500))
        elif kind == "note":
            params["text"] = f"t{rng.randrange(10**6)}"
        try:
            async with session.get(f"{url}/{'inc' if kind == 'fresh' else kind}", params=params) as response:
                await response.read()
                status = response.status
        except Exception as exc:  # any failure is an error; keep going
            tally.error(f"{kind}: {type(exc).__name__}")
            continue
        if status != 200:
            tally.error(f"{kind}: HTTP {status}")
            continue
        tally.latencies[kind].append(clock() - started)
        if kind in ("inc", "rpc-inc", "fresh"):
            tally.increments[params["name"]] += 1
        elif kind == "alarm":
            tally.alarms.add(params["name"])


async def _ws_member(session: aiohttp.ClientSession, url: str, index: int, room: str, ready: asyncio.Barrier,
                     deadline: float, tally: Tally) -> None:  # fmt: skip
    tally.ws_members[index] = room
    try:
        ws = await session.ws_connect(f"{url}/room?name={room}")
    except BaseException:
        await ready.abort()  # the others would wait for this member forever
        raise

    async def read() -> None:
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.TEXT:
                tally.ws_received[index] += 1
            else:
                tally.error(f"ws: frame {msg.type.name}")

    reader = asyncio.create_task(read())
    await ready.wait()  # every member has joined: each sees every message of its room
    try:
        seq = 0
        while time.perf_counter() < deadline:
            seq += 1
            started = time.perf_counter()
            await ws.send_str(f"{index}:{seq}")
            tally.ws_sent[room] += 1
            tally.latencies["ws-send"].append(time.perf_counter() - started)
            await asyncio.sleep(WS_SEND_EVERY_S)
        await ready.wait()  # everyone has stopped sending
        settle = time.perf_counter() + SETTLE_TIMEOUT_S
        while tally.ws_received[index] < tally.ws_sent[room] and time.perf_counter() < settle:
            await asyncio.sleep(0.05)
    finally:
        await ws.close()
        await asyncio.wait_for(reader, SETTLE_TIMEOUT_S)
        if ws.close_code != 1000:
            tally.error(f"ws: closed with {ws.close_code}")


async def _ws_churn(session: aiohttp.ClientSession, url: str, deadline: float, tally: Tally) -> None:
    """Join, talk, leave, over and over: connection setup and teardown must not leak."""
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            async with session.ws_connect(f"{url}/room?name=churn") as ws:
                await ws.send_str("hello")
                msg = await ws.receive(timeout=SETTLE_TIMEOUT_S)
                if msg.type is not aiohttp.WSMsgType.TEXT or msg.data != "hello":
                    tally.error(f"ws churn: got {msg.type.name}")
        except Exception as exc:
            tally.error(f"ws churn: {type(exc).__name__}")
            continue
        tally.churn_joins += 1
        tally.latencies["ws-join"].append(time.perf_counter() - started)


async def _sample_rss(pid: int, deadline: float, samples: list[tuple[float, int]], every: float) -> None:
    begin = time.perf_counter()
    while True:
        kib = rss_kib(pid)
        if kib is not None:
            samples.append((round(time.perf_counter() - begin, 2), kib))
        if time.perf_counter() >= deadline:
            return
        await asyncio.sleep(min(every, max(0.0, deadline - time.perf_counter())))


async def _verify(session: aiohttp.ClientSession, url: str, tally: Tally) -> dict[str, Any]:
    """Counters equal the acknowledged increments; alarms set have fired (waiting for late ones)."""
    limit = asyncio.Semaphore(16)

    async def check(name: str, count: int) -> bool:
        async with limit, session.get(f"{url}/value", params={"name": name}) as response:
            return (await response.json())["n"] == count

    checks = await asyncio.gather(*(check(name, count) for name, count in tally.increments.items()))
    wrong = checks.count(False)
    if wrong:
        tally.errors["counter differs from acknowledged increments"] += wrong
    unfired = set(tally.alarms)
    settle = time.perf_counter() + SETTLE_TIMEOUT_S
    while unfired and time.perf_counter() < settle:
        for name in list(unfired):
            async with session.get(f"{url}/alarm-status", params={"name": name}) as response:
                status = await response.json()
            if status["fired"] >= 1 and status["pending"] is None:
                unfired.discard(name)
        if unfired:
            await asyncio.sleep(0.2)
    for _ in unfired:
        tally.error("alarm did not fire")
    lost = sum(
        max(0, tally.ws_sent[room] - tally.ws_received[index]) for index, room in tally.ws_members.items()
    )
    if lost:
        tally.errors["ws: messages not delivered"] += lost
    return {"objects_checked": len(tally.increments), "counters_wrong": wrong, "alarms_checked": len(tally.alarms),
            "alarms_unfired": len(unfired), "ws_messages_lost": lost}  # fmt: skip


async def soak(url: str, pid: int, args: argparse.Namespace) -> dict[str, Any]:
    """Drive the traffic for ``args.duration`` seconds, then verify; returns the report's figures."""
    tally = Tally()
    rng = random.Random(args.seed)
    samples: list[tuple[float, int]] = []
    connector = aiohttp.TCPConnector(limit=0)
    started = time.perf_counter()
    deadline = started + args.duration
    cpu0 = time.process_time()
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        ready = asyncio.Barrier(args.ws_clients)
        fresh = [0]
        tasks = [
            asyncio.create_task(_sample_rss(pid, deadline, samples, args.sample_every)),
            asyncio.create_task(_ws_churn(session, url, deadline, tally)),
            *(asyncio.create_task(_http_client(session, url, args.objects, deadline, tally,
                                               random.Random(rng.random()), fresh))
              for _ in range(args.http_clients)),
            *(asyncio.create_task(_ws_member(session, url, i, f"room-{i % 2}", ready, deadline, tally))
              for i in range(args.ws_clients)),
        ]  # fmt: skip
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, BaseException):
                tally.error(f"client crashed: {type(outcome).__name__}: {outcome}")
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - cpu0
        verification = await _verify(session, url, tally)
    return {"tally": tally, "samples": samples, "elapsed": elapsed, "client_cpu": client_cpu,
            "verification": verification, "fresh_objects": fresh[0]}  # fmt: skip


def memory_report(samples: Sequence[tuple[float, int]], duration: float, bound_mib: float) -> dict[str, Any]:
    """RSS at the end of warm-up (the first third), the highest after it, the growth and the verdict."""
    warmup = duration * WARMUP_FRACTION
    before = [kib for t, kib in samples if t <= warmup]
    after = [kib for t, kib in samples if t > warmup]
    if not before or not after:
        return {"warmup_s": round(warmup, 1), "ok": True, "note": "too few samples"}
    base, peak = before[-1], max(after)
    growth_mib = (peak - base) / 1024
    return {
        "warmup_s": round(warmup, 1),
        "rss_start_kib": samples[0][1],
        "rss_after_warmup_kib": base,
        "rss_max_after_warmup_kib": peak,
        "rss_end_kib": samples[-1][1],
        "growth_after_warmup_mib": round(growth_mib, 2),
        "bound_mib": bound_mib,
        "ok": growth_mib <= bound_mib,
    }


def format_table(report: dict[str, Any]) -> str:
    """Plain, right-aligned table: one row per kind of operation, then memory and errors."""
    rows = [["operation", "count", "per s", "p50 ms", "p99 ms", "errors"]]
    for kind, op in report["operations"].items():
        rows.append([kind, f"{op['count']:,}", f"{op['per_s']:,.0f}", _num(op["p50_ms"]), _num(op["p99_ms"]),
                     str(op["errors"])])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * w for w in widths))
    mem = report["memory"]
    if "growth_after_warmup_mib" in mem:
        lines.append(
            f"rss: {mem['rss_start_kib'] / 1024:.1f} MiB at start, {mem['rss_after_warmup_kib'] / 1024:.1f} MiB "
            f"after {mem['warmup_s']:g} s warm-up, max {mem['rss_max_after_warmup_kib'] / 1024:.1f} MiB after it, "
            f"{mem['rss_end_kib'] / 1024:.1f} MiB at end: +{mem['growth_after_warmup_mib']:.1f} MiB "
            f"(bound +{mem['bound_mib']:g} MiB) {'ok' if mem['ok'] else 'FAILED'}"
        )
    v = report["verification"]
    lines.append(
        f"checked: {v['objects_checked']} counters ({v['counters_wrong']} wrong), {v['alarms_checked']} alarms "
        f"({v['alarms_unfired']} unfired), {report['ws']['messages_sent']:,} room messages "
        f"({v['ws_messages_lost']} lost), {report['ws']['churn_joins']:,} joins"
    )
    lines.append(f"errors: {report['total_errors']}" + (f" {report['errors']}" if report["errors"] else ""))
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _operations(tally: Tally, elapsed: float) -> dict[str, Any]:
    errors_by_kind: Counter[str] = Counter()
    for kind, n in tally.errors.items():
        errors_by_kind[kind.split(":")[0]] += n
    ops = {}
    for kind in [*OPS, "ws-send", "ws-join"]:
        latencies = sorted(tally.latencies.get(kind, []))
        ops[kind] = {
            "count": len(latencies),
            "per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
            "p50_ms": _ms(percentile(latencies, 50)),
            "p99_ms": _ms(percentile(latencies, 99)),
            "errors": errors_by_kind.get(kind.replace("ws-send", "ws").replace("ws-join", "ws churn"), 0),
        }
    return ops


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line; ``--smoke`` only changes defaults that were not given."""
    p = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    p.add_argument("--duration", type=float, help=f"seconds of traffic (default {DEFAULT_DURATION_S:g}, "
                                                  f"smoke {SMOKE_DURATION_S:g})")  # fmt: skip
    p.add_argument("--objects", type=int, default=120, help="object names the counters are spread over (120)")
    p.add_argument("--http-clients", type=int, default=16, help="concurrent HTTP clients (16)")
    p.add_argument("--ws-clients", type=int, default=10, help="WebSocket clients in two rooms (10)")
    p.add_argument("--rss-bound-mib", type=float, default=RSS_BOUND_MIB,
                   help=f"allowed RSS growth after warm-up, MiB ({RSS_BOUND_MIB:g})")  # fmt: skip
    p.add_argument("--seed", type=int, default=1, help="random seed of the traffic mix (1)")
    p.add_argument("--smoke", action="store_true", help="a few seconds, to check that it runs")
    p.add_argument("--out", type=Path, help="JSON output path (default bench/results/soak-<date>.json)")
    args = p.parse_args(argv)
    if args.duration is None:
        args.duration = SMOKE_DURATION_S if args.smoke else DEFAULT_DURATION_S
    args.sample_every = min(SAMPLE_EVERY_S, args.duration / 8)
    if args.duration <= 0 or args.objects <= 0 or args.http_clients <= 0 or args.ws_clients < 2:
        p.error("--duration, --objects and --http-clients must be positive, --ws-clients at least 2")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the soak; return the exit code."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pyworker-soak-") as tmp:
        project = write_soak_project(Path(tmp) / "soak")
        try:
            with PyworkerProcess(project, ["--no-reload"]) as server:
                figures = asyncio.run(soak(server.url, server.pid, args))
                server.stop()
                server_info = {"command": server.command[1:], "exit_code": server.returncode,
                               "sigkilled": server.killed}  # fmt: skip
        except ServerStartError as exc:
            print(f"error: could not start pyworker dev: {exc}", file=sys.stderr)
            return 2

    tally: Tally = figures["tally"]
    now = dt.datetime.now().astimezone()
    report = {
        "benchmark": "soak",
        "date": now.date().isoformat(),
        "timestamp": now.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_info(),
        "client": aiohttp_client_info() | {"cpu_s": round(figures["client_cpu"], 2)},
        "server": server_info,
        "settings": {"duration_s": args.duration, "objects": args.objects, "http_clients": args.http_clients,
                     "ws_clients": args.ws_clients, "mix": OPS, "seed": args.seed, "smoke": args.smoke},  # fmt: skip
        "elapsed_s": round(figures["elapsed"], 2),
        "operations": _operations(tally, figures["elapsed"]),
        "fresh_objects": figures["fresh_objects"],
        "ws": {"messages_sent": sum(tally.ws_sent.values()), "deliveries": sum(tally.ws_received.values()),
               "churn_joins": tally.churn_joins},  # fmt: skip
        "verification": figures["verification"],
        "memory": memory_report(figures["samples"], args.duration, args.rss_bound_mib),
        "rss_samples": figures["samples"],
        "errors": dict(tally.errors),
        "total_errors": sum(tally.errors.values()),
    }
    if server_info["exit_code"] != 0:
        report["errors"]["server exit"] = 1
        report["total_errors"] += 1
    out = write_results(report, args.out, f"soak-{report['date']}.json")

    print(format_table(report))
    m = report["machine"]
    print(f"machine: {m['nproc']} cpus, {m['python']}, {m['platform']}; client and server share them")
    print(f"wrote {out}")
    return 1 if report["total_errors"] or not report["memory"]["ok"] else 0


if __name__ == "__main__":
    sys.exit(main())
