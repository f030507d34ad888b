"""Alarms on a manual clock: firing, alarm_info, retries with backoff, persistence across restarts."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from pyworker.runtime.alarms import MAX_RETRIES, retry_delay_ms
from pyworker.runtime.clock import ManualClock
from pyworker.runtime.durable_object import DurableObject
from pyworker.runtime.gates import OutputGate
from pyworker.runtime.namespace import DurableObjectNamespace, ObjectClass

RUNS: list[tuple[str, int, bool]] = []


class Alarmed(DurableObject):
    fail_times = 0

    async def schedule(self, delay_ms: float) -> None:
        await self.ctx.storage.setAlarm(self.ctx_now() + delay_ms)

    def ctx_now(self) -> float:
        return CLOCK.now_ms()

    async def schedule_at(self, when: datetime.datetime) -> None:
        await self.ctx.storage.setAlarm(when)

    async def alarm_time(self):  # type: ignore[no-untyped-def]
        return await self.ctx.storage.getAlarm()

    async def cancel(self) -> None:
        await self.ctx.storage.deleteAlarm()

    async def alarm(self, alarm_info) -> None:  # type: ignore[no-untyped-def]
        RUNS.append(("alarm", alarm_info.retryCount, alarm_info.isRetry))
        RUNS.append(("inside", await self.ctx.storage.getAlarm() is None, True))
        if Alarmed.fail_times > 0:
            Alarmed.fail_times -= 1
            raise RuntimeError("alarm failed")
        if await self.ctx.storage.get("again"):
            await self.ctx.storage.delete("again")
            await self.ctx.storage.setAlarm(CLOCK.now_ms() + 1_000)

    async def rearm_in_handler(self) -> None:
        await self.ctx.storage.put("again", True)


class NoHandler(DurableObject):
    async def schedule(self, delay_ms: float) -> None:
        await self.ctx.storage.setAlarm(CLOCK.now_ms() + delay_ms)


CLOCK = ManualClock()


def make_namespace(state: Path, cls: type[DurableObject] = Alarmed) -> tuple[ObjectClass, DurableObjectNamespace]:
    objects = ObjectClass(cls.__name__, "w", state, OutputGate(), cls, None, clock=CLOCK, evict_after_ms=10_000)
    return objects, DurableObjectNamespace("NS", objects)


@pytest.fixture
def alarms(tmp_path: Path):  # type: ignore[no-untyped-def]
    RUNS.clear()
    Alarmed.fail_times = 0
    objects, namespace = make_namespace(tmp_path)
    yield namespace.getByName("a")
    objects.close()


def alarm_runs() -> list[int]:
    return [retry for kind, retry, _ in RUNS if kind == "alarm"]


async def test_alarm_fires_at_its_time_and_not_before(alarms) -> None:
    await alarms.schedule(5_000)
    await CLOCK.advance(4_999)
    assert alarm_runs() == []
    await CLOCK.advance(1)
    assert alarm_runs() == [0]


async def test_alarm_is_cleared_after_success(alarms) -> None:
    await alarms.schedule(100)
    await CLOCK.advance(100)
    assert await alarms.alarm_time() is None


async def test_alarm_get_alarm_returns_scheduled_time(alarms) -> None:
    await alarms.schedule(1_000)
    assert await alarms.alarm_time() == int(CLOCK.now_ms() + 1_000)


async def test_alarm_get_alarm_is_none_inside_handler(alarms) -> None:
    await alarms.schedule(10)
    await CLOCK.advance(10)
    assert ("inside", True, True) in RUNS


async def test_alarm_set_again_overwrites(alarms) -> None:
    await alarms.schedule(1_000)
    await alarms.schedule(5_000)
    await CLOCK.advance(1_000)
    assert alarm_runs() == []
    await CLOCK.advance(4_000)
    assert alarm_runs() == [0]


async def test_alarm_delete_cancels(alarms) -> None:
    await alarms.schedule(1_000)
    await alarms.cancel()
    await CLOCK.advance(5_000)
    assert alarm_runs() == [] and await alarms.alarm_time() is None


async def test_alarm_accepts_datetime(alarms) -> None:
    when = datetime.datetime.fromtimestamp((CLOCK.now_ms() + 2_000) / 1000, tz=datetime.timezone.utc)
    await alarms.schedule_at(when)
    await CLOCK.advance(2_000)
    assert alarm_runs() == [0]


async def test_alarm_in_the_past_runs_at_once(alarms) -> None:
    await alarms.schedule(-60_000)
    assert await alarms.alarm_time() == int(CLOCK.now_ms())
    await CLOCK.advance(0)
    assert alarm_runs() == [0]


async def test_alarm_set_inside_handler_runs_later(alarms) -> None:
    await alarms.rearm_in_handler()
    await alarms.schedule(10)
    await CLOCK.advance(10)
    assert await alarms.alarm_time() == int(CLOCK.now_ms() + 1_000)
    await CLOCK.advance(1_000)
    assert alarm_runs() == [0, 0]


async def test_alarm_failure_is_retried_with_retry_info(alarms) -> None:
    Alarmed.fail_times = 2
    await alarms.schedule(10)
    await CLOCK.advance(10)
    await CLOCK.advance(retry_delay_ms(1, jitter=0.25))
    await CLOCK.advance(retry_delay_ms(2, jitter=0.25))
    assert alarm_runs() == [0, 1, 2]
    assert [is_retry for kind, _, is_retry in RUNS if kind == "alarm"] == [False, True, True]
    assert await alarms.alarm_time() is None


async def test_alarm_retry_waits_for_backoff(alarms) -> None:
    Alarmed.fail_times = 1
    await alarms.schedule(10)
    await CLOCK.advance(10)
    await CLOCK.advance(1_999)
    assert alarm_runs() == [0]


async def test_alarm_gives_up_after_six_retries(alarms) -> None:
    Alarmed.fail_times = 100
    await alarms.schedule(10)
    await CLOCK.advance(10)
    for retry in range(1, MAX_RETRIES + 2):
        await CLOCK.advance(retry_delay_ms(retry, jitter=0.25))
    assert alarm_runs() == list(range(MAX_RETRIES + 1))
    assert await alarms.alarm_time() is None


def test_alarm_backoff_doubles_from_two_seconds() -> None:
    assert [retry_delay_ms(n, jitter=0) for n in range(1, 7)] == [2_000, 4_000, 8_000, 16_000, 32_000, 64_000]


async def test_alarm_fires_on_an_evicted_object(alarms) -> None:
    await alarms.schedule(60_000)
    await CLOCK.advance(60_000)  # evicted after 10 s idle, woken by the alarm
    assert alarm_runs() == [0]


async def test_alarm_survives_restart_and_fires_when_overdue(tmp_path: Path) -> None:
    RUNS.clear()
    objects, namespace = make_namespace(tmp_path)
    await namespace.getByName("r").schedule(5_000)
    objects.close()
    await CLOCK.advance(10_000)  # the server is "down": nothing fires
    assert alarm_runs() == []
    objects, namespace = make_namespace(tmp_path)
    objects.resume_alarms()
    await CLOCK.advance(0)
    assert alarm_runs() == [0]
    objects.close()


async def test_alarm_without_handler_is_logged_and_dropped(tmp_path: Path, caplog) -> None:
    objects, namespace = make_namespace(tmp_path, NoHandler)
    stub = namespace.getByName("n")
    await stub.schedule(10)
    await CLOCK.advance(10)
    assert "no alarm() handler" in caplog.text
    objects.close()
