"""PLAYGROUND §5.9: /kv-store — a room's KVStore reads and writes the KV namespace KV_CACHE."""

from __future__ import annotations

import base64
import json

import pytest

from conftest import CURL

INVALID = '{"error":"Invalid JSON body. Expected {key: string, value: string}"}'
MISSING_FIELD = '{"error":"Missing key or value in request body"}'
MISSING_KEY = '{"error":"Missing key query parameter"}'
NOT_FOUND = (
    '{"error":"Not found","available_endpoints":{"put":"PUT /kv with JSON body {key: string, value: string}",'
    '"get":"GET /kv?key=<key>","delete":"DELETE /kv?key=<key>","stats":"GET /stats",'
    '"list":"GET /list?prefix=<prefix>&limit=<limit>"}}'
)


async def put(send, key: object, value: object, room: str = "r"):  # type: ignore[no-untyped-def]
    return await send("PUT", f"/kv-store/kv?room={room}", data=json.dumps({"key": key, "value": value}))


async def test_kv_store_put_counts_writes(send) -> None:
    for count in (1, 2, 3):
        reply = await put(send, f"X:user:{count}", "alice")
        assert (reply.status, reply.content_type) == (200, "application/json")
        assert reply.text == f'{{"success":true,"message":"Wrote key \\"X:user:{count}\\" to KV","write_count":{count}}}'


async def test_kv_store_get_hit_and_miss_count_reads(send) -> None:
    await put(send, "k1", "v1")
    assert (await send("GET", "/kv-store/kv?room=r&key=k1")).text == '{"key":"k1","value":"v1","found":true,"read_count":1}'
    assert (await send("GET", "/kv-store/kv?room=r&key=nope")).text == (
        '{"key":"nope","value":null,"found":false,"read_count":2}'
    )


async def test_kv_store_delete_then_get_misses(send) -> None:
    await put(send, "k1", "v1")
    reply = await send("DELETE", "/kv-store/kv?room=r&key=k1")
    assert reply.text == '{"success":true,"message":"Deleted key \\"k1\\" from KV"}'
    assert (await send("GET", "/kv-store/kv?room=r&key=k1")).json()["found"] is False
    assert (await send("DELETE", "/kv-store/kv?room=r&key=never")).status == 200


async def test_kv_store_data_is_global_and_statistics_per_room(send) -> None:
    await put(send, "shared", "v", room="a")
    assert (await send("GET", "/kv-store/kv?room=b&key=shared")).json() == {
        "key": "shared", "value": "v", "found": True, "read_count": 1,
    }
    assert (await send("GET", "/kv-store/stats?room=b")).json()["statistics"]["total_writes"] == 0


async def test_kv_store_stats(send) -> None:
    empty = (
        '{"statistics":{"total_writes":0,"total_reads":0,"last_key_written":null,"last_key_read":null},'
        '"note":"Statistics are tracked in Durable Object storage, while actual data is in KV"}'
    )
    assert (await send("GET", "/kv-store/stats?room=r")).text == empty
    await put(send, 55, "number key")
    await send("GET", "/kv-store/kv?room=r&key=55")
    assert (await send("GET", "/kv-store/stats?room=r")).json()["statistics"] == {
        "total_writes": 1, "total_reads": 1, "last_key_written": 55, "last_key_read": "55",
    }


@pytest.mark.parametrize(
    ("key", "value", "stored_key", "stored_value"),
    [(3, "v", "3", "v"), (True, "v", "true", "v"), ([1, 2], "v", "1,2", "v"), ({"a": 1}, "v", "[object Object]", "v"),
     ("n", 5, "n", "5"), ("f", 1.0, "f", "1"), ("e", 1e21, "e", "1e+21"), ("b", True, "b", "true")],
)
async def test_kv_store_put_converts_keys_and_values_with_string(
    send, key: object, value: object, stored_key: str, stored_value: str
) -> None:
    assert (await put(send, key, value)).json()["message"] == f'Wrote key "{stored_key}" to KV'
    assert (await send("GET", f"/kv-store/kv?room=r&key={stored_key}")).json()["value"] == stored_value


