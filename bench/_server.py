"""Start and stop a ``pyworker dev`` subprocess for benchmarks, and measure its memory.

The server's output goes to a temporary file rather than a pipe, so the benchmark
process does not have to spend CPU draining it while it is also the load client.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Self, Sequence, TypeVar

READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


T = TypeVar("T")


class ServerStartError(RuntimeError):
    """The server exited or did not print its ``Ready on`` line in time."""


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free on ``host`` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class ServerProcess:
    """A dev server in a subprocess of its own session, on a free port, with a temporary folder.

    Use it as a context manager: entering starts the server and waits for ``Ready on <url>``;
    leaving stops it and deletes the folder. ``url``, ``pid`` and ``output()`` are available while it
    runs. Subclasses set ``command`` and ``cwd`` and implement ``start()`` and ``stop()``.
    """

    label = "server"

    def __init__(self, *, ready_timeout: float, stop_timeout: float) -> None:
        self.ready_timeout = ready_timeout
        self.stop_timeout = stop_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.returncode: int | None = None
        self.killed = False
        self._tmp = tempfile.TemporaryDirectory(prefix=f"{self.label}-bench-")
        self.tmp = Path(self._tmp.name)
        self._log_path = self.tmp / f"{self.label}.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self.command: list[str] = []
        self.cwd = self.tmp

    @property
    def pid(self) -> int:
        """Process id of the server (the root of its process tree, leader of its session)."""
        assert self._proc is not None, "server not started"
        return self._proc.pid

    def output(self) -> str:
        """Everything the server has written to stdout and stderr so far, without colours."""
        try:
            return _ANSI.sub("", self._log_path.read_text(errors="replace"))
        except FileNotFoundError:
            return ""

    def _launch(self, env: dict[str, str]) -> None:
        """Start ``command`` and block until it reports ready; raise ServerStartError otherwise."""
        with open(self._log_path, "wb") as log:
            # New session: a Ctrl-C in the terminal reaches only the benchmark,
            # which then stops the server itself in stop().
            self._proc = subprocess.Popen(
                self.command, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        ready = f"Ready on {self.url}"
        deadline = time.monotonic() + self.ready_timeout
        while ready not in self.output():
            code = self._proc.poll()
            if code is not None:
                self.returncode = code
                raise ServerStartError(self._failure(f"{self.label} exited with code {code}"))
            if time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(self._failure(f"no {ready!r} within {self.ready_timeout:g} s"))
            time.sleep(0.05)

    def stop(self) -> int | None:
        """Stop the server; return its exit code, or None if it never started."""
        raise NotImplementedError

    def close(self) -> None:
        """Stop the server if needed and delete its temporary directory."""
        self.stop()
        self._tmp.cleanup()

    def _failure(self, reason: str) -> str:
        out = self.output().rstrip() or "(no output)"
        return f"{reason}\ncommand: {' '.join(self.command)}\ncwd: {self.cwd}\n--- {self.label} output ---\n{out}"

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the server and block until it reports ready."""
        raise NotImplementedError


class PyworkerProcess(ServerProcess):
    """A ``python -m pyworker dev`` subprocess on a free port with a throwaway ``--persist-to``."""

    def __init__(
        self,
        cwd: str | os.PathLike[str],
        extra_args: Sequence[str] = (),
        *,
        ready_timeout: float = READY_TIMEOUT_S,
        stop_timeout: float = STOP_TIMEOUT_S,
    ) -> None:
        super().__init__(ready_timeout=ready_timeout, stop_timeout=stop_timeout)
        self.cwd = Path(cwd)
        self.extra_args = list(extra_args)
        state_dir = self.tmp / "state"
        state_dir.mkdir()
        self.command = [
            sys.executable, "-m", "pyworker", "dev",
            "--port", str(self.port),
            "--ip", "127.0.0.1",
            "--persist-to", str(state_dir),
            *self.extra_args,
        ]  # fmt: skip

    def start(self) -> None:
        """Start the server and block until it reports ready; raise ServerStartError otherwise."""
        self._launch(dict(os.environ, PYTHONUNBUFFERED="1"))

    def stop(self) -> int | None:
        """Stop the server: SIGINT, then SIGKILL to its process group after ``stop_timeout``.

        Returns the exit code (negative for a signal), or None if it never started.
        """
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.killed = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.returncode = proc.returncode
        return self.returncode


@contextlib.contextmanager
def running_pyworker(
    cwd: str | os.PathLike[str], extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """Run ``pyworker dev`` in ``cwd`` for the duration of the block and yield its base URL.

    Use :class:`PyworkerProcess` directly when you also need the pid (e.g. for RSS).
    """
    with PyworkerProcess(cwd, extra_args) as server:
        yield server.url


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that are alive now (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # Fields after the ")" that closes the command name: state, ppid, ...
        ppid = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, ()))
    return tree


def rss_kib(pid: int) -> int | None:
    """Sum of ``VmRSS`` (KiB) over ``pid``'s process tree; None if unavailable.

    Shared pages are counted once per process, so for a multi-process server this
    over-estimates unique memory.
    """
    if not Path(f"/proc/{pid}/status").exists():
        return None
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total


def session_members(sid: int) -> list[int]:
    """Pids of the live processes whose session id is ``sid`` (Linux ``/proc``)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # After the ")" that closes the command name: state, ppid, pgrp, session, ...
        if int(stat.rpartition(")")[2].split()[3]) == sid:
            members.append(int(entry))
    return members


def rss_breakdown(pid: int) -> dict[str, Any] | None:
    """``VmRSS`` (KiB) of ``pid``'s process tree plus every process of its session, summed and per process.

    A server started with ``start_new_session=True`` (``setsid``) is its session's leader, so this
    counts all it spawned (node, esbuild, workerd, ...) even if a child was re-parented. Returns
    ``{"total_kib", "processes": [{"pid", "name", "rss_kib"}]}``, or None if ``pid`` is gone.
    """
    if not Path(f"/proc/{pid}/status").exists():
        return None
    processes = []
    for p in sorted(set(process_tree(pid)) | set(session_members(pid))):
        name, rss = None, None
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("Name:"):
                    name = line.split(None, 1)[1] if len(line.split()) > 1 else ""
                elif line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                    break
        except OSError:
            continue
        if rss is not None:  # kernel threads and zombies have no VmRSS
            processes.append({"pid": p, "name": name, "rss_kib": rss})
    return {"total_kib": sum(p["rss_kib"] for p in processes), "processes": processes}


def measure_server(
    url: str | None, server_pid: int | None, cwd: Path, measure: Callable[[str, int | None], T]
) -> tuple[T, dict[str, Any]]:
    """Run ``measure(url, pid)`` against ``url`` (a server already running), or against a
    ``pyworker dev`` started in ``cwd`` for the purpose; also return what is known of the server
    (its RSS before and after, and how it was run).

    Raises:
        ServerStartError: the server started here did not become ready.
    """

    def with_rss(target: str, pid: int | None) -> tuple[T, dict[str, Any]]:
        before = rss_kib(pid) if pid else None
        result = measure(target, pid)
        after = rss_kib(pid) if pid else None
        return result, {"url": target, "pid": pid, "rss_kib_before": before, "rss_kib_after": after}

    if url:
        result, server = with_rss(url.rstrip("/"), server_pid)
        server["managed"] = False
        return result, server
    with PyworkerProcess(cwd) as proc:
        result, server = with_rss(proc.url, proc.pid)
    server |= {"managed": True, "command": proc.command[1:], "exit_code": proc.returncode, "sigkilled": proc.killed}
    return result, server
