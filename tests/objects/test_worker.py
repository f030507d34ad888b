"""PLAYGROUND §3 and §11: dispatch, the index document, Location, RPC; the patterns' index and routes."""

from __future__ import annotations

import json

import pytest


async def test_index_document_is_exact(app) -> None:
    response = await app.get("/")
    text = await response.text()
    assert response.status == 200 and response.headers["Content-Type"] == "application/json"
    assert len(text.encode()) == 2681
    data = json.loads(text)
    assert text == json.dumps(data, indent=2)
    assert list(data["endpoints"]) == [
        "counter", "chat", "batcher", "rateLimit", "location", "session", "streamer", "rpc", "kvStore", "latencyTest"
    ]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
async def test_unmatched_paths_get_the_index(app, method: str) -> None:
    response = await app.request(method, "/does-not-exist")
    assert response.status == 200 and (await response.json())["message"] == "Cloudflare Durable Objects Playground"


async def test_location_first_visit_then_returning(app) -> None:
    first = await app.get("/location")
    assert first.headers["Content-Type"] == "text/plain"
    assert await first.text() == (
        "\nThis is the first request, you called the constructor, so this.location was null.\n"
        "You will set this.location to be your city: (Austin). Try reloading the page."
    )
    second = await app.post("/location/x")
    assert await second.text() == (
        "\nThe Durable Object was already loaded and running because it recently handled a request.\n\n"
        "Previous Location: Austin\nNew Location: Austin"
    )


async def test_patterns_document_lists_the_classic_patterns(app) -> None:
    response = await app.get("/patterns")
    text = await response.text()
    assert response.status == 200 and response.headers["Content-Type"] == "application/json"
    data = json.loads(text)
    assert text == json.dumps(data, indent=2)
    assert list(data["patterns"]) == ["lock", "leader", "events", "slidingWindow", "leakyBucket"]


@pytest.mark.parametrize("path", ["/lockfoo", "/leaders", "/eventsX", "/limit", "/limit/slidingX", "/limit/leak", "/patterns/x"])
async def test_pattern_routes_match_whole_path_segments(app, path: str) -> None:
    response = await app.get(path)
    assert (await response.json())["message"] == "Cloudflare Durable Objects Playground"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/lock/status", 200), ("/leader/current", 200), ("/events/summary", 200), ("/limit/sliding/x", 200),
     ("/limit/leaky/x", 200), ("/lock", 404), ("/events/nope", 404)],
)
async def test_pattern_routes_reach_their_objects(app, path: str, status: int) -> None:
    assert (await app.get(path)).status == status


async def test_rpc_route_greets_through_the_rpc_target(app) -> None:
    response = await app.get("/rpc")
    data = await response.json()
    assert response.headers["Content-Type"] == "application/json"
    assert list(data) == ["greeting", "simpleGreeting", "initializedAt"]
    assert data["greeting"] == "Hello, world! The identifier of this DO is /rpc"
    assert data["simpleGreeting"] == "Hello, world! This doesn't use the DO identifier."
    assert data["initializedAt"].endswith("Z") and len(data["initializedAt"]) == 24


async def test_rpc_route_same_path_same_instance(app) -> None:
    first = await (await app.get("/rpc")).json()
    second = await (await app.get("/rpc?x=1")).json()
    assert first["initializedAt"] == second["initializedAt"]


async def test_rpc_route_other_path_other_object(app) -> None:
    data = await (await app.get("/rpc/a%20b")).json()
    assert data["greeting"] == "Hello, world! The identifier of this DO is /rpc/a%20b"


async def test_rpc_route_logs_in_order(app, capsys) -> None:
    await app.get("/rpc/order")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Durable Object initialized at: ")
    assert lines[1:4] == ["{", "  userName: 'world',", "  durableObjectIdentifier: '/rpc/order',"]
    assert lines[4].startswith("  initializedAt: '") and lines[5] == "}"
    assert lines[6:] == ["This is not in the RpcTarget", "RpcTarget will be cleaned up automatically."]