@pytest.mark.parametrize(
    "body",
    ['{"key": "k"}', '{"value": "v"}', '{"key": "", "value": "v"}', '{"key": "k", "value": 0}',
     '{"key": "k", "value": false}', '{"key": null, "value": "v"}', '["k", "v"]', '"text"', "5"],
)
async def test_kv_store_put_without_key_or_value_is_400(send, body: str) -> None:
    reply = await send("PUT", "/kv-store/kv?room=r", data=body)
    assert (reply.status, reply.text) == (400, MISSING_FIELD)


@pytest.mark.parametrize(
    "body",
    ["{bad json", "", "null", '{"key": "k", "value": {"a": 1}}', '{"key": "k", "value": [1]}',
     '{"key": ".", "value": "v"}', '{"key": "..", "value": "v"}', json.dumps({"key": "x" * 513, "value": "v"})],
)
async def test_kv_store_put_failures_are_invalid_json_400(send, body: str) -> None:
    reply = await send("PUT", "/kv-store/kv?room=r", data=body)
    assert (reply.status, reply.text) == (400, INVALID)
    assert (await send("GET", "/kv-store/stats?room=r")).json()["statistics"]["total_writes"] == 0


@pytest.mark.parametrize(("method", "query"), [("GET", ""), ("GET", "&key="), ("DELETE", ""), ("DELETE", "&key=")])
async def test_kv_store_get_and_delete_need_a_key(send, method: str, query: str) -> None:
    reply = await send(method, f"/kv-store/kv?room=r{query}")
    assert (reply.status, reply.text) == (400, MISSING_KEY)


@pytest.mark.parametrize(
    ("key", "error"),
    [(".", 'TypeError: "." is not allowed as a key name.'), ("..", 'TypeError: ".." is not allowed as a key name.'),
     ("x" * 513, "Error: KV GET failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512.")],
)
async def test_kv_store_get_of_a_key_kv_refuses_is_uncaught(send, key: str, error: str) -> None:
    reply = await send("GET", f"/kv-store/kv?room=r&key={key}", headers=CURL)
    assert (reply.status, reply.content_type, reply.first_line) == (500, "text/plain;charset=UTF-8", error)
    assert (await send("GET", "/kv-store/stats?room=r")).json()["statistics"]["total_reads"] == 0


async def test_kv_store_list_by_prefix_and_limit(send) -> None:
    for key in ("X:user:123", "X:user:456", "X:product:789"):
        await put(send, key, "v")
    assert (await send("GET", "/kv-store/list?room=r&prefix=X:user:&limit=10")).text == (
        '{"keys":["X:user:123","X:user:456"],"list_complete":true,"count":2}'
    )
    reply = await send("GET", "/kv-store/list?room=other&prefix=X:&limit=1")  # another room sees the same keys
    cursor = base64.b64encode(b"X:product:789").decode()  # Miniflare's cursor: the last key returned
    assert reply.text == f'{{"keys":["X:product:789"],"list_complete":false,"cursor":"{cursor}","count":1}}'


@pytest.mark.parametrize(("limit", "count"), [("2.9x", 2), ("0", 3), ("-1", 3), ("abc", 3), ("1000", 3)])
async def test_kv_store_list_limit_is_parsed_like_parse_int(send, limit: str, count: int) -> None:
    for key in ("a", "b", "c"):
        await put(send, key, "v")
    assert (await send("GET", f"/kv-store/list?room=r&limit={limit}")).json()["count"] == count


async def test_kv_store_list_limit_over_1000_is_uncaught(send) -> None:
    reply = await send("GET", "/kv-store/list?room=r&limit=1001", headers=CURL)
    assert (reply.status, reply.first_line) == (
        500, "Error: KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000.",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/kv-store/kv"), ("GET", "/kv-store"), ("GET", "/kv-store/nope"), ("POST", "/kv-store/stats"),
     ("GET", "/kv-storeX/kv"), ("GET", "/kv-store/kv-store/kv")],
)
async def test_kv_store_other_routes_are_404(send, method: str, path: str) -> None:
    reply = await send(method, path)
    assert (reply.status, reply.content_type, reply.text) == (404, "application/json", NOT_FOUND)


async def test_kv_store_forwards_the_query_and_body_after_the_path_rewrite(send) -> None:
    assert (await send("PUT", "/kv-store/kv?room=r&x=1", data='{"key": "q", "value": "body"}')).status == 200
    assert (await send("GET", "/kv-store/kv?key=q&room=r")).json()["value"] == "body"
