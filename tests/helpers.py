"""Test helpers: throwaway projects and a real ``pyworker dev`` subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

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


COUNTER_BINDINGS = """
[vars]
MODE = "from-config"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"""


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()
