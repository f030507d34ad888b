"""Service bindings (``[[services]]``) to entrypoints of the same worker: fetch, RPC, props, config."""

from __future__ import annotations

import pytest

from pyworker.config import load_config
from pyworker.errors import ConfigError, WorkerImportError
from pyworker.runtime.ffi import JsException
from pyworker.runtime.values import DataCloneError

ENTRY = """
from workers import Response, WorkerEntrypoint, RpcTarget


class Counter(RpcTarget):
    def __init__(self):
        self.n = 0

    def increment(self):
        self.n += 1
        return self.n


class Admin(WorkerEntrypoint):
    async def fetch(self, request):
        return Response(f"admin {request.method} {request.url} {self.ctx.props}")

    async def add(self, a, b):
        return a + b

    def shout(self, text):
        return text.upper()

    async def counter(self):
        return Counter()

    async def fail(self):
        raise ValueError("nope")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        if request.url.endswith("/via-admin"):
            return await self.env.ADMIN.fetch(request)
        if request.url.endswith("/rpc"):
            return Response(str(await self.env.ADMIN.add(2, 3)))
        return Response("default")
"""

SERVICES = """
[[services]]
binding = "ADMIN"
service = "test-worker"
entrypoint = "Admin"
props = { role = "ops" }

[[services]]
binding = "SELF"
service = "test-worker"

[[services]]
binding = "OTHER"
service = "billing"
"""


@pytest.fixture
async def client(project, worker_client):  # type: ignore[no-untyped-def]
    return await worker_client(project({"src/entry.py": ENTRY}, SERVICES))


async def test_services_fetch_reaches_named_entrypoint(client) -> None:
    response = await client.get("/via-admin")
    assert await response.text() == f"admin GET {client.make_url('/via-admin')} {{'role': 'ops'}}"


async def test_services_fetch_without_entrypoint_reaches_default(client) -> None:
    response = await client.worker.env.SELF.fetch("https://example.com/")
    assert await response.text() == "default"


async def test_services_rpc_calls_entrypoint_methods(client) -> None:
    env = client.worker.env
    assert await env.ADMIN.add(1, 2) == 3
    assert await env.ADMIN.shout("hi") == "HI"
    assert await (await client.get("/rpc")).text() == "5"


async def test_services_rpc_results_can_be_pipelined(client) -> None:
    counter = client.worker.env.ADMIN.counter()
    assert await counter.increment() == 1


async def test_services_rpc_errors_reach_the_caller(client) -> None:
    with pytest.raises(ValueError, match="nope"):
        await client.worker.env.ADMIN.fail()
    with pytest.raises(TypeError, match='The RPC receiver does not implement the method "missing".'):
        await client.worker.env.ADMIN.missing()


async def test_services_rpc_arguments_follow_clone_rules(client) -> None:
    with pytest.raises(DataCloneError):
        client.worker.env.ADMIN.add(object(), 1)


async def test_services_other_worker_is_not_connected(client) -> None:
    response = await client.worker.env.OTHER.fetch("https://billing/")
    message = 'Couldn\'t find a local dev session for the "default" entrypoint of service "billing" to proxy to'
    assert (response.status, await response.text()) == (503, message)
    with pytest.raises(JsException, match="Couldn't find a local dev session"):
        await client.worker.env.OTHER.charge(10)


async def test_services_bindings_table(client) -> None:
    rows = [tuple(row) for row in client.worker.describe_bindings()]
    assert ("env.ADMIN (test-worker#Admin)", "Worker", "local") in rows
    assert ("env.SELF (test-worker)", "Worker", "local") in rows
    assert ("env.OTHER (billing)", "Worker", "not connected") in rows


async def test_services_unknown_entrypoint_fails_to_load(project, worker_client) -> None:
    extra = '[[services]]\nbinding = "ADMIN"\nservice = "test-worker"\nentrypoint = "Admn"\n'
    with pytest.raises(WorkerImportError, match='has no entrypoint named "Admn" \\(did you mean "Admin"\\?\\)'):
        await worker_client(project({"src/entry.py": ENTRY}, extra))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('"ADMIN"', '"services" bindings should be objects, but got "ADMIN"'),
        ('{ service = "x" }', '"services[0]" bindings should have a string "binding" field but got {"service":"x"}.'),
        ('{ binding = "A" }', '"services[0]" bindings should have a string "service" field but got {"binding":"A"}.'),
        (
            '{ binding = "A", service = "x", entrypoint = 1 }',
            (
                '"services[0]" bindings should have a string "entrypoint" field but got '
                '{"binding":"A","service":"x","entrypoint":1}.'
            ),
        ),
    ],
)
def test_services_config_validation_messages(project, entry: str, message: str) -> None:
    root = project({"src/entry.py": ENTRY}, f"services = [{entry}]\n")
    with pytest.raises(ConfigError) as raised:
        load_config(root)
    assert message in str(raised.value)


def test_services_binding_names_must_be_unique(project) -> None:
    root = project({"src/entry.py": ENTRY}, '[vars]\nADMIN = "x"\n' + SERVICES)
    with pytest.raises(ConfigError, match="ADMIN assigned to Worker and Environment Variable bindings."):
        load_config(root)
