"""Hot reload of a real ``pyworker dev``: files are edited on disk while it serves."""

from __future__ import annotations

import os
import threading
import time
import urllib.error
from collections.abc import Callable
from pathlib import Path

import pytest
from watchfiles import Change

from helpers import COUNTER_BINDINGS, get, DevServer, write_project
from pyworker.config import load_config
from pyworker.reload import WatchTargets

ENTRY = """
import asyncio
from workers import DurableObject, WorkerEntrypoint, Response

VERSION = "one"


class Counter(DurableObject):
    async def fetch(self, request):
        value = (await self.ctx.storage.get("n") or 0) + 1
        await self.ctx.storage.put("n", value)
        return Response(f"{VERSION} {value}")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = request.url.split("/", 3)[3]
        if path == "slow":
            print("slow request started", flush=True)
            await asyncio.sleep(1)
            return Response(f"slow {VERSION}")
        if path == "var":
            return Response(self.env.MODE)
        if path == "version":
            return Response(VERSION)
        if path == "count":
            return await self.env.COUNTER.getByName("c").fetch(request)
        return Response("not found", status=404)
"""


def wait_until(check: Callable[[], object], timeout: float = 5.0) -> None:
    """Poll ``check`` every 10 ms until it returns something true."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {check}")
        time.sleep(0.01)


def served(server: DevServer, path: str, body: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return get(server.url + path) == body
        except urllib.error.HTTPError:
            return False

    return check


def logged(server: DevServer, text: str, count: int = 1) -> Callable[[], bool]:
    return lambda: server.output.count(text) >= count


def line_of(path: Path, text: str) -> int:
    """The number of the first line of ``path`` that contains ``text``."""
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return write_project(tmp_path / "app", {"src/entry.py": ENTRY}, COUNTER_BINDINGS)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_reload_serves_new_code(app: Path, run_dev) -> None:
    server = run_dev(app)
    assert get(server.url + "/version") == "one"
    edit(app / "src/entry.py", 'VERSION = "one"', 'VERSION = "two"')
    wait_until(served(server, "/version", "two"))
    wait_until(logged(server, "Reloaded in "))
    assert "[wrangler:info] Reloading: src/entry.py changed" in server.output


def test_reload_sees_editor_style_atomic_saves(app: Path, run_dev) -> None:
    server = run_dev(app)
    for version in ("two", "three"):
        copy = app / "src/.entry.py.tmp1234"
        copy.write_text(ENTRY.replace('"one"', f'"{version}"'))
        os.replace(copy, app / "src/entry.py")
        wait_until(served(server, "/version", version))
    assert server.output.count("Reloading: src/entry.py changed\n") == 2


def test_reload_keeps_object_state(app: Path, run_dev) -> None:
    server = run_dev(app)
    assert [get(server.url + "/count"), get(server.url + "/count")] == ["one 1", "one 2"]
    edit(app / "src/entry.py", 'VERSION = "one"', 'VERSION = "two"')
    wait_until(served(server, "/version", "two"))
    assert get(server.url + "/count") == "two 3"


def test_reload_lets_requests_in_flight_finish_on_old_code(app: Path, run_dev) -> None:
    server = run_dev(app)
    slow: list[str] = []
    request = threading.Thread(target=lambda: slow.append(get(server.url + "/slow")))
    request.start()
    wait_until(logged(server, "slow request started"))
    edit(app / "src/entry.py", 'VERSION = "one"', 'VERSION = "two"')
    wait_until(served(server, "/version", "two"))
    assert not slow, "the reload waited for the request in flight"
    request.join(5)
    assert slow == ["slow one"]


def test_reload_syntax_error_keeps_old_code_until_fixed(app: Path, run_dev) -> None:
    server = run_dev(app)
    entry = app / "src/entry.py"
    good = entry.read_text()
    entry.write_text(good.replace('VERSION = "one"', 'VERSION = "two"\nif True\n    pass'))
    wait_until(logged(server, "SyntaxError"))
    assert get(server.url + "/version") == "one"
    assert f"src/entry.py:{line_of(entry, 'if True')}: SyntaxError" in server.output
    time.sleep(0.2)
    assert server.output.count("SyntaxError") == 1
    assert "Still serving the previous version" in server.output
    entry.write_text(good.replace('VERSION = "one"', 'VERSION = "three"'))
    wait_until(served(server, "/version", "three"))


def test_reload_exception_at_import_keeps_old_code(app: Path, run_dev) -> None:
    server = run_dev(app)
    edit(app / "src/entry.py", 'VERSION = "one"', 'VERSION = "two"\nraise RuntimeError("not today")')
    wait_until(logged(server, "Still serving the previous version"))
    assert "RuntimeError while importing entry.py: not today" in server.output
    assert f"src/entry.py:{line_of(app / 'src/entry.py', 'raise')}: RuntimeError" in server.output
    assert get(server.url + "/version") == "one"


def test_reload_missing_class_for_binding_keeps_old_code(app: Path, run_dev) -> None:
    server = run_dev(app)
    assert get(server.url + "/count") == "one 1"
    edit(app / "src/entry.py", "class Counter(", "class Countr(")
    wait_until(logged(server, "Still serving the previous version"))
    assert "[[durable_objects.bindings]] COUNTER, class \"Counter\": Cannot create binding for class 'Counter' that is not exported" in server.output
    assert '(did you mean "Countr"?)' in server.output
    assert get(server.url + "/count") == "one 2"


NOTES_CLASS = """

