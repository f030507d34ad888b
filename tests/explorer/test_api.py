"""The explorer's JSON API: overview, Durable Objects (keys, SQL, alarm, WebSockets, edits), KV, D1."""

from __future__ import annotations

from typing import Any

import pytest

API = "/cdn-cgi/explorer/api"
ALPHA_ALARM = 4_102_444_800_000


async def get_json(client, path: str, status: int = 200) -> Any:  # type: ignore[no-untyped-def]
    response = await client.get(API + path)
    assert response.status == status, await response.text()
    return await response.json()


async def alpha_path(client) -> str:  # type: ignore[no-untyped-def]
    return f"/durable-objects/STORE/{client.worker.env.STORE.idFromName('alpha')}"


async def test_explorer_overview_lists_every_binding_kind(client) -> None:
    overview = await get_json(client, "")
    assert overview["worker"] == "test-worker"
    assert overview["durableObjects"] == [{
        "binding": "STORE", "className": "Store", "sqlite": True,
        "directory": overview["durableObjects"][0]["directory"], "objects": 1,
    }]
    assert overview["durableObjects"][0]["directory"].endswith("v3/do/test-worker-Store")
    assert overview["kv"] == [{"binding": "CACHE", "keys": 2, "more": False}]
    assert overview["d1"] == [{"binding": "DB", "name": "main-db"}]


async def test_explorer_overview_of_a_worker_without_bindings_has_empty_sections(project, worker_client) -> None:
    client = await worker_client(project({"src/entry.py": "async def on_fetch(request, env):\n    pass\n"}))
    overview = await get_json(client, "")
    assert (overview["durableObjects"], overview["kv"], overview["d1"]) == ([], [], [])


async def test_explorer_lists_objects_from_state_files_with_name_and_alarm(client) -> None:
    listing = await get_json(client, "/durable-objects/STORE")
    assert listing["truncated"] is False
    (alpha,) = listing["objects"]
    assert alpha == {
        "id": str(client.worker.env.STORE.idFromName("alpha")), "name": "alpha", "stored": True,
        "live": True, "alarm": ALPHA_ALARM, "websockets": 0,
    }


async def test_explorer_object_shows_decoded_values_and_tables(client) -> None:
    detail = await get_json(client, await alpha_path(client))
    keys = {entry["key"]: entry for entry in detail["keys"]}
    assert keys["count"] == {"key": "count", "type": "number", "value": 3, "editable": True}
    assert keys["profile"]["value"] == {"name": "Ada", "tags": ["a", "b"]}
    assert keys["when"] == {"key": "when", "type": "Date", "value": "2025-01-02T00:00:00+00:00", "editable": False}
    assert keys["raw"] == {"key": "raw", "type": "Uint8Array", "value": "00 01", "editable": False}
    assert detail["tables"] == [{"name": "items", "rows": 2}]
    assert detail["alarm"] == ALPHA_ALARM


async def test_explorer_object_shows_connected_websockets(client) -> None:
    async with client.ws_connect("/ws") as ws:
        await ws.send_str("hi")
        assert (await ws.receive()).data == "hi"
        detail = await get_json(client, await alpha_path(client))
        assert detail["websockets"] == 1
        assert detail["websocketList"] == [{"readyState": 1, "tags": ["room"], "attachment": {"user": "ada"}}]


async def test_explorer_sql_query_is_read_only(client) -> None:
    path = await alpha_path(client) + "/query"
    response = await client.post(API + path, json={"query": "SELECT label FROM items ORDER BY id"})
    assert await response.json() == {"columns": ["label"], "rows": [["one"], ["two"]], "truncated": False}
    for statement in ("DELETE FROM items", "DROP TABLE items", "INSERT INTO items (label) VALUES ('x')",
                      "PRAGMA query_only = OFF", "SELECT 1; DELETE FROM items"):
        response = await client.post(API + path, json={"query": statement})
        assert response.status == 400, statement
        assert (await response.json())["error"]
    assert await client.worker.env.STORE.getByName("alpha").read("count") == 3
    response = await client.post(API + path, json={"query": "SELECT count(*) FROM items"})
    assert (await response.json())["rows"] == [[2]]


