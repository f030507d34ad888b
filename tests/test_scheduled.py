"""Cron triggers: the ``scheduled`` handler, ``/cdn-cgi/handler/scheduled``, ``/__scheduled``,
``--crons`` timers, cron validation and the start-up warning."""

from __future__ import annotations

import datetime as dt
import sys
import urllib.error
import urllib.request

import pytest

from helpers import get
from pyworker.config import load_config
from pyworker.errors import ConfigError
from pyworker.runtime.clock import ManualClock
from pyworker.runtime.scheduled import ScheduledController

ENTRY = """
from workers import Response, WorkerEntrypoint

EVENTS = []


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response(f"fetch {request.url}")

    async def scheduled(self, controller, env, ctx):
        EVENTS.append((controller.cron, controller.scheduledTime, env.MODE, type(ctx).__name__))
        if controller.cron == "fail":
            controller.noRetry()
            raise RuntimeError("scheduled failed")
"""

CRONS = """
[vars]
MODE = "test"

[triggers]
crons = ["*/5 * * * *", "0 9 * * 2"]
"""


@pytest.fixture
def serve(project, worker_client):  # type: ignore[no-untyped-def]
    """``await serve(entry, extra, clock, **dev_options)`` → a test client on a project with crons."""

    async def start(entry: str = ENTRY, extra: str = CRONS, clock=None, **options):  # type: ignore[no-untyped-def]
        return await worker_client(project({"src/entry.py": entry}, extra), clock=clock, **options)

    return start


def _events(client) -> list:  # type: ignore[no-untyped-def]
    """The events recorded by the worker ``client`` serves."""
    return sys.modules[client.worker.loaded.main_path.stem].EVENTS


async def test_scheduled_controller_has_cron_time_and_no_retry() -> None:
    controller = ScheduledController("* * * * *", 1_700_000_000_000)
    controller.noRetry()
    assert (controller.cron, controller.scheduledTime, controller.type, controller.no_retry) == (
        "* * * * *", 1_700_000_000_000, "scheduled", True,
    )


async def test_scheduled_handler_runs_via_cdn_cgi_with_cron_and_time(serve) -> None:
    client = await serve()
    response = await client.get("/cdn-cgi/handler/scheduled", params={"cron": "*/5 * * * *", "time": "1700000000000"})
    assert (response.status, await response.text()) == (200, "ok")
    assert _events(client) == [("*/5 * * * *", 1_700_000_000_000, "test", "ExecutionContext")]


async def test_scheduled_defaults_to_empty_cron_and_now(serve) -> None:
    client = await serve(clock=ManualClock(1_234_000))
    await client.get("/cdn-cgi/handler/scheduled")
    assert _events(client)[-1][:2] == ("", 1_234_000)


async def test_scheduled_handler_exception_answers_500_exception(serve) -> None:
    client = await serve()
    response = await client.get("/cdn-cgi/handler/scheduled?cron=fail")
    assert (response.status, await response.text()) == (500, "exception")


async def test_scheduled_without_handler_answers_500(serve) -> None:
    entry = "from workers import Response, WorkerEntrypoint\nclass Default(WorkerEntrypoint):\n    async def fetch(self, r):\n        return Response('x')\n"
    client = await serve(entry=entry)
    response = await client.get("/cdn-cgi/handler/scheduled")
    assert (response.status, await response.text()) == (500, "exception")


async def test_scheduled_legacy_mf_path_still_works(serve) -> None:
    client = await serve()
    response = await client.get("/cdn-cgi/mf/scheduled?cron=legacy")
    assert (response.status, await response.text()) == (200, "ok")


async def test_scheduled_unknown_cdn_cgi_handler_is_404_with_wranglers_text(serve) -> None:
    client = await serve()
    response = await client.get("/cdn-cgi/handler/queue")
    assert response.status == 404
    assert await response.text() == (
        '"/cdn-cgi/handler/queue" is not a valid handler. Did you mean to use "/cdn-cgi/handler/scheduled" '
        'or "/cdn-cgi/handler/email"?'
    )


async def test_scheduled_other_cdn_cgi_paths_reach_the_worker(serve) -> None:
    client = await serve()
    assert (await (await client.get("/cdn-cgi/trace")).text()).startswith("fetch ")


async def test_scheduled_test_route_only_with_test_scheduled(serve) -> None:
    plain = await serve()
    assert (await (await plain.get("/__scheduled")).text()).startswith("fetch ")
    client = await serve(test_scheduled=True)
    response = await client.get("/__scheduled?cron=*/5+*+*+*+*")
    assert (response.status, await response.text()) == (200, "Ran scheduled event")
    assert _events(client)[-1][0] == "*/5 * * * *"


