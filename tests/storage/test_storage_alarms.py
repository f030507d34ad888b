"""Alarm persistence on storage: getAlarm/setAlarm/deleteAlarm, _cf_METADATA, scheduler hooks."""

from __future__ import annotations

import datetime
import sqlite3

import pytest

NOW_MS = 1_700_000_000_000  # the ManualClock of conftest.py starts here

LATER = NOW_MS + 60_000


async def test_alarm_get_without_alarm_is_none(sqlite_storage) -> None:
    assert await sqlite_storage.getAlarm() is None


async def test_alarm_set_then_get(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(LATER)
    assert await sqlite_storage.getAlarm() == LATER


async def test_alarm_set_accepts_float_ms(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(float(LATER) + 0.7)
    assert await sqlite_storage.getAlarm() == LATER


async def test_alarm_set_accepts_datetime(sqlite_storage) -> None:
    when = datetime.datetime.fromtimestamp(LATER / 1000, tz=datetime.UTC)
    await sqlite_storage.setAlarm(when)
    assert await sqlite_storage.getAlarm() == LATER


async def test_alarm_set_overwrites_previous(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(LATER)
    await sqlite_storage.setAlarm(LATER + 1)
    assert await sqlite_storage.getAlarm() == LATER + 1


@pytest.mark.parametrize("when", [0, -5, float("nan")])
async def test_alarm_set_not_positive_is_type_error(sqlite_storage, when: float) -> None:
    with pytest.raises(TypeError, match=r"^setAlarm\(\) cannot be called with an alarm time <= 0$"):
        sqlite_storage.setAlarm(when)


async def test_alarm_set_wrong_type_is_type_error(sqlite_storage) -> None:
    with pytest.raises(TypeError, match="expects epoch milliseconds or a datetime"):
        sqlite_storage.setAlarm("soon")


async def test_alarm_in_the_past_is_clamped_to_now(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(1)
    assert await sqlite_storage.getAlarm() == NOW_MS


async def test_alarm_clamp_follows_the_clock(sqlite_storage, clock) -> None:
    await clock.advance(5_000)
    await sqlite_storage.setAlarm(NOW_MS)
    assert await sqlite_storage.getAlarm() == NOW_MS + 5_000


async def test_alarm_delete(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(LATER)
    await sqlite_storage.deleteAlarm()
    assert await sqlite_storage.getAlarm() is None


async def test_alarm_survives_reopen(sqlite_storage, reopen) -> None:
    await sqlite_storage.setAlarm(LATER)
    storage = reopen(sqlite_storage)
    assert await storage.getAlarm() == LATER
    assert storage.alarm_time() == LATER


async def test_alarm_delete_survives_reopen(sqlite_storage, reopen) -> None:
    await sqlite_storage.setAlarm(LATER)
    sqlite_storage.flush()
    await sqlite_storage.deleteAlarm()
    storage = reopen(sqlite_storage)
    assert await storage.getAlarm() is None


async def test_alarm_stored_in_cf_metadata_as_nanoseconds(sqlite_storage, db_path) -> None:
    await sqlite_storage.setAlarm(4102444800000)
    sqlite_storage.flush()
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT key, value, typeof(value) FROM _cf_METADATA").fetchall() == [
        (1, 4102444800000000000, "integer")
    ]
    db.close()


async def test_alarm_deleted_is_stored_as_null(sqlite_storage, db_path) -> None:
    await sqlite_storage.setAlarm(LATER)
    await sqlite_storage.deleteAlarm()
    sqlite_storage.flush()
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT key, value FROM _cf_METADATA").fetchall() == [(1, None)]
    db.close()


async def test_alarm_delete_without_alarm_writes_nothing(sqlite_storage, db_path) -> None:
    await sqlite_storage.deleteAlarm()
    sqlite_storage.flush()
    db = sqlite3.connect(db_path)
    assert db.execute("SELECT name FROM sqlite_master").fetchall() == []
    db.close()


async def test_alarm_change_callback_sees_every_change(open_storage) -> None:
    changes: list[float | None] = []
    storage = open_storage(on_alarm_change=changes.append)
    await storage.setAlarm(LATER)
    await storage.setAlarm(LATER)  # unchanged: no call
    await storage.setAlarm(LATER + 1)
    await storage.deleteAlarm()
    assert changes == [LATER, LATER + 1, None]


async def test_alarm_change_callback_sees_rollback(open_storage) -> None:
    changes: list[float | None] = []
    storage = open_storage(on_alarm_change=changes.append)

    def closure() -> None:
        storage.setAlarm(LATER)
        raise RuntimeError

    with pytest.raises(RuntimeError):
        storage.transactionSync(closure)
    assert changes == [LATER, None]
    assert await storage.getAlarm() is None


async def test_alarm_time_is_sync_for_the_scheduler(sqlite_storage) -> None:
    assert sqlite_storage.alarm_time() is None
    sqlite_storage.setAlarm(LATER)
    assert sqlite_storage.alarm_time() == LATER


async def test_alarm_hidden_while_its_handler_runs(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(LATER)
    assert sqlite_storage.alarm_started(LATER) is True
    assert await sqlite_storage.getAlarm() is None
    assert sqlite_storage.alarm_time() == LATER
    sqlite_storage.alarm_finished(delete=True)
    assert await sqlite_storage.getAlarm() is None
    assert sqlite_storage.alarm_time() is None


async def test_alarm_set_by_handler_is_kept(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(LATER)
    sqlite_storage.alarm_started(LATER)
    await sqlite_storage.setAlarm(LATER + 10)
    assert await sqlite_storage.getAlarm() == LATER + 10
    sqlite_storage.alarm_finished(delete=True)
    assert await sqlite_storage.getAlarm() == LATER + 10


async def test_alarm_failed_handler_keeps_alarm_for_retry(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(LATER)
    sqlite_storage.alarm_started(LATER)
    sqlite_storage.alarm_finished(delete=False)
    assert await sqlite_storage.getAlarm() == LATER


async def test_alarm_stale_run_is_refused(sqlite_storage) -> None:
    await sqlite_storage.setAlarm(LATER)
    assert sqlite_storage.alarm_started(LATER - 1) is False
    assert await sqlite_storage.getAlarm() == LATER
