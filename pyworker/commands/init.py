"""``pyworker init NAME``: a new project that serves and passes its tests right away.

The project is Cloudflare's layout for a Python Worker with a Durable Object — ``wrangler.toml``,
``src/entry.py`` with a ``Counter`` and the ``Default`` entrypoint — plus a test that uses pyworker's
pytest plugin, a ``pyproject.toml`` holding pytest's settings, a ``README.md`` saying how to run it,
and a ``.gitignore`` for local state. The same files deploy with ``pywrangler deploy``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from pyworker.config.validation import SUPPORTED_COMPATIBILITY_DATE
from pyworker.errors import PyworkerError

__all__ = ["TEST", "project_files", "register", "worker_name"]

_WRANGLER_TOML = """\
name = "{name}"
main = "src/entry.py"
compatibility_date = "{date}"
compatibility_flags = ["python_workers"]

[[durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Counter"]
"""

_ENTRY = '''\
"""{name}: a Python Worker with one Durable Object, a counter kept in its storage."""

from urllib.parse import urlsplit

from js import Date
from workers import DurableObject, Response, WorkerEntrypoint


class Counter(DurableObject):
    """One number per object name; while it awaits its storage no other request gets in."""

    async def fetch(self, request):
        if urlsplit(request.url).path == "/increment":
            return Response.json({{"value": await self.increment()}})
        return Response.json({{"value": await self.ctx.storage.get("value") or 0}})

    async def increment(self, by=1):
        """RPC: ``await env.COUNTER.getByName("name").increment(2)``."""
        value = (await self.ctx.storage.get("value") or 0) + by
        await self.ctx.storage.put("value", value)
        return value

    async def reset_after(self, ms):
        """RPC: set the counter back to 0 in ``ms`` milliseconds, with an alarm."""
        await self.ctx.storage.setAlarm(Date.now() + ms)

    async def alarm(self):
        await self.ctx.storage.put("value", 0)


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return await self.env.COUNTER.getByName("global").fetch(request)
'''

TEST = '''\
# tests/test_entry.py — run with: python -m pytest
from pyworker.testing import (
    ManualClock,
    WorkerClientFactory,
    list_durable_object_ids,
    run_durable_object_alarm,
    run_in_durable_object,
)


async def test_increment(worker_client: WorkerClientFactory, worker_env) -> None:
    client = await worker_client()  # an aiohttp test client on the worker, in-process
    assert await (await client.get("/increment")).json() == {"value": 1}
    assert await (await client.get("/increment")).json() == {"value": 2}
    counter = worker_env.COUNTER.getByName("global")
    stored = await run_in_durable_object(counter, lambda instance, ctx: ctx.storage.get("value"))
    assert stored == 2  # fn(instance, ctx) ran inside the object, as an event
    assert list_durable_object_ids(worker_env.COUNTER) == [counter.id]


async def test_rpc_starts_from_empty_storage(worker_env) -> None:
    assert await worker_env.COUNTER.getByName("global").increment(5) == 5


async def test_alarm(worker_env, worker_clock: ManualClock) -> None:
    counter = worker_env.COUNTER.getByName("a")
    await counter.increment(3)
    await counter.reset_after(60_000)
    await worker_clock.advance(59_999)
    assert await counter.increment(0) == 3
    await worker_clock.advance(1)  # the alarm fires now, not in a minute
    assert await counter.increment(0) == 0
    await counter.reset_after(3_600_000)
    assert await run_durable_object_alarm(counter)  # or run it at once: True if one was set
    assert not await run_durable_object_alarm(counter)
'''
"""The test ``pyworker init`` writes (README.md's "Testing your worker" shows the same file)."""

_PYPROJECT = """\
# Settings for the tests; the worker itself needs no packaging.
[tool.pytest.ini_options]
testpaths = ["tests"]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
"""

_README = """\
# {name}

A Cloudflare Python Worker with a Durable Object (`Counter` in `src/entry.py`).

```sh
pyworker dev                 # serve it on http://127.0.0.1:8787 (reloads on save)
curl http://127.0.0.1:8787/increment
python -m pytest             # run tests/ in-process with pyworker's pytest plugin
```

Local state lives in `.wrangler/state`, as with `wrangler dev`; the explorer at
http://127.0.0.1:8787/cdn-cgi/explorer shows it. Deploy the same files with `pywrangler deploy`.
"""

_GITIGNORE = """\
.wrangler/
.dev.vars
__pycache__/
"""


def worker_name(folder: str) -> str:
    """A Worker name wrangler accepts, made from the project folder's name (``My App`` → ``my-app``)."""
    return re.sub(r"[^a-z0-9_-]+", "-", folder.lower()).strip("-") or "worker"


def project_files(name: str) -> dict[str, str]:
    """The new project's files by relative path."""
    return {
        "wrangler.toml": _WRANGLER_TOML.format(name=name, date=SUPPORTED_COMPATIBILITY_DATE),
        "src/entry.py": _ENTRY.format(name=name),
        "tests/test_entry.py": TEST,
        "pyproject.toml": _PYPROJECT,
        "README.md": _README.format(name=name),
        ".gitignore": _GITIGNORE,
    }


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``init`` to the command line."""
    parser = commands.add_parser("init", help="create a new project: a worker with a Durable Object, and its tests")
    parser.add_argument("directory", type=Path, metavar="NAME", help="folder to create (its name names the worker)")
    parser.set_defaults(run=run_init)


def run_init(args: argparse.Namespace) -> int:
    """Write the project into ``args.directory`` (new or empty) and say what to do next."""
    root = Path.cwd() / args.directory
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise PyworkerError(f"{args.directory} already exists and is not empty: choose another NAME, or remove it.")
    name = worker_name(root.resolve().name)
    files = project_files(name)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"Created {args.directory} (worker {name!r}):")
    for relative in files:
        print(f"  {relative}")
    print(f"\nNext:\n  cd {args.directory}\n  pyworker dev        # http://127.0.0.1:8787\n  python -m pytest    # the tests")
    return 0
