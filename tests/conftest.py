"""Shared fixtures: throwaway projects, an in-process worker client, and a real ``pyworker dev``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import DevServer, write_project


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """``project({"src/entry.py": "..."}, wrangler_extra="...")`` → the project folder."""

    def make(files: dict[str, str], wrangler_extra: str = "") -> Path:
        return write_project(tmp_path / "project", files, wrangler_extra)

    return make


@pytest.fixture
def worker_client(aiohttp_client, tmp_path):  # type: ignore[no-untyped-def]
    """``await worker_client(project_dir)`` → an aiohttp test client on that project's worker."""
    from pyworker.config import load_config
    from pyworker.dev_config import DevConfig
    from pyworker.runtime.worker import Worker
    from pyworker.server.app import create_app

    workers: list[Worker] = []

    async def start(root: Path, persist_to: Path | None = None, clock=None, **dev_options):  # type: ignore[no-untyped-def]
        dev = DevConfig(cwd=root, persist_to=persist_to or tmp_path / "state", **dev_options)
        worker = Worker(load_config(root, env=dev.env), dev, clock=clock)
        workers.append(worker)
        client = await aiohttp_client(create_app(worker))
        client.worker = worker
        return client

    yield start
    for worker in workers:
        worker.close()


@pytest.fixture
def run_dev() -> Iterator[Callable[..., DevServer]]:
    """``run_dev(cwd, *args)`` starts ``pyworker dev`` and waits for ``Ready on``; stopped at teardown."""
    servers: list[DevServer] = []

    def start(cwd: Path, *args: str, wait: bool = True) -> DevServer:
        server = DevServer(cwd, list(args))
        servers.append(server)
        if wait:
            server.wait_ready()
        return server

    yield start
    for server in servers:
        server.stop()
