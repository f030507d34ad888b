"""Run the reference JavaScript worker (``bench/reference/``) under the real ``wrangler dev``, offline.

``WranglerProcess`` mirrors :class:`bench._server.PyworkerProcess`: it copies the reference project
(``wrangler.toml`` + ``src/``, with ``node_modules`` symlinked) to a temporary folder, seeds
miniflare's ``cf.json`` cache there, starts ``node_modules/.bin/wrangler dev --port <free> --ip
127.0.0.1 --persist-to <tempdir>`` in a session (and process group) of its own, waits for ``Ready
on``, and stops the whole process group at the end (SIGINT, SIGKILL after the timeout).

Wrangler is installed with ``npm ci`` from ``bench/reference/package-lock.json`` (wrangler pinned
exactly) by :func:`ensure_installed`; nothing else here needs the network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from bench._server import ServerProcess, session_members

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
WRANGLER_BIN = REFERENCE_DIR / "node_modules" / ".bin" / "wrangler"
CF_JSON = REFERENCE_DIR / "cf.json"
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0
# Without these wrangler reaches the network at start and exit (telemetry, error reports).
OFFLINE_ENV = {"WRANGLER_SEND_METRICS": "false", "WRANGLER_SEND_ERROR_REPORTS": "false"}


class WranglerUnavailable(RuntimeError):
    """node/npm or the pinned wrangler is not installed and could not be installed."""


def wrangler_version() -> str | None:
    """The installed wrangler version (from its package.json), or None."""
    import json

    try:
        return json.loads((REFERENCE_DIR / "node_modules/wrangler/package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_installed(install: bool = True) -> str:
    """Make sure the pinned wrangler is in ``bench/reference/node_modules``; return its version.

    With ``install`` runs ``npm ci`` (exact versions of package-lock.json) when it is missing.
    """
    if not WRANGLER_BIN.exists():
        if not install:
            raise WranglerUnavailable(f"{WRANGLER_BIN} is missing: run `npm ci` in {REFERENCE_DIR}")
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise WranglerUnavailable("node and npm are needed to install wrangler (bench/reference)")
        proc = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=REFERENCE_DIR,
                              capture_output=True, text=True, check=False)  # fmt: skip
        if proc.returncode != 0 or not WRANGLER_BIN.exists():
            raise WranglerUnavailable(f"npm ci failed in {REFERENCE_DIR}:\n{proc.stdout}\n{proc.stderr}")
    version = wrangler_version()
    if version is None:
        raise WranglerUnavailable(f"cannot read the wrangler version under {REFERENCE_DIR}/node_modules")
    return version


def seed_cf_json(project: Path) -> None:
    """Write miniflare's ``request.cf`` cache, so it does not download it (offline) at start.

    Miniflare reuses ``<project>/node_modules/.mf/cf.json`` when it is less than 30 days old;
    ``project/node_modules`` may be a symlink to the reference one.
    """
    target = project / "node_modules" / ".mf" / "cf.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CF_JSON, target)
    os.utime(target)


def copy_reference(target: Path) -> Path:
    """Copy the reference project's ``wrangler.toml`` and ``src/`` into ``target``; symlink node_modules."""
    shutil.copy2(REFERENCE_DIR / "wrangler.toml", target / "wrangler.toml")
    shutil.copytree(REFERENCE_DIR / "src", target / "src")
    (target / "node_modules").symlink_to(REFERENCE_DIR / "node_modules", target_is_directory=True)
    seed_cf_json(target)
    return target


def wrangler_command(port: int, state_dir: Path) -> list[str]:
    """``wrangler dev`` on 127.0.0.1:``port`` with its state in ``state_dir``."""
    return [str(WRANGLER_BIN), "dev", "--port", str(port), "--ip", "127.0.0.1", "--persist-to", str(state_dir)]


def wrangler_env() -> dict[str, str]:
    """The environment wrangler runs with here (offline switches set)."""
    return dict(os.environ, **OFFLINE_ENV)


def stop_group(proc: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT_S) -> bool:
    """SIGINT the process group led by ``proc`` (started with ``start_new_session``); SIGKILL what is
    left of that session after ``timeout`` seconds. Returns True if SIGKILL was needed."""
    killed = False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        proc.poll()
        if not session_members(proc.pid):
            break
        time.sleep(0.05)
    else:
        killed = True
        for pid in session_members(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout)
    return killed


class WranglerProcess(ServerProcess):
    """``wrangler dev`` serving a temporary copy of ``bench/reference`` (context manager).

    ``url``, ``pid`` (the session leader: node), ``project`` (the copy; its ``src/index.js`` can be
    edited for hot reload) and ``output()`` are available while it runs.
    """

    label = "wrangler"

    def __init__(self, *, ready_timeout: float = READY_TIMEOUT_S, stop_timeout: float = STOP_TIMEOUT_S,
                 extra_args: Sequence[str] = ()) -> None:  # fmt: skip
        super().__init__(ready_timeout=ready_timeout, stop_timeout=stop_timeout)
        self.project = self.cwd = self.tmp / "project"
        self.project.mkdir()
        self.command = [*wrangler_command(self.port, self.tmp / "state"), *extra_args]

    def start(self) -> None:
        """Start wrangler dev and block until it prints ``Ready on``; raise ServerStartError otherwise."""
        ensure_installed(install=False)
        copy_reference(self.project)
        self._launch(wrangler_env())

    def stop(self) -> int | None:
        """Stop the whole process group (node, esbuild, workerd); return node's exit code."""
        if self._proc is None:
            return None
        if self._proc.poll() is None or session_members(self._proc.pid):
            self.killed = stop_group(self._proc, self.stop_timeout)
        self.returncode = self._proc.returncode
        return self.returncode


