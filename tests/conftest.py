"""Shared fixtures: throwaway projects, an in-process worker client, and a real ``pyworker dev``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

WRANGLER_TOML = """\
name = "test-worker"
main = "src/entry.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]
{extra}
"""


def write_project(root: Path, files: dict[str, str], wrangler_extra: str = "") -> Path:
    """Write a project: ``wrangler.toml`` (unless given in ``files``) and the given files, dedented."""
    root.mkdir(parents=True, exist_ok=True)
    if "wrangler.toml" not in files:
        (root / "wrangler.toml").write_text(WRANGLER_TOML.format(extra=textwrap.dedent(wrangler_extra)))
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content))
    return root


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

    async def start(root: Path, persist_to: Path | None = None):  # type: ignore[no-untyped-def]
        dev = DevConfig(cwd=root, persist_to=persist_to or tmp_path / "state")
        worker = Worker(load_config(root), dev)
        workers.append(worker)
        client = await aiohttp_client(create_app(worker))
        client.worker = worker
        return client

    yield start
    for worker in workers:
        worker.close()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DevServer:
    """A ``pyworker dev`` subprocess; ``output`` holds what it printed so far."""

    def __init__(self, cwd: Path, args: list[str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = cwd / f".dev-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pyworker", "dev", "--port", str(self.port), *args],
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Ready on" in self.output:
                return
            if self.process.poll() is not None:
                raise AssertionError(f"pyworker dev exited with {self.process.returncode}:\n{self.output}")
            time.sleep(0.05)
        raise AssertionError(f"pyworker dev not ready after {timeout}s:\n{self.output}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


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
