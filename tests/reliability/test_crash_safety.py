"""Crash safety: ``pyworker dev`` killed with SIGKILL in the middle of a write load, at random
moments, a few times over. Every write the server acknowledged (a 200) must be there after the
restart, every alarm acknowledged as set must fire (an overdue one at start), and every SQLite
file must pass ``PRAGMA integrity_check``."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from helpers import DevServer
from reliability_helpers import integrity_errors

KILLS = 3
COUNTERS = [f"counter-{i}" for i in range(6)]
WRITERS = 12
ALARM_MAX_DELAY_MS = 1_500
TIMEOUT = aiohttp.ClientTimeout(total=5)


class Acknowledged:
    """What the server acknowledged: the highest value per counter, the alarms set (name -> due ms)."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}
        self.alarms: dict[str, int] = {}
        self.writes = 0


async def _increment_until_gone(session: aiohttp.ClientSession, url: str, acked: Acknowledged, rng: random.Random) -> None:
    """Increment random counters until the server dies; record each value answered with 200."""
    while True:
        name = rng.choice(COUNTERS)
        try:
            async with session.get(f"{url}/inc", params={"name": name}) as response:
                if response.status != 200:
                    continue  # not an acknowledgement
                value = (await response.json())["value"]
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return  # killed
        acked.counters[name] = max(acked.counters.get(name, 0), value)
        acked.writes += 1


async def _set_alarms_until_gone(session: aiohttp.ClientSession, url: str, acked: Acknowledged,
                                 rng: random.Random, prefix: str) -> None:  # fmt: skip
    """Set one alarm, 0-1.5 s ahead, on each of a series of objects until the server dies."""
    for index in range(10_000):
        name = f"{prefix}-{index}"
        try:
            params = {"name": name, "in_ms": str(rng.randrange(ALARM_MAX_DELAY_MS))}
            async with session.get(f"{url}/alarm", params=params) as response:
                if response.status != 200:
                    continue
                acked.alarms[name] = (await response.json())["at"]
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return


async def _run_until_killed(server: DevServer, acked: Acknowledged, rng: random.Random, prefix: str) -> None:
    """Writers and an alarm setter against ``server``; SIGKILL after a random 0.2-0.8 s."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        load = [
            *(_increment_until_gone(session, server.url, acked, random.Random(rng.random())) for _ in range(WRITERS)),
            _set_alarms_until_gone(session, server.url, acked, random.Random(rng.random()), prefix),
        ]
        tasks = [asyncio.ensure_future(work) for work in load]
        await asyncio.sleep(rng.uniform(0.2, 0.8))
        server.process.kill()
        await asyncio.to_thread(server.process.wait)
        await asyncio.wait_for(asyncio.gather(*tasks), 10)


async def _values(url: str, names: list[str]) -> dict[str, dict[str, int]]:
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:

        async def value(name: str) -> dict[str, int]:
            async with session.get(f"{url}/alarm-status", params={"name": name}) as status, \
                    session.get(f"{url}/value", params={"name": name}) as counter:  # fmt: skip
                return {**(await status.json()), "n": (await counter.json())["n"]}

        return dict(zip(names, await asyncio.gather(*(value(name) for name in names))))


def _lost_counters(values: dict[str, dict[str, int]], acked: Acknowledged) -> dict[str, tuple[int, int]]:
    return {name: (values[name]["n"], high) for name, high in acked.counters.items() if values[name]["n"] < high}


async def _wait_fired(url: str, alarms: dict[str, int], by_ms: Callable[[int], float]) -> dict[str, int]:
    """Poll until every alarm fired, each given until ``by_ms(due)``; the ones that did not."""
    waiting = dict(alarms)
    while waiting:
        values = await _values(url, list(waiting))
        waiting = {name: due for name, due in waiting.items() if not values[name]["fired"]}
        if not waiting or time.time() * 1000 > max(by_ms(due) for due in waiting.values()):
            return waiting
        await asyncio.sleep(0.1)
    return waiting


async def test_crash_sigkill_during_writes_keeps_acknowledged_counters_alarms_and_files(
    soak_project: Path, tmp_path: Path, run_dev: Callable[..., DevServer]
) -> None:
    """The longest test of the suite (~6 s): three SIGKILLs at random moments of a write load."""
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    state = tmp_path / "state"
    args = ("--persist-to", str(state), "--no-reload")
    acked = Acknowledged()
    for kill in range(KILLS):
        server = run_dev(soak_project, *args)
        if kill:
            lost = _lost_counters(await _values(server.url, COUNTERS), acked)
            assert not lost, f"seed {seed}, after kill {kill}: (stored, acknowledged) {lost}"
        await _run_until_killed(server, acked, rng, prefix=f"alarm-{kill}")
        assert server.process.returncode == -9
        assert integrity_errors(state) == {}, f"seed {seed}, after kill {kill + 1}"

    server = run_dev(soak_project, *args)
    started_ms = time.time() * 1000
    values = await _values(server.url, COUNTERS)
    assert _lost_counters(values, acked) == {}, f"seed {seed}"
    overdue = {name: due for name, due in acked.alarms.items() if due <= started_ms}
    assert await _wait_fired(server.url, overdue, lambda due: started_ms + 3_000) == {}, f"seed {seed}: overdue"
    assert await _wait_fired(server.url, acked.alarms, lambda due: due + 3_000) == {}, f"seed {seed}"
    assert server.stop() == 0
    assert integrity_errors(state) == {}
    print(f"\ncrash safety: seed {seed}, {KILLS} kills, {acked.writes} acknowledged increments on "
          f"{len(acked.counters)} counters, {len(acked.alarms)} acknowledged alarms "
          f"({len(overdue)} overdue at restart): all kept, all files intact")  # fmt: skip
    assert acked.writes > 50 and acked.alarms, "the load did too little to prove anything"
