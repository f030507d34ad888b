"""The pytest plugin, run by pytester on a tiny user project: fixtures, helpers, isolation, teardown."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

WRANGLER_TOML = """\
name = "user-worker"
main = "src/entry.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]

[vars]
GREETING = "hello"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"""

ENTRY = """\
from js import Date
from workers import DurableObject, Response, WorkerEntrypoint


class Counter(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        self.constructed = True

    async def fetch(self, request):
        return Response.json({"value": await self.increment()})

    async def increment(self, by=1):
        value = (await self.ctx.storage.get("n") or 0) + by
        await self.ctx.storage.put("n", value)
        return value

    async def schedule(self, delay_ms):
        await self.ctx.storage.setAlarm(Date.now() + delay_ms)

    async def alarm(self, alarm_info):
        await self.ctx.storage.put("alarms", (await self.ctx.storage.get("alarms") or 0) + 1)
        if alarm_info.retryCount:
            raise AssertionError("run_durable_object_alarm never retries")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await self.env.COUNTER.getByName("global").fetch(request)
"""

PYPROJECT = """\
[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
"""


@pytest.fixture
def user_project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A user's project in pytester's folder: wrangler.toml, src/entry.py, pyproject.toml."""
    (pytester.path / "wrangler.toml").write_text(WRANGLER_TOML)
    (pytester.path / "src").mkdir()
    (pytester.path / "src" / "entry.py").write_text(ENTRY)
    (pytester.path / "pyproject.toml").write_text(PYPROJECT)
    (pytester.path / "tests").mkdir()
    return pytester


def write_tests(pytester: pytest.Pytester, source: str) -> None:
    (pytester.path / "tests" / "test_user.py").write_text(textwrap.dedent(source))


def test_plugin_worker_client_serves_the_project_found_from_wrangler_toml(user_project: pytest.Pytester) -> None:
    write_tests(user_project, """
        async def test_fetch(worker_client):
            client = await worker_client()
            assert (await (await client.get("/")).json()) == {"value": 1}
            assert (await (await client.get("/")).json()) == {"value": 2}

        async def test_env_has_the_bindings(worker_env):
            assert worker_env.GREETING == "hello"
            assert await worker_env.COUNTER.getByName("x").increment(5) == 5

        async def test_client_env_and_worker_are_one_worker(worker, worker_env, worker_client):
            client = await worker_client()
            assert client.worker is worker and client.env is worker_env is worker.env
    """)
    user_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_plugin_each_test_gets_empty_storage(user_project: pytest.Pytester) -> None:
    write_tests(user_project, """
        import pytest

        @pytest.mark.parametrize("run", [1, 2])
        async def test_starts_blank(worker_env, worker_persist_dir, run):
            assert await worker_env.COUNTER.getByName("a").increment() == 1
            assert worker_persist_dir.is_dir()
    """)
    user_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_plugin_run_in_durable_object_and_list_ids(user_project: pytest.Pytester) -> None:
    write_tests(user_project, """
        from pyworker.testing import list_durable_object_ids, run_in_durable_object

        async def test_inside(worker_env):
            assert list_durable_object_ids(worker_env.COUNTER) == []
            stub = worker_env.COUNTER.getByName("a")
            await stub.increment(3)
            stored = await run_in_durable_object(stub, lambda counter, ctx: ctx.storage.get("n"))
            assert stored == 3

            async def check(counter, ctx):
                await ctx.storage.put("n", 10)
                return counter.constructed, str(ctx.id)

            assert await run_in_durable_object(stub, check) == (True, str(stub.id))
            assert await stub.increment() == 11
            worker_env.COUNTER.getByName("b")  # a stub alone stores nothing
            assert list_durable_object_ids(worker_env.COUNTER) == [worker_env.COUNTER.idFromName("a")]
    """)
    user_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_plugin_alarms_run_on_the_manual_clock_or_on_demand(user_project: pytest.Pytester) -> None:
    write_tests(user_project, """
        from pyworker.testing import ManualClock, run_durable_object_alarm, run_in_durable_object

        def alarms(counter, ctx):
            return ctx.storage.get("alarms")

        async def test_clock(worker_env, worker_clock: ManualClock):
            stub = worker_env.COUNTER.getByName("a")
            await stub.schedule(60_000)
            await worker_clock.advance(59_999)
            assert await run_in_durable_object(stub, alarms) is None
            await worker_clock.advance(1)
            assert await run_in_durable_object(stub, alarms) == 1

        async def test_run_now(worker_env, worker_clock):
            stub = worker_env.COUNTER.getByName("a")
            assert await run_durable_object_alarm(stub) is False
            await stub.schedule(3_600_000)
            assert await run_durable_object_alarm(stub) is True
            assert await run_in_durable_object(stub, alarms) == 1
            assert await run_durable_object_alarm(stub) is False
            await worker_clock.advance(3_600_000)
            assert await run_in_durable_object(stub, alarms) == 1
    """)
    user_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_plugin_closes_what_it_started_at_teardown(user_project: pytest.Pytester) -> None:
    write_tests(user_project, """
        from pyworker.runtime.introspection import object_class

        started = []

        async def test_start(worker_env, worker_client):
            await worker_env.COUNTER.getByName("a").increment()
            started.append((object_class(worker_env.COUNTER), await worker_client()))
            assert object_class(worker_env.COUNTER).hosts

        def test_closed():
            objects, client = started[0]
            assert objects.hosts == {} and client.session.closed
    """)
    user_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_plugin_worker_project_can_be_overridden(user_project: pytest.Pytester) -> None:
    other = user_project.path / "other"
    other.mkdir()
    (other / "wrangler.toml").write_text(WRANGLER_TOML.replace('"user-worker"', '"other-worker"'))
    (other / "src").mkdir()
    (other / "src" / "entry.py").write_text(ENTRY.replace('getByName("global")', 'getByName("other")'))
    (user_project.path / "tests" / "conftest.py").write_text(textwrap.dedent(f"""
        import pytest
        from pathlib import Path

        @pytest.fixture
        def worker_project():
            return Path({str(other)!r})
    """))
    write_tests(user_project, """
        async def test_other(worker, worker_client):
            assert worker.loaded.worker_name == "other-worker"
            second = await worker_client({root!r}, vars={"GREETING": "hi"})
            assert second.worker is not worker and second.env.GREETING == "hi"
            assert second.worker.loaded.worker_name == "user-worker"
    """.replace("{root!r}", repr(str(user_project.path))))
    user_project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
