"""Durable Objects through a real worker: namespaces, stubs, RPC, instances, gates."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pyworker.runtime.http import Request
from pyworker.runtime.values import DataCloneError

ENTRY = """
import asyncio
from workers import DurableObject, WorkerEntrypoint, Response

CONSTRUCTED = []


class Store(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        CONSTRUCTED.append(ctx.id.toString())
        self.ready = False
        ctx.blockConcurrencyWhile(self.warm_up)

    async def warm_up(self):
        await asyncio.sleep(0.05)
        self.ready = True

    async def fetch(self, request):
        body = await request.text()
        return Response(f"{request.method} {request.url} {body}")

    async def add(self, a, b):
        return a + b

    def shout(self, text):
        return text.upper()

    async def fail(self):
        raise ValueError("boom")

    async def append_one(self, items):
        items.append(1)
        return items

    async def is_ready(self):
        return self.ready

    async def ctx_id(self):
        return [self.ctx.id.toString(), self.ctx.id.name]

    async def increment(self):
        value = (await self.ctx.storage.get("n") or 0) + 1
        await self.ctx.storage.put("n", value)
        return value

    async def bad_return(self):
        return object()

    async def not_a_response(self):
        return None


class Broken(DurableObject):
    def __init__(self, ctx, env):
        super().__init__(ctx, env)
        ctx.blockConcurrencyWhile(self.explode)

    async def explode(self):
        raise RuntimeError("init failed")

    async def ping(self):
        return "pong"


class NoFetch(DurableObject):
    pass


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        return Response("ok")
"""

BINDINGS = """
[vars]
GREETING = "hi"

[[durable_objects.bindings]]
name = "STORE"
class_name = "Store"

[[durable_objects.bindings]]
name = "BROKEN"
class_name = "Broken"

[[durable_objects.bindings]]
name = "NO_FETCH"
class_name = "NoFetch"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Store", "Broken", "NoFetch"]
"""


@pytest.fixture
async def env(project, worker_client):  # type: ignore[no-untyped-def]
    client = await worker_client(project({"src/entry.py": ENTRY}, BINDINGS))
    return client.worker.env


async def test_rpc_returns_the_method_result(env) -> None:
    assert await env.STORE.getByName("a").add(2, 3) == 5


async def test_rpc_calls_plain_methods(env) -> None:
    assert await env.STORE.getByName("a").shout("hey") == "HEY"


async def test_rpc_reraises_exception_in_caller(env) -> None:
    with pytest.raises(ValueError, match="boom"):
        await env.STORE.getByName("a").fail()


async def test_rpc_missing_method_has_cloudflare_message(env) -> None:
    with pytest.raises(TypeError, match='The RPC receiver does not implement the method "nope".'):
        await env.STORE.getByName("a").nope()


async def test_rpc_arguments_are_copied(env) -> None:
    items = [0]
    assert await env.STORE.getByName("a").append_one(items) == [0, 1]
    assert items == [0]


async def test_rpc_unsupported_argument_fails_at_call(env) -> None:
    with pytest.raises(DataCloneError):
        await env.STORE.getByName("a").add(object(), 1)


async def test_rpc_unsupported_result_fails(env) -> None:
    with pytest.raises(DataCloneError):
        await env.STORE.getByName("a").bad_return()


async def test_one_live_instance_per_id(env) -> None:
    from entry import CONSTRUCTED  # the user's module, imported by the worker

    stubs = [env.STORE.getByName("same") for _ in range(5)]
    await asyncio.gather(*(s.add(1, 1) for s in stubs))
    assert CONSTRUCTED.count(env.STORE.idFromName("same").toString()) == 1


async def test_different_names_reach_different_objects(env) -> None:
    first = await env.STORE.getByName("x").ctx_id()
    second = await env.STORE.getByName("y").ctx_id()
    assert first[0] != second[0]


async def test_ctx_id_matches_stub_id_without_name(env) -> None:
    stub = env.STORE.getByName("named")
    assert await stub.ctx_id() == [stub.id.toString(), None]
    assert stub.name == "named"


async def test_get_by_name_is_get_of_id_from_name(env) -> None:
    assert env.STORE.getByName("n").id == env.STORE.get(env.STORE.idFromName("n")).id


async def test_id_from_string_round_trips_through_namespace(env) -> None:
    unique = env.STORE.newUniqueId()
    assert env.STORE.idFromString(str(unique)) == unique


async def test_id_from_string_rejects_ids_of_other_namespace(env) -> None:
    with pytest.raises(TypeError, match="not valid for this namespace"):
        env.STORE.idFromString(str(env.BROKEN.idFromName("x")))


async def test_jurisdictions_are_not_implemented_locally(env) -> None:
    with pytest.raises(RuntimeError, match="Jurisdiction restrictions are not implemented in workerd."):
        env.STORE.newUniqueId(jurisdiction="eu")


async def test_get_accepts_location_hint(env) -> None:
    stub = env.STORE.get(env.STORE.idFromName("h"), locationHint="weur")
    assert await stub.add(1, 2) == 3


async def test_block_concurrency_while_in_constructor_holds_events(env) -> None:
    assert await env.STORE.getByName("warm").is_ready() is True


async def test_block_concurrency_while_error_fails_waiting_event(env) -> None:
    with pytest.raises(RuntimeError, match="init failed"):
        await env.BROKEN.getByName("b").ping()


async def test_concurrent_read_modify_write_loses_no_update(env) -> None:
    stub = env.STORE.getByName("counter")
    results = await asyncio.gather(*(stub.increment() for _ in range(100)))
    assert sorted(results) == list(range(1, 101))


async def test_stub_fetch_with_url_string(env) -> None:
    response = await env.STORE.getByName("f").fetch("http://do/path", method="POST", body="data")
    assert await response.text() == "POST http://do/path data"


async def test_stub_fetch_forwards_request_body(env) -> None:
    request = Request("http://do/x", method="PUT", body=b"payload")
    response = await env.STORE.getByName("f").fetch(request)
    assert await response.text() == "PUT http://do/x payload"


async def test_stub_fetch_without_handler_fails(env) -> None:
    with pytest.raises(TypeError, match="does not export a fetch"):
        await env.NO_FETCH.getByName("n").fetch("http://do/")


async def test_env_exposes_vars(env) -> None:
    assert env.GREETING == "hi"


async def test_env_missing_binding_names_the_bound_ones(env) -> None:
    with pytest.raises(AttributeError, match="STORE"):
        env.MISSING  # noqa: B018


async def test_workers_module_env_is_the_worker_env(env) -> None:
    import workers

    assert workers.env.GREETING == "hi"


async def test_state_file_lives_in_wrangler_layout(env, tmp_path: Path) -> None:
    stub = env.STORE.getByName("file")
    await stub.increment()
    expected = tmp_path / "state" / "v3" / "do" / "test-worker-Store" / f"{stub.id}.sqlite"
    assert expected.is_file()


async def test_storage_persists_across_worker_restart(project, worker_client, tmp_path: Path) -> None:
    root = project({"src/entry.py": ENTRY}, BINDINGS)
    first = await worker_client(root)
    assert await first.worker.env.STORE.getByName("p").increment() == 1
    first.worker.close()
    second = await worker_client(root)
    assert await second.worker.env.STORE.getByName("p").increment() == 2


