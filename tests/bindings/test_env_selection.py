"""``pyworker dev --env NAME``: which bindings an ``[env.NAME]`` gets, its worker name and state, its warnings."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import COUNTER_BINDINGS, get
from pyworker.runtime.ids import IdFactory

ENTRY = """
import json
from workers import DurableObject, Response, WorkerEntrypoint


class Counter(DurableObject):
    async def fetch(self, request):
        n = (await self.ctx.storage.get("n") or 0) + 1
        await self.ctx.storage.put("n", n)
        return Response(str(n))


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        stub = self.env.COUNTER.getByName("global")
        count = await (await stub.fetch(request)).text()
        return Response(json.dumps({
            "mode": self.env.MODE,
            "bindings": sorted(name for name in self.env if name.isupper()),
            "count": count,
            "id": str(stub.id),
        }))
"""

CONFIG = COUNTER_BINDINGS.replace('MODE = "from-config"', 'MODE = "top"\nONLY_TOP = "x"') + """
[[kv_namespaces]]
binding = "CACHE"
id = "top-kv"

[triggers]
crons = ["0 * * * *"]

[env.staging.vars]
MODE = "staging"

[[env.staging.durable_objects.bindings]]
name = "COUNTER"
class_name = "Counter"
"""


def _state(root: Path, worker: str) -> Path:
    return root / ".wrangler" / "state" / "v3" / "do" / f"{worker}-Counter"


def test_env_selection_applies_env_and_renames_worker(project, run_dev) -> None:
    root = project({"src/entry.py": ENTRY}, CONFIG)
    server = run_dev(root, "--no-reload", "--env", "staging")
    body = json.loads(get(server.url))
    assert body["mode"] == "staging"  # vars are the env's own
    assert body["bindings"] == ["COUNTER", "MODE"]  # CACHE and ONLY_TOP are not inherited
    staging_id = IdFactory("test-worker-staging-Counter").from_name("global").toString()
    assert (body["count"], body["id"]) == ("1", staging_id)
    assert (_state(root, "test-worker-staging") / f"{staging_id}.sqlite").is_file()
    output = server.output
    assert '"kv_namespaces" exists at the top level, but not on "env.staging".' in output
    assert '"vars.ONLY_TOP" exists at the top level, but not on "env.staging.vars".' in output
    assert "Scheduled Workers are not automatically triggered" in output  # triggers are inherited


def test_env_selection_keeps_state_apart_from_the_top_level(project, run_dev) -> None:
    root = project({"src/entry.py": ENTRY}, CONFIG)
    staging = run_dev(root, "--no-reload", "--env", "staging")
    assert json.loads(get(staging.url))["count"] == "1"
    assert json.loads(get(staging.url))["count"] == "2"
    staging.stop()
    top = run_dev(root, "--no-reload")
    body = json.loads(get(top.url))
    assert (body["mode"], body["count"]) == ("top", "1")
    assert body["bindings"] == ["CACHE", "COUNTER", "MODE", "ONLY_TOP"]
    assert body["id"] == IdFactory("test-worker-Counter").from_name("global").toString()
    assert _state(root, "test-worker").is_dir() and _state(root, "test-worker-staging").is_dir()


def test_env_selection_unknown_env_is_an_error_when_others_exist(project, run_dev) -> None:
    root = project({"src/entry.py": ENTRY}, CONFIG)
    server = run_dev(root, "--no-reload", "--env", "prod", wait=False)
    assert server.process.wait(20) == 1
    assert 'No environment found in configuration with name "prod".' in server.output
    assert 'The available configured environment names are: ["staging"]' in server.output


def test_env_selection_dev_vars_of_the_env(project, run_dev) -> None:
    files = {"src/entry.py": ENTRY, ".dev.vars": "MODE=base-secret\n", ".dev.vars.staging": "MODE=staging-secret\n"}
    server = run_dev(project(files, CONFIG), "--no-reload", "--env", "staging")
    assert json.loads(get(server.url))["mode"] == "staging-secret"
    assert "Using vars defined in .dev.vars.staging" in server.output
    assert "staging-secret" not in server.output