async def test_scheduled_test_route_failure_is_a_500_error(serve) -> None:
    client = await serve(test_scheduled=True)
    response = await client.get("/__scheduled?cron=fail", headers={"Accept": "text/plain"})
    assert response.status == 500
    assert (await response.text()).startswith("RuntimeError: scheduled failed")


async def test_scheduled_crons_fire_on_schedule_with_the_runtime_clock(serve) -> None:
    start = dt.datetime(2025, 1, 6, 8, 58, tzinfo=dt.UTC)  # a Monday
    clock = ManualClock(start.timestamp() * 1000)
    client = await serve(clock=clock, crons=True)
    await clock.advance(2 * 60_000)  # 09:00: both crons are due
    fired = sorted(event[:2] for event in _events(client))
    nine = (start + dt.timedelta(minutes=2)).timestamp() * 1000
    assert fired == [("*/5 * * * *", nine), ("0 9 * * 2", nine)]
    await clock.advance(10 * 60_000)
    assert [e[0] for e in _events(client)].count("*/5 * * * *") == 3


async def test_scheduled_crons_do_not_fire_without_the_flag(serve) -> None:
    clock = ManualClock()
    client = await serve(clock=clock)
    await clock.advance(3_600_000)
    assert _events(client) == []


async def test_scheduled_crons_follow_reloads(serve, project) -> None:
    clock = ManualClock(dt.datetime(2025, 1, 6, 8, 0, tzinfo=dt.UTC).timestamp() * 1000)
    client = await serve(clock=clock, crons=True)
    root = client.worker.loaded.root
    (root / "wrangler.toml").write_text((root / "wrangler.toml").read_text().replace('"*/5 * * * *", ', ""))
    client.worker.reload(load_config(root))
    await clock.advance(3_600_000)
    assert [e[0] for e in _events(client)] == ["0 9 * * 2"]


@pytest.mark.parametrize(
    ("cron", "reason"),
    [
        ("61 * * * *", "out of range"),
        ("* * * *", "expected 5 fields (minute hour day-of-month month day-of-week), got 4"),
        ("0 22 * * 0", "day of week 0 is out of range: use 1-7 (1 = Sunday) or SUN-SAT"),
    ],
)
def test_scheduled_invalid_cron_is_a_config_error(project, cron: str, reason: str) -> None:
    root = project({"src/entry.py": ENTRY}, f'[triggers]\ncrons = ["0 * * * *", "{cron}"]\n')
    with pytest.raises(ConfigError) as raised:
        load_config(root)
    assert f'"triggers.crons[1]": "{cron}" is not a valid cron expression ({reason})' in str(raised.value)
    assert "wrangler.toml:6" in str(raised.value)


def test_scheduled_dev_warns_that_crons_are_not_triggered(project, run_dev) -> None:
    server = run_dev(project({"src/entry.py": ENTRY}, CRONS), "--no-reload")
    assert "Scheduled Workers are not automatically triggered during local development." in server.output
    assert f'  curl "http://127.0.0.1:{server.port}/cdn-cgi/handler/scheduled"' in server.output
    assert get(server.url + "/cdn-cgi/handler/scheduled") == "ok"


def test_scheduled_dev_test_scheduled_flag_serves_route_without_warning(project, run_dev) -> None:
    server = run_dev(project({"src/entry.py": ENTRY}, CRONS), "--no-reload", "--test-scheduled")
    assert get(server.url + "/__scheduled?cron=*+*+*+*+*") == "Ran scheduled event"
    assert "not automatically triggered" not in server.output


def test_scheduled_dev_crons_flag_is_accepted_without_warning(project, run_dev) -> None:
    server = run_dev(project({"src/entry.py": ENTRY}, CRONS), "--no-reload", "--crons")
    assert "not automatically triggered" not in server.output
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(server.url + "/cdn-cgi/handler/nope", timeout=5)
    assert raised.value.code == 404


FAVICON_ENTRY = """
from workers import Response, WorkerEntrypoint


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        raise RuntimeError("no favicon here")

    async def scheduled(self, controller, env, ctx):
        pass
"""


async def test_scheduled_favicon_error_after_test_route_is_an_empty_404(serve) -> None:
    client = await serve(FAVICON_ENTRY, test_scheduled=True)
    response = await client.get("/favicon.ico", headers={"Referer": "http://localhost:8787/__scheduled"})
    assert (response.status, await response.text()) == (404, "")


async def test_scheduled_favicon_error_from_elsewhere_stays_a_500(serve) -> None:
    client = await serve(FAVICON_ENTRY, test_scheduled=True)
    response = await client.get("/favicon.ico", headers={"Referer": "http://localhost:8787/other"})
    assert response.status == 500
