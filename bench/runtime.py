"""Durable Object runtime throughput, in process (no HTTP): storage, RPC and alarms.

Run from the repository root::

    python -m bench.runtime             # about 2 s per figure
    python -m bench.runtime --smoke     # tiny counts, for CI

Figures: cached ``get`` ops/s, committed ``put`` ops/s (one key per event, and 100-key batches),
RPC calls/s through a stub, alarms scheduled and fired per second (one alarm in each of many
objects; a manual clock moves time, so firing is measured without waiting). Each figure is measured on
a real object with its SQLite file in a temporary directory. Writes JSON (default
``bench/results/runtime-<YYYY-MM-DD>.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.http import machine_info, write_results
from pyworker.runtime.clock import ManualClock
from pyworker.runtime.durable_object import DurableObject
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.loop import loop_factory
from pyworker.runtime.namespace import DurableObjectNamespace, DurableObjectStub, ObjectClass

TARGETS = {"cached_get_per_s": 100_000, "committed_put_per_s": 20_000, "rpc_calls_per_s": 20_000}


class Bench(DurableObject):
    """The object every figure is measured on."""

    fired = 0

    async def get_many(self, n: int) -> None:
        get = self.ctx.storage.get
        for _ in range(n):
            await get("key")

    async def put_one(self, i: int) -> None:
        await self.ctx.storage.put("key", i)

    async def put_batch(self, i: int) -> None:
        await self.ctx.storage.put({f"k{j}": i for j in range(100)})

    async def noop(self, i: int) -> int:
        return 1

    async def arm(self, at_ms: float) -> None:
        await self.ctx.storage.setAlarm(at_ms)

    async def alarm(self) -> None:
        Bench.fired += 1


async def _rate(count: int, run: Callable[[int], Awaitable[None]]) -> dict[str, float]:
    """Ops per wall second, and per CPU second (steadier when other processes share the machine)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    await run(count)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"ops": count, "seconds": round(elapsed, 4), "per_s": round(count / elapsed, 1),
            "cpu_seconds": round(cpu, 4), "per_cpu_s": round(count / cpu, 1) if cpu else None}


async def _events(stub: DurableObjectStub, method: str, count: int, concurrency: int = 64) -> None:
    """``count`` RPC calls in waves of ``concurrency`` (each call is one event, committed before it returns)."""
    for start in range(0, count, concurrency):
        await asyncio.gather(*(getattr(stub, method)(i) for i in range(start, min(count, start + concurrency))))


async def _alarms(namespace: DurableObjectNamespace, clock: ManualClock, count: int) -> dict[str, dict[str, float]]:
    """Create ``count`` objects (each a new SQLite file), set one alarm in each, then move the clock
    so that all of them fire."""
    stubs = [namespace.getByName(f"alarm-{i}") for i in range(count)]
    due = clock.now_ms() + 1_000

    async def call_all(method: str, *args: Any) -> None:
        for start in range(0, len(stubs), 64):
            await asyncio.gather(*(getattr(stub, method)(*args) for stub in stubs[start:start + 64]))

    async def create(n: int) -> None:
        await call_all("put_one", 0)

    async def schedule(n: int) -> None:
        await call_all("arm", due)

    async def fire(n: int) -> None:
        Bench.fired = 0
        await clock.advance(1_000)
        while Bench.fired < n:
            await asyncio.sleep(0)

    return {
        "objects_created_per_s": await _rate(count, create),
        "alarms_scheduled_per_s": await _rate(count, schedule),
        "alarms_fired_per_s": await _rate(count, fire),
    }


async def measure(scale: float) -> dict[str, Any]:
    """Run every figure; ``scale`` multiplies the operation counts."""
    with tempfile.TemporaryDirectory() as state:
        clock = ManualClock()
        objects = ObjectClass("Bench", "bench", Path(state), OutputGate(), Bench, None, clock=clock)
        namespace = DurableObjectNamespace("BENCH", objects)
        stub = namespace.getByName("bench")
        await stub.put_one(0)
        n = max(10, int(200_000 * scale))
        figures = {
            "cached_get_per_s": await _rate(n, lambda c: stub.get_many(c)),
            "committed_put_per_s": await _rate(n // 10, lambda c: _events(stub, "put_one", c)),
            "committed_batched_put_keys_per_s": await _rate(
                n // 10, lambda c: _events(stub, "put_batch", c // 100)
            ),
            "rpc_calls_per_s": await _rate(n // 10, lambda c: _events(stub, "noop", c)),
            **await _alarms(namespace, clock, max(10, n // 100)),
        }
        objects.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table, write JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.runtime", description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny counts, to check that it runs")
    parser.add_argument("--out", type=Path, help="JSON output path")
    args = parser.parse_args(argv)
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        figures = runner.run(measure(0.01 if args.smoke else 1.0))
    print(f"{'figure':<36}{'ops':>10}{'per second':>14}{'per CPU second':>16}{'target':>10}")
    for name, figure in figures.items():
        target = TARGETS.get(name)
        print(f"{name:<36}{figure['ops']:>10,}{figure['per_s']:>14,.0f}{figure['per_cpu_s'] or 0:>16,.0f}"
              f"{target or '':>10}")
    report = {"date": dt.datetime.now().isoformat(), "machine": machine_info(), "smoke": args.smoke,
              "figures": figures, "targets": TARGETS}
    out = write_results(report, args.out, f"runtime-{dt.date.today().isoformat()}.json")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
