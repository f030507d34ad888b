"""Names never become paths: Durable Object names and KV keys with path characters (``../``, ``/``,
``\\``, NUL, 10,000 characters), fuzzed, touch no file outside the persist root, and every state
file is named by a hex id (or a random blob id) rather than by anything a request chose. Config
values that would name a folder outside the persist root — a migration's class, a KV namespace id —
are refused before anything is written."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import write_project
from pyworker.config import load_config
from pyworker.config.apply import apply_pending_migrations
from pyworker.dev_config import DevConfig
from pyworker.errors import ConfigError, MigrationError
from pyworker.runtime.ffi import JsException
from pyworker.runtime.worker import Worker
from reliability_helpers import FUZZ, examples, on_loop

ENTRY = """
from urllib.parse import parse_qs, urlsplit
from workers import DurableObject, Response, WorkerEntrypoint


class Box(DurableObject):
    async def keep(self, value):
        await self.ctx.storage.put("value", value)
        return await self.ctx.storage.get("value")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        name = parse_qs(urlsplit(request.url).query)["name"][0]
        return Response(await self.env.BOX.getByName(name).keep(name))
"""
BINDINGS = """
[[durable_objects.bindings]]
name = "BOX"
class_name = "Box"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Box"]

[[kv_namespaces]]
binding = "CACHE"
id = "cache"
"""
STATE_FILES = re.compile(
    r"v3/do/pyworker-migrations\.json"
    r"|v3/do/test-worker-Box/[0-9a-f]{64}\.sqlite(-wal|-shm)?"
    r"|v3/kv/miniflare-KVNamespaceObject/[0-9a-f]{64}\.sqlite(-wal|-shm)?"
    r"|v3/kv/cache/blobs/[0-9a-f]{80}"
)
PATHLIKE = ["../../../../etc/passwd", "/", "..", ".", "\x00", "a/../../b", "..\\..\\x", "C:\\x", "%2e%2e%2f", "x" * 10_000]
_names = st.one_of(st.sampled_from(PATHLIKE), st.text(st.sampled_from("./\\\x00a:~%"), max_size=20), st.text(max_size=30))


def _files(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


async def test_paths_object_names_and_kv_keys_stay_inside_the_persist_root(
    tmp_path: Path, worker_client, fuzz_cases  # type: ignore[no-untyped-def]
) -> None:
    """Fuzz: each name goes to ``getByName`` (the object stores it and gives it back) and is used
    as a KV key. Afterwards the only new files are state files named by ids."""
    project = write_project(tmp_path / "project", {"src/entry.py": ENTRY}, BINDINGS)
    state = tmp_path / "a" / "b" / "state"
    before = _files(tmp_path)
    client = await worker_client(project, persist_to=state)
    env = client.worker.env
    loop = asyncio.get_running_loop()

    async def use(name: str) -> None:
        assert await env.BOX.getByName(name).keep(name) == name
        try:
            await env.CACHE.put(name, name)
        except JsException:  # "", ".", "..", over 512 bytes: refused, as on Cloudflare
            return
        assert await env.CACHE.get(name) == name

    @settings(FUZZ, max_examples=examples(100))
    @given(name=_names)
    def check(name: str) -> None:
        fuzz_cases()
        on_loop(loop, use(name))

    for name in PATHLIKE[:-1]:  # also through HTTP, percent-encoded in the query (10,000 is over aiohttp's 8 KiB line)
        fuzz_cases()
        response = await client.get("/", params={"name": name})
        assert await response.text() == name
    await asyncio.to_thread(check)
    client.worker.close()
    created = _files(tmp_path) - before
    outside = {path for path in created if not path.startswith("a/b/state/") and not path.startswith("project/")}
    assert outside == set()
    unexpected = {path for path in _files(state) if not STATE_FILES.fullmatch(path)}
    assert unexpected == set()
    assert len(list((state / "v3" / "do" / "test-worker-Box").glob("*.sqlite"))) > 20


def test_paths_migration_class_names_cannot_leave_the_persist_root(tmp_path: Path) -> None:
    """A class named ``/../../victim`` would make ``deleted_classes`` remove a folder outside the
    persist root: the migration rules refuse the name and nothing is touched."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "data.txt").write_text("precious")
    project = write_project(tmp_path / "project", {"src/entry.py": "from workers import WorkerEntrypoint\nclass Default(WorkerEntrypoint): pass\n"}, """
        [[migrations]]
        tag = "v1"
        new_sqlite_classes = ["/../../../../../../victim"]

        [[migrations]]
        tag = "v2"
        deleted_classes = ["/../../../../../../victim"]
    """)  # fmt: skip
    state = project / ".wrangler" / "state"
    assert (state / "v3" / "do" / "test-worker-/../../../../../../victim").resolve() == victim
    with pytest.raises(MigrationError, match=r'"(/\.\.){6}/victim" is not a class name'):
        apply_pending_migrations(load_config(project), state)
    assert (victim / "data.txt").read_text() == "precious"
    assert not state.exists()


@pytest.mark.parametrize("namespace_id", ["../../outside", "a/b", "..", "a\\b"])
async def test_paths_kv_namespace_id_cannot_name_a_folder_outside(tmp_path: Path, namespace_id: str) -> None:
    """A KV namespace id is a folder name under the persist root: one with path characters is a
    ConfigError when the worker loads, before any file is written."""
    extra = f'[[kv_namespaces]]\nbinding = "CACHE"\nid = "{namespace_id.replace(chr(92), chr(92) * 2)}"\n'
    project = write_project(tmp_path / "project", {"src/entry.py": "from workers import WorkerEntrypoint\nclass Default(WorkerEntrypoint): pass\n"}, extra)  # fmt: skip
    with pytest.raises(ConfigError, match="cannot name a folder"):
        Worker(load_config(project), DevConfig(cwd=project, persist_to=tmp_path / "state"))
    assert not (tmp_path / "state").exists() and not (tmp_path / "outside").exists()
