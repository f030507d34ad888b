"""``pyworker`` as a user runs it: a real subprocess, its exit code and what it prints."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import COUNTER_BINDINGS, get, write_project

COUNTER_ENTRY = """
from workers import DurableObject, WorkerEntrypoint, Response


class Counter(DurableObject):
    async def fetch(self, request):
        value = (await self.ctx.storage.get("n") or 0) + 1
        await self.ctx.storage.put("n", value)
        return Response(str(value))


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        if request.url.endswith("/var"):
            return Response(self.env.MODE)
        return await self.env.COUNTER.getByName("c").fetch(request)
"""



def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyworker", *args], cwd=cwd, capture_output=True, text=True, timeout=30
    )


@pytest.fixture
def counter_project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "app", {"src/entry.py": COUNTER_ENTRY}, COUNTER_BINDINGS)


def test_cli_dev_prints_bindings_and_ready_line(counter_project: Path, run_dev) -> None:
    server = run_dev(counter_project)
    assert "env.COUNTER (Counter)" in server.output
    assert "Durable Object" in server.output
    assert f"[wrangler:info] Ready on http://127.0.0.1:{server.port}" in server.output


def test_cli_dev_logs_each_request(counter_project: Path, run_dev) -> None:
    server = run_dev(counter_project)
    get(server.url + "/hit")
    server.stop()
    assert "[wrangler:info] GET /hit 200 OK (" in server.output


def test_cli_dev_storage_survives_restart(counter_project: Path, run_dev) -> None:
    first = run_dev(counter_project)
    assert [get(first.url), get(first.url)] == ["1", "2"]
    assert first.stop() == 0
    second = run_dev(counter_project)
    assert get(second.url) == "3"


def test_cli_dev_state_goes_to_dot_wrangler(counter_project: Path, run_dev) -> None:
    server = run_dev(counter_project)
    get(server.url)
    files = list((counter_project / ".wrangler/state/v3/do/test-worker-Counter").glob("*.sqlite"))
    assert len(files) == 1 and len(files[0].stem) == 64


def test_cli_dev_persist_to_moves_state(counter_project: Path, run_dev, tmp_path: Path) -> None:
    server = run_dev(counter_project, "--persist-to", str(tmp_path / "elsewhere"))
    get(server.url)
    assert list((tmp_path / "elsewhere/v3/do/test-worker-Counter").glob("*.sqlite"))
    assert not (counter_project / ".wrangler").exists()


def test_cli_dev_ctrl_c_exits_cleanly(counter_project: Path, run_dev) -> None:
    server = run_dev(counter_project)
    get(server.url)
    assert server.stop(signal.SIGINT) == 0
    assert "Traceback" not in server.output


def test_cli_dev_sigterm_exits_cleanly(counter_project: Path, run_dev) -> None:
    server = run_dev(counter_project)
    assert server.stop(signal.SIGTERM) == 0


def test_cli_dev_var_overrides_config(counter_project: Path, run_dev) -> None:
    server = run_dev(counter_project, "--var", "MODE:from-flag")
    assert get(server.url + "/var") == "from-flag"


def test_cli_dev_binds_loopback_only_by_default(counter_project: Path, run_dev) -> None:
    server = run_dev(counter_project)
    assert "Ready on http://127.0.0.1:" in server.output


def test_cli_dev_port_in_use_is_a_clear_error(counter_project: Path, run_dev) -> None:
    first = run_dev(counter_project)
    result = run_cli(counter_project, "dev", "--port", str(first.port))
    assert result.returncode == 1
    assert f"Could not listen on 127.0.0.1:{first.port}" in result.stderr
    assert "--port" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--port", "70000"], "--port 70000: expected a port number from 0 to 65535."),
        (["--evict-after", "-1"], "--evict-after -1: expected 0 (never) or more seconds."),
    ],
)
def test_cli_dev_out_of_range_flag_is_a_clear_error(counter_project: Path, flags: list[str], message: str) -> None:
    result = run_cli(counter_project, "dev", *flags)
    assert result.returncode == 1
    assert f"✘ [ERROR] {message}" in result.stderr and "Traceback" not in result.stderr


def test_cli_dev_invalid_config_exits_1_with_diagnostics(tmp_path: Path) -> None:
    root = write_project(tmp_path, {
        "wrangler.toml": 'name = "Bad Name"\nmain = "src/entry.py"\ncompatibility_date = "2025-11-01"\n',
        "src/entry.py": COUNTER_ENTRY,
    })
    result = run_cli(root, "dev")
    assert result.returncode == 1
    assert "wrangler.toml" in result.stderr
    assert 'Expected "name" to be of type string, alphanumeric and lowercase with dashes only but got "Bad Name".' in result.stderr
    assert "The `python_workers` compatibility flag is required to use Python." in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_dev_without_config_exits_1(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "dev")
    assert result.returncode == 1
    assert "wrangler" in result.stderr and "Traceback" not in result.stderr


def test_cli_dev_missing_class_names_binding_and_suggestion(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {"src/entry.py": COUNTER_ENTRY},
        COUNTER_BINDINGS.replace('class_name = "Counter"', 'class_name = "Countr"').replace(
            '["Counter"]', '["Countr"]'
        ),
    )
    result = run_cli(root, "dev")
    assert result.returncode == 1
    assert "wrangler.toml:" in result.stderr
    assert "[[durable_objects.bindings]] COUNTER, class \"Countr\": Cannot create binding for class 'Countr' that is not exported" in result.stderr
    assert '(did you mean "Counter"?)' in result.stderr


def test_cli_dev_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"src/entry.py": "x = 1\ndef broken(:\n"})
    result = run_cli(root, "dev")
    assert result.returncode == 1
    assert "entry.py:2: SyntaxError" in result.stderr and "Traceback" not in result.stderr


def test_cli_dev_import_error_shows_user_traceback(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"src/entry.py": "import helper\n", "src/helper.py": "raise RuntimeError('bad')\n"})
    result = run_cli(root, "dev")
    assert result.returncode == 1
    assert "helper.py:1: RuntimeError while importing entry.py: bad" in result.stderr


def test_cli_dev_bad_var_flag_is_usage_error(counter_project: Path) -> None:
    result = run_cli(counter_project, "dev", "--var", "NOCOLON")
    assert result.returncode == 2
    assert "expected KEY:VALUE" in result.stderr


def test_cli_without_command_shows_usage(tmp_path: Path) -> None:
    result = run_cli(tmp_path)
    assert result.returncode == 2 and "usage: pyworker" in result.stderr


ALARM_ENTRY = """
import time
from workers import DurableObject, WorkerEntrypoint, Response


