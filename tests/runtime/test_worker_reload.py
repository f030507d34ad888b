"""``Worker.reload``: a new version of the code and config, swapped in while objects keep their state."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pyworker.config import load_config
from pyworker.errors import PyworkerError, WorkerImportError

ENTRY = """
import asyncio
from workers import DurableObject, WorkerEntrypoint, Response

VERSION = "one"


class Counter(DurableObject):
    async def increment(self):
        value = (await self.ctx.storage.get("n") or 0) + 1
        await self.ctx.storage.put("n", value)
        return f"{VERSION} {value}"


class Notes(DurableObject):
    async def version(self):
        return VERSION

    async def slow_version(self):
        await asyncio.sleep(0.1)
        return VERSION


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response(VERSION)
"""

BINDINGS = """
[vars]
MODE = "config"

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[durable_objects.bindings]]
name = "NOTES"
class_name = "Notes"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter", "Notes"]
"""


@pytest.fixture
async def app(project, worker_client):  # type: ignore[no-untyped-def]
    root = project({"src/entry.py": ENTRY}, BINDINGS)
    client = await worker_client(root)
    client.root = root
    return client


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


async def test_worker_reload_serves_new_code(app) -> None:
    edit(app.root / "src/entry.py", '"one"', '"two"')
    app.worker.reload()
    assert await (await app.get("/")).text() == "two"


async def test_worker_reload_keeps_object_state_and_constructs_from_new_code(app) -> None:
    counter = app.worker.env.COUNTER.getByName("c")
    assert await counter.increment() == "one 1"
    edit(app.root / "src/entry.py", '"one"', '"two"')
    app.worker.reload()
    assert await counter.increment() == "two 2"
    assert await app.worker.env.COUNTER.getByName("c").increment() == "two 3"


async def test_worker_reload_lets_object_events_in_flight_finish_on_old_code(app) -> None:
    notes = app.worker.env.NOTES.getByName("n")
    in_flight = asyncio.ensure_future(notes.slow_version())
    await asyncio.sleep(0.01)
    edit(app.root / "src/entry.py", '"one"', '"two"')
    app.worker.reload()
    assert await notes.version() == "two"
    assert await in_flight == "one"


async def test_worker_reload_keeps_namespaces_of_unchanged_bindings(app) -> None:
    before = app.worker.env
    edit(app.root / "wrangler.toml", 'MODE = "config"', 'MODE = "edited"')
    app.worker.reload(load_config(app.root))
    assert app.worker.env is not before
    assert app.worker.env.MODE == "edited"
    assert app.worker.env.COUNTER is before.COUNTER
    assert app.worker.env.NOTES is before.NOTES


async def test_worker_reload_failing_import_keeps_serving_version(app) -> None:
    env = app.worker.env
    edit(app.root / "src/entry.py", 'VERSION = "one"', 'VERSION = "two"\nraise ValueError("nope")')
    with pytest.raises(WorkerImportError, match="ValueError while importing entry.py: nope"):
        app.worker.reload()
    assert app.worker.env is env
    assert await (await app.get("/")).text() == "one"


async def test_worker_reload_missing_class_changes_no_object(app) -> None:
    counter = app.worker.env.COUNTER.getByName("c")
    await counter.increment()
    objects = app.worker.env.COUNTER._objects
    instance = objects.hosts[counter.id.toString()].instance
    edit(app.root / "src/entry.py", "class Notes(", "class Note(")
    with pytest.raises(PyworkerError, match="Cannot create binding for class 'Notes' that is not exported"):
        app.worker.reload()
    assert objects.hosts[counter.id.toString()].instance is instance
    assert await counter.increment() == "one 2"


async def test_worker_reload_removed_binding_closes_its_objects(app) -> None:
    notes = app.worker.env.NOTES
    assert await notes.getByName("n").version() == "one"
    objects = notes._objects
    edit(app.root / "wrangler.toml", '[[durable_objects.bindings]]\nname = "NOTES"\nclass_name = "Notes"\n', "")
    app.worker.reload(load_config(app.root))
    assert "NOTES" not in app.worker.env
    assert objects.hosts == {}
    assert await app.worker.env.COUNTER.getByName("c").increment() == "one 1"


async def test_worker_reload_new_name_builds_every_binding_anew(app, tmp_path: Path) -> None:
    counter = app.worker.env.COUNTER
    assert await counter.getByName("c").increment() == "one 1"
    edit(app.root / "wrangler.toml", 'name = "test-worker"', 'name = "renamed"')
    app.worker.reload(load_config(app.root))
    assert app.worker.env.COUNTER is not counter
    assert counter._objects.hosts == {}
    assert await app.worker.env.COUNTER.getByName("c").increment() == "one 1"
    assert (tmp_path / "state/v3/do/renamed-Counter").is_dir()

