"""The pytest plugin, run by pytester on a user's project (the one ``pyworker init`` writes, with a
``[vars]`` table added): fixtures, helpers, isolation, teardown, and life without pytest-asyncio."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from pyworker.commands.init import project_files

pytest_plugins = ["pytester"]

VARS = '\n[vars]\nGREETING = "hello"\n'


def write_project(root: Path, name: str) -> None:
    """``pyworker init``'s files for worker ``name`` under ``root``, without its tests, plus ``[vars]``."""
    for relative, text in project_files(name).items():
        if not relative.startswith("tests/"):
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text + (VARS if relative == "wrangler.toml" else ""))


@pytest.fixture
def user_project(pytester: pytest.Pytester) -> pytest.Pytester:
    """The user's project in pytester's folder, with an empty tests/ folder."""
    write_project(pytester.path, "user-worker")
    (pytester.path / "tests").mkdir()
    return pytester


def run_tests(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    """Write ``source`` as tests/test_user.py and run pytest on the project, in-process."""
    (pytester.path / "tests" / "test_user.py").write_text(textwrap.dedent(source))
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:hypothesispytest")


def test_plugin_worker_client_serves_the_project_found_from_wrangler_toml(user_project: pytest.Pytester) -> None:
    result = run_tests(user_project, """
        async def test_fetch(worker_client):
            client = await worker_client()
            assert (await (await client.get("/increment")).json()) == {"value": 1}
            assert (await (await client.get("/")).json()) == {"value": 1}

        async def test_env_has_the_bindings(worker_env):
            assert worker_env.GREETING == "hello"
            assert await worker_env.COUNTER.getByName("x").increment(5) == 5

        async def test_client_env_and_worker_are_one_worker(worker, worker_env, worker_client):
            client = await worker_client()
            assert client.worker is worker and client.env is worker_env is worker.env
    """)
    result.assert_outcomes(passed=3)


def test_plugin_each_test_gets_empty_storage(user_project: pytest.Pytester) -> None:
    result = run_tests(user_project, """
        import pytest

        @pytest.mark.parametrize("run", [1, 2])
        async def test_starts_blank(worker_env, worker_persist_dir, run):
            assert await worker_env.COUNTER.getByName("a").increment() == 1
            assert worker_persist_dir.is_dir()
    """)
    result.assert_outcomes(passed=2)


def test_plugin_run_in_durable_object_and_list_ids(user_project: pytest.Pytester) -> None:
    result = run_tests(user_project, """
        from pyworker.testing import list_durable_object_ids, run_in_durable_object

        async def test_inside(worker_env):
            assert list_durable_object_ids(worker_env.COUNTER) == []
            stub = worker_env.COUNTER.getByName("a")
            await stub.increment(3)
            assert await run_in_durable_object(stub, lambda counter, ctx: ctx.storage.get("value")) == 3

            async def check(counter, ctx):
                await ctx.storage.put("value", 10)
                return type(counter).__name__, str(ctx.id)

            assert await run_in_durable_object(stub, check) == ("Counter", str(stub.id))
            assert await stub.increment() == 11
            worker_env.COUNTER.getByName("b")  # a stub alone stores nothing
            assert list_durable_object_ids(worker_env.COUNTER) == [worker_env.COUNTER.idFromName("a")]
    """)
    result.assert_outcomes(passed=1)


def test_plugin_alarms_run_on_the_manual_clock_or_on_demand(user_project: pytest.Pytester) -> None:
    result = run_tests(user_project, """
        from pyworker.testing import ManualClock, run_durable_object_alarm

        async def test_clock(worker_env, worker_clock: ManualClock):
            stub = worker_env.COUNTER.getByName("a")
            await stub.increment(4)
            await stub.reset_after(60_000)
            await worker_clock.advance(59_999)
            assert await stub.increment(0) == 4
            await worker_clock.advance(1)
            assert await stub.increment(0) == 0

        async def test_run_now(worker_env, worker_clock):
            stub = worker_env.COUNTER.getByName("a")
            assert await run_durable_object_alarm(stub) is False
            await stub.increment(2)
            await stub.reset_after(3_600_000)
            assert await run_durable_object_alarm(stub) is True
            assert await stub.increment(0) == 0
            assert await run_durable_object_alarm(stub) is False
            await stub.increment(1)
            await worker_clock.advance(3_600_000)  # the alarm that ran is gone
            assert await stub.increment(0) == 1
    """)
    result.assert_outcomes(passed=2)


def test_plugin_closes_what_it_started_at_teardown(user_project: pytest.Pytester) -> None:
    result = run_tests(user_project, """
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
    result.assert_outcomes(passed=2)


def test_plugin_worker_project_can_be_overridden(user_project: pytest.Pytester) -> None:
    other = user_project.path / "other"
    write_project(other, "other-worker")
    (user_project.path / "tests" / "conftest.py").write_text(textwrap.dedent(f"""
        import pytest
        from pathlib import Path

        @pytest.fixture
        def worker_project():
            return Path({str(other)!r})
    """))
    result = run_tests(user_project, f"""
        async def test_other(worker, worker_client):
            assert worker.loaded.worker_name == "other-worker"
            second = await worker_client({str(user_project.path)!r}, vars={{"GREETING": "hi"}})
            assert second.worker is not worker and second.env.GREETING == "hi"
            assert second.worker.loaded.worker_name == "user-worker"
    """)
    result.assert_outcomes(passed=1)


def test_plugin_without_pytest_asyncio_asks_for_it_and_leaves_pytest_working(user_project: pytest.Pytester) -> None:
    (user_project.path / "tests" / "test_user.py").write_text(textwrap.dedent("""
        def test_plain():
            assert True

        def test_needs_the_worker(worker_env):
            pass
    """))
    # A module that shadows the installed pytest-asyncio and fails to import, as if it were absent.
    (user_project.path / "pytest_asyncio.py").write_text("raise ImportError('pytest-asyncio is not installed')\n")
    result = user_project.run(
        sys.executable, "-m", "pytest", "-p", "no:asyncio", "-p", "no:aiohttp", "-p", "no:cacheprovider", "tests"
    )
    result.stdout.fnmatch_lines([
        "*pyworker's worker_env fixture needs pytest-asyncio: pip install 'pyworker?test?'*",
        "*1 passed*1 error*",
    ])