class Timer(DurableObject):
    async def fetch(self, request):
        if request.url.endswith("/arm"):
            await self.ctx.storage.setAlarm(time.time() * 1000 + 300)
            return Response("armed")
        return Response(str(await self.ctx.storage.get("fired")))

    async def alarm(self):
        await self.ctx.storage.put("fired", True)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await self.env.TIMER.getByName("t").fetch(request)
"""

ALARM_BINDINGS = """
[[durable_objects.bindings]]
name = "TIMER"
class_name = "Timer"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Timer"]
"""


def test_cli_dev_overdue_alarm_fires_after_restart(tmp_path: Path, run_dev) -> None:
    root = write_project(tmp_path / "alarm", {"src/entry.py": ALARM_ENTRY}, ALARM_BINDINGS)
    first = run_dev(root, "--no-reload")
    assert get(first.url + "/arm") == "armed"
    first.stop(signal.SIGKILL)  # dies before the alarm is due
    time.sleep(0.4)
    second = run_dev(root, "--no-reload")
    deadline = time.monotonic() + 5
    while get(second.url + "/check") != "True" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert get(second.url + "/check") == "True"


def test_cli_dev_applies_a_rename_migration_and_keeps_the_data(counter_project: Path, run_dev) -> None:
    first = run_dev(counter_project, "--no-reload")
    assert [get(first.url), get(first.url)] == ["1", "2"]
    first.stop()
    entry = counter_project / "src/entry.py"
    entry.write_text(entry.read_text().replace("class Counter(", "class Tally("))
    config = counter_project / "wrangler.toml"
    config.write_text(
        config.read_text().replace('class_name = "Counter"', 'class_name = "Tally"')
        + '\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Counter", to = "Tally" }]\n'
    )
    second = run_dev(counter_project, "--no-reload")
    assert "Applied migration v2: renamed Counter → Tally" in second.output
    assert get(second.url) == "3"


def test_cli_dev_refuses_an_edited_applied_migration(counter_project: Path, run_dev) -> None:
    run_dev(counter_project, "--no-reload").stop()
    config = counter_project / "wrangler.toml"
    config.write_text(config.read_text().replace('new_sqlite_classes = ["Counter"]', 'new_classes = ["Counter"]'))
    result = run_cli(counter_project, "dev", "--no-reload")
    assert result.returncode == 1
    assert 'tag "v1"' in result.stderr and "Traceback" not in result.stderr