class Notes(DurableObject):
    async def fetch(self, request):
        return Response("notes " + self.env.MODE)
"""


def test_reload_config_adds_binding_with_migration(app: Path, run_dev) -> None:
    server = run_dev(app)
    assert get(server.url + "/count") == "one 1"
    entry = app / "src/entry.py"
    entry.write_text(
        entry.read_text().replace('if path == "slow"', 'if path == "notes":\n'
                                  '            return await self.env.NOTES.getByName("n").fetch(request)\n'
                                  '        if path == "slow"')
        + NOTES_CLASS
    )
    config = app / "wrangler.toml"
    config.write_text(
        config.read_text()
        + '\n[[durable_objects.bindings]]\nname = "NOTES"\nclass_name = "Notes"\n'
        + '\n[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["Notes"]\n'
    )
    wait_until(served(server, "/notes", "notes from-config"))
    assert "env.NOTES (Notes)" in server.output
    assert get(server.url + "/count") == "one 2"


def test_reload_invalid_config_keeps_old_config(app: Path, run_dev) -> None:
    server = run_dev(app)
    config = app / "wrangler.toml"
    good = config.read_text()
    config.write_text(good.replace('name = "test-worker"', 'name = "Not Valid"'))
    wait_until(logged(server, "Still serving the previous version"))
    assert "Processing wrangler.toml configuration:" in server.output
    assert 'Expected "name" to be of type string, alphanumeric and lowercase' in server.output
    assert get(server.url + "/var") == "from-config"
    config.write_text(good.replace('MODE = "from-config"', 'MODE = "edited"'))
    wait_until(served(server, "/var", "edited"))


def test_reload_watches_dev_vars(app: Path, run_dev) -> None:
    server = run_dev(app)
    (app / ".dev.vars").write_text("MODE=from-dev-vars\n")
    wait_until(logged(server, "Reloaded in "))
    assert "Reloading: .dev.vars changed" in server.output


def test_reload_follows_main_to_a_new_folder(app: Path, run_dev) -> None:
    server = run_dev(app)
    (app / "lib").mkdir()
    (app / "lib/entry.py").write_text((app / "src/entry.py").read_text().replace('"one"', '"moved"'))
    edit(app / "wrangler.toml", 'main = "src/entry.py"', 'main = "lib/entry.py"')
    wait_until(served(server, "/version", "moved"))
    edit(app / "lib/entry.py", '"moved"', '"edited"')
    wait_until(served(server, "/version", "edited"))


def test_reload_burst_of_saves_is_one_reload(app: Path, run_dev) -> None:
    server = run_dev(app)
    entry = app / "src/entry.py"
    text = entry.read_text()
    for n in range(5):
        entry.write_text(text.replace('VERSION = "one"', f'VERSION = "burst{n}"'))
    wait_until(served(server, "/version", "burst4"))
    time.sleep(0.2)
    assert server.output.count("Reloading:") == 1


def test_dev_no_reload_ignores_edits(app: Path, run_dev) -> None:
    server = run_dev(app, "--no-reload")
    edit(app / "src/entry.py", 'VERSION = "one"', 'VERSION = "two"')
    time.sleep(0.3)
    assert get(server.url + "/version") == "one"
    assert "Reloading" not in server.output


def test_watch_targets_are_main_folders_config_dev_vars_dot_env_and_migrations(app: Path) -> None:
    for folder in ("src/pkg", "src/__pycache__", ".wrangler/state", ".venv/lib"):
        (app / folder).mkdir(parents=True)
    targets = WatchTargets.of(load_config(app))
    assert targets.directories == {app, app / "src", app / "src/pkg"}
    counted_files = (
        "src/pkg/mod.py", "src/data.json", "wrangler.toml", ".dev.vars", ".env", ".env.local", "migrations",
        "migrations/1.sql",
    )
    for counted in counted_files:
        assert targets(Change.modified, str(app / counted)), counted
    for ignored in (
        "src/__pycache__/entry.cpython-311.pyc",
        "src/.entry.py.swp",
        "src/entry.py~",
        "src/4913",
        "src/.#entry.py",
        "src/#entry.py#",
        "notes.txt",
        ".wrangler/state/v3/do/x.sqlite",
    ):
        assert not targets(Change.modified, str(app / ignored)), ignored