async def test_explorer_query_must_be_json(client) -> None:
    path = API + await alpha_path(client) + "/query"
    response = await client.post(path, data="SELECT 1", headers={"Content-Type": "text/plain"})
    assert response.status == 400
    assert "application/json" in (await response.json())["error"]


async def test_explorer_put_and_delete_go_through_the_object(client) -> None:
    stub = client.worker.env.STORE.getByName("alpha")
    key_path = API + await alpha_path(client) + "/storage/nested%2Fkey"
    response = await client.put(key_path, json={"value": {"edited": [1, 2]}})
    assert response.status == 200
    assert await response.json() == {"key": "nested/key", "type": "object", "value": {"edited": [1, 2]}, "editable": True}
    assert await stub.read("nested/key") == {"edited": [1, 2]}  # the object's own cache sees it
    response = await client.delete(key_path)
    assert await response.json() == {"key": "nested/key", "deleted": True}
    assert await stub.read("nested/key") is None
    assert (await client.delete(key_path)).status == 404


async def test_explorer_put_reports_storage_errors(client) -> None:
    response = await client.put(API + await alpha_path(client) + "/storage/k", json={"nothing": 1})
    assert response.status == 400 and '"value"' in (await response.json())["error"]


@pytest.mark.parametrize("path", [
    "/durable-objects/NOPE", "/durable-objects/STORE/not-an-id", "/kv/NOPE", "/d1/NOPE",
])
async def test_explorer_unknown_binding_or_object_is_404(client, path: str) -> None:
    body = await get_json(client, path, status=404)
    assert body["error"]


async def test_explorer_kv_keys_with_values(client) -> None:
    page = await get_json(client, "/kv/CACHE")
    assert page["complete"] is True and page["cursor"] is None
    assert page["keys"] == [
        {"name": "blob", "expiration": None, "metadata": None, "type": "bytes", "value": "ff fe"},
        {"name": "greeting", "expiration": None, "metadata": None, "type": "text", "value": "hello"},
    ]
    assert [key["name"] for key in (await get_json(client, "/kv/CACHE?prefix=gr"))["keys"]] == ["greeting"]


async def test_explorer_d1_tables_and_read_only_query(client) -> None:
    database = await get_json(client, "/d1/DB")
    assert database == {"binding": "DB", "name": "main-db", "tables": [{"name": "users", "rows": 1}]}
    response = await client.post(API + "/d1/DB/query", json={"query": "SELECT name FROM users"})
    assert (await response.json())["rows"] == [["ada"]]
    response = await client.post(API + "/d1/DB/query", json={"query": "DELETE FROM users"})
    assert response.status == 400
    assert (await get_json(client, "/d1/DB"))["tables"] == [{"name": "users", "rows": 1}]


async def test_explorer_openapi_document_describes_every_route(client) -> None:
    document = await get_json(client, "/openapi.json")
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": API}]
    served = {
        (route.method, route.resource.canonical.removeprefix(API) or "/")
        for route in client.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith(API) and route.method != "HEAD"
    }
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert served == documented
    schemas = document["components"]["schemas"]
    refs = {ref.rpartition("/")[2] for ref in _refs(document["paths"]) | _refs(schemas)}
    assert refs <= set(schemas)


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        return {node["$ref"]} if "$ref" in node else set().union(*map(_refs, node.values()))
    if isinstance(node, list):
        return set().union(*map(_refs, node))
    return set()


async def test_explorer_page_and_assets_are_served_locally(client) -> None:
    page = await client.get("/cdn-cgi/explorer")
    html = await page.text()
    assert page.status == 200 and page.content_type == "text/html"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "/cdn-cgi/explorer/static/explorer.js" in html and "http" not in html.replace("http-equiv", "")
    for asset, content_type in (("explorer.js", "text/javascript"), ("explorer.css", "text/css")):
        response = await client.get(f"/cdn-cgi/explorer/static/{asset}")
        assert response.status == 200 and response.content_type == content_type
        assert "https://" not in await response.text()
    assert (await client.get("/cdn-cgi/explorer/static/missing.js")).status == 404
