"""pyworker's pytest plugin (the ``pytest11`` entry point ``pyworker``): test a worker in-process.

Fixtures, all per test:

* ``worker_project`` — the project under test: the folder of the nearest ``wrangler.toml``
  (``.json``/``.jsonc``) from the test file up. Override it in a ``conftest.py`` to test another.
* ``worker_persist_dir`` — an empty state folder (``--persist-to``), so every test starts blank.
* ``worker_clock`` — the ``ManualClock`` alarms and eviction run on: ``await worker_clock.advance(ms)``.
* ``worker_factory`` — ``await worker_factory(project=None, ...)`` loads a ``Worker``; each one is
  closed (its writes committed, its files closed) at teardown.
* ``worker`` — this test's ``Worker`` of ``worker_project``; ``worker_env`` — its ``env``.
* ``worker_client`` — ``await worker_client()`` gives an aiohttp test client on ``worker``
  (``await worker_client(path)`` on another project); clients are closed at teardown.

The fixtures need ``pytest-asyncio`` (``pip install 'pyworker[test]'``); without it the plugin
stays installed but asks for it when one of its fixtures is used.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import pytest
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application, Request

from pyworker.runtime.clock import ManualClock

if TYPE_CHECKING:
    from pyworker.runtime.env import Env
    from pyworker.runtime.worker import Worker

try:
    import pytest_asyncio
except ImportError:  # pyworker without its [test] extra
    pytest_asyncio = None

__all__ = ["WorkerClient", "WorkerClientFactory", "WorkerFactory"]

_F = TypeVar("_F", bound=Callable[..., Any])


class WorkerClient(TestClient[Request, Application]):
    """An aiohttp test client on a worker: ``await client.get("/path")``; ``client.worker`` is the
    ``Worker`` it serves and ``client.env`` that worker's bindings."""

    worker: Worker

    @property
    def env(self) -> Env:
        """The bindings of the served worker."""
        return self.worker.env


class WorkerClientFactory(Protocol):
    """``worker_client``: a test client on this test's ``worker``, or on a new worker of ``project``
    (``environment``, ``vars``, ``persist_to`` and ``clock`` as for ``WorkerFactory``)."""

    async def __call__(self, project: Path | str | None = None, **options: Any) -> WorkerClient: ...


def _async_fixture(func: _F) -> _F:
    """``pytest_asyncio.fixture``, or a fixture that says pytest-asyncio is missing."""
    if pytest_asyncio is not None:
        return pytest_asyncio.fixture(func)  # type: ignore[no-any-return]

    def missing() -> None:
        pytest.fail(f"pyworker's {func.__name__} fixture needs pytest-asyncio: pip install 'pyworker[test]'")

    missing.__name__ = func.__name__
    return pytest.fixture(missing)  # type: ignore[return-value]


@pytest.fixture
def worker_project(request: pytest.FixtureRequest) -> Path:
    """The folder of the nearest wrangler config from the test file up (else pytest's rootdir)."""
    from pyworker.config.loader import find_config_file

    found = find_config_file(request.path.parent)
    return found.parent if found is not None else request.config.rootpath


@pytest.fixture
def worker_persist_dir(tmp_path: Path) -> Path:
    """An empty folder for this test's local state."""
    return tmp_path / "state"


@pytest.fixture
def worker_clock() -> ManualClock:
    """The clock of this test's workers, at the current time and moved only by ``advance``."""
    return ManualClock(start_ms=round(time.time() * 1000))


class WorkerFactory:
    """``worker_factory``: ``await worker_factory(project=None, ...)`` loads a project's worker
    (default: ``worker_project``) on the test's state folder and clock; each is closed at teardown."""

    def __init__(self, project: Path, persist_dir: Path, clock: ManualClock) -> None:
        self._project = project
        self._persist_dir = persist_dir
        self._clock = clock
        self._default: Worker | None = None
        self.started: list[Worker] = []

    async def __call__(
        self,
        project: Path | str | None = None,
        *,
        environment: str | None = None,
        vars: Mapping[str, str] | None = None,
        persist_to: Path | None = None,
        clock: ManualClock | None = None,
    ) -> Worker:
        """Load ``project``'s worker with ``--env environment`` and ``--var``s, on ``persist_to``
        (default: ``worker_persist_dir``) and ``clock`` (default: ``worker_clock``)."""
        from pyworker.config import load_config
        from pyworker.dev_config import DevConfig
        from pyworker.runtime.worker import Worker

        root = Path(project) if project is not None else self._project
        dev = DevConfig(cwd=root, persist_to=persist_to or self._persist_dir, env=environment, vars=dict(vars or {}))
        worker = Worker(load_config(root, env=environment), dev, clock=clock or self._clock)
        self.started.append(worker)
        return worker

    async def default(self) -> Worker:
        """This test's worker of ``worker_project`` (loaded on first use)."""
        if self._default is None:
            self._default = await self()
        return self._default


@_async_fixture
async def worker_factory(worker_project: Path, worker_persist_dir: Path, worker_clock: ManualClock) -> AsyncIterator[WorkerFactory]:
    """Factory to load workers: ``await worker_factory(project=None, environment=, vars=, persist_to=, clock=)``."""
    workers = WorkerFactory(worker_project, worker_persist_dir, worker_clock)
    yield workers
    while workers.started:
        workers.started.pop().close()


@_async_fixture
async def worker(worker_factory: WorkerFactory) -> Worker:
    """This test's worker of ``worker_project``."""
    return await worker_factory.default()


@_async_fixture
async def worker_env(worker: Worker) -> Env:
    """The bindings of ``worker``: ``worker_env.COUNTER``, ``worker_env.MY_VAR``, ..."""
    return worker.env


@_async_fixture
async def worker_client(worker_factory: WorkerFactory) -> AsyncIterator[WorkerClientFactory]:
    """Factory to create test clients: ``await worker_client()`` on ``worker``,
    ``await worker_client(project, **worker_factory_options)`` on a new worker."""
    from pyworker.server.app import create_app

    clients: list[WorkerClient] = []

    async def start(project: Path | str | None = None, **options: Any) -> WorkerClient:
        served = await worker_factory(project, **options) if project is not None or options else await worker_factory.default()
        client = WorkerClient(TestServer(create_app(served)))
        client.worker = served
        await client.start_server()
        clients.append(client)
        return client

    yield start
    while clients:
        await clients.pop().close()
