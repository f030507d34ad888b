"""Workers KV (``env.CACHE``): reads, writes, listing, limits, expiry and the local file layout."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from helpers import get
from pyworker.runtime.ffi import JsException
from pyworker.runtime.ids import IdFactory
from pyworker.runtime.streams import ReadableStream

NAMESPACE_ID = "0f2ac74b498b48028cb68387c421e279"
NOW_S = 1_700_000_000  # the ManualClock's start


async def test_kv_get_returns_text_by_default(env) -> None:
    await env.CACHE.put("greeting", "héllo")
    assert await env.CACHE.get("greeting") == "héllo"


async def test_kv_get_missing_key_returns_none(env) -> None:
    assert await env.CACHE.get("nope") is None


async def test_kv_get_json_by_type_argument_keyword_and_options_dict(env) -> None:
    await env.CACHE.put("config", json.dumps({"a": [1, 2]}))
    assert await env.CACHE.get("config", "json") == {"a": [1, 2]}
    assert await env.CACHE.get("config", type="json") == {"a": [1, 2]}
    assert await env.CACHE.get("config", {"type": "json"}) == {"a": [1, 2]}


async def test_kv_get_array_buffer_returns_memoryview(env) -> None:
    await env.CACHE.put("bin", b"\x00\x01\xff")
    value = await env.CACHE.get("bin", "arrayBuffer")
    assert isinstance(value, memoryview)
    assert value.tobytes() == b"\x00\x01\xff"


async def test_kv_get_stream_returns_readable_stream(env) -> None:
    await env.CACHE.put("big", "streamed value")
    stream = await env.CACHE.get("big", "stream")
    assert isinstance(stream, ReadableStream)
    assert b"".join([chunk async for chunk in stream.chunks()]) == b"streamed value"


async def test_kv_get_unknown_type_fails_for_existing_key(env) -> None:
    await env.CACHE.put("k", "v")
    with pytest.raises(TypeError, match='Unknown response type. Possible types are "text"'):
        await env.CACHE.get("k", "blob")


async def test_kv_put_accepts_bytes_memoryview_and_stream(env) -> None:
    await env.CACHE.put("a", memoryview(b"view"))
    await env.CACHE.put("b", ReadableStream.from_chunks([b"str", b"eam"]))
    assert await env.CACHE.get("a") == "view"
    assert await env.CACHE.get("b") == "stream"


async def test_kv_put_empty_value(env) -> None:
    await env.CACHE.put("empty", "")
    assert await env.CACHE.get("empty") == ""


async def test_kv_put_rejects_unsupported_value(env) -> None:
    with pytest.raises(TypeError, match="KV put\\(\\) accepts only strings, ArrayBuffers"):
        await env.CACHE.put("k", {"not": "allowed"})


async def test_kv_put_without_await_takes_effect(env) -> None:
    env.CACHE.put("eager", "yes")
    assert await env.CACHE.get("eager") == "yes"


async def test_kv_put_overwrites_value_and_removes_old_blob(env, tmp_path: Path) -> None:
    await env.CACHE.put("k", "one")
    await env.CACHE.put("k", "two")
    blobs = list((tmp_path / "state" / "v3" / "kv" / NAMESPACE_ID / "blobs").iterdir())
    assert await env.CACHE.get("k") == "two"
    assert [blob.read_bytes() for blob in blobs] == [b"two"]


async def test_kv_keys_are_case_sensitive(env) -> None:
    await env.CACHE.put("key", "lower")
    await env.CACHE.put("KEY", "upper")
    assert (await env.CACHE.get("key"), await env.CACHE.get("KEY")) == ("lower", "upper")


async def test_kv_get_list_of_keys_returns_dict_with_none_for_missing(env) -> None:
    await env.CACHE.put("a", "1")
    await env.CACHE.put("b", json.dumps({"x": 2}))
    assert await env.CACHE.get(["a", "missing"]) == {"a": "1", "missing": None}
    assert (await env.CACHE.get(["b"], "json")) == {"b": {"x": 2}}


async def test_kv_get_list_of_keys_refuses_array_buffer_type(env) -> None:
    with pytest.raises(JsException, match='KV GET_BULK failed: 400 "arrayBuffer" is not a valid type. Use "json" or "text"'):
        await env.CACHE.get(["a"], "arrayBuffer")


async def test_kv_get_list_of_keys_limits_count(env) -> None:
    with pytest.raises(JsException, match="KV GET_BULK failed: 400 You can request a maximum of 100 keys"):
        await env.CACHE.get([f"k{i}" for i in range(101)])
    with pytest.raises(JsException, match="KV GET_BULK failed: 400 You must request a minimum of 1 key"):
        await env.CACHE.get([])


async def test_kv_get_list_of_keys_json_fails_on_non_json_value(env) -> None:
    await env.CACHE.put("text", "not json")
    with pytest.raises(JsException, match="At least one of the requested keys corresponds to a non-json value"):
        await env.CACHE.get(["text"], "json")


async def test_kv_get_with_metadata_returns_value_and_metadata(env) -> None:
    await env.CACHE.put("k", "v", metadata={"author": "me", "version": 2})
    result = await env.CACHE.getWithMetadata("k")
    assert (result["value"], result["metadata"], result.cacheStatus) == ("v", {"author": "me", "version": 2}, None)


async def test_kv_get_with_metadata_missing_key_returns_nones(env) -> None:
    result = await env.CACHE.getWithMetadata("nope")
    assert (result["value"], result["metadata"]) == (None, None)


async def test_kv_get_with_metadata_list_of_keys(env) -> None:
    await env.CACHE.put("a", "1", {"metadata": {"n": 1}})
    assert await env.CACHE.getWithMetadata(["a", "b"]) == {"a": {"value": "1", "metadata": {"n": 1}}, "b": None}


@pytest.mark.parametrize(
    ("key", "error", "message"),
    [
        ("", TypeError, "Key name cannot be empty."),
        (".", TypeError, '"." is not allowed as a key name.'),
        ("..", TypeError, '".." is not allowed as a key name.'),
        ("x" * 513, JsException, "KV {METHOD} failed: 414 UTF-8 encoded length of 513 exceeds key length limit of 512."),
        ("é" * 257, JsException, "KV {METHOD} failed: 414 UTF-8 encoded length of 514 exceeds key length limit of 512."),
    ],
)
@pytest.mark.parametrize("method", ["get", "put", "delete"])
async def test_kv_rejects_invalid_key_names(env, method: str, key: str, error: type, message: str) -> None:
    args = (key, "v") if method == "put" else (key,)
    with pytest.raises(error) as raised:
        await getattr(env.CACHE, method)(*args)
    assert str(raised.value) == message.replace("{METHOD}", method.upper())


async def test_kv_accepts_key_of_512_bytes(env) -> None:
    await env.CACHE.put("k" * 512, "v")
    assert await env.CACHE.get("k" * 512) == "v"


async def test_kv_put_rejects_value_over_25_mib(env) -> None:
    with pytest.raises(JsException, match="KV PUT failed: 413 Value length of 26214401 exceeds limit of 26214400."):
        await env.CACHE.put("k", b"x" * (25 * 1024 * 1024 + 1))


async def test_kv_put_rejects_metadata_over_1024_bytes(env) -> None:
    metadata = {"key": "x" * (1024 - len('{"key":""}') + 1)}
    with pytest.raises(JsException, match="KV PUT failed: 413 Metadata length of 1025 exceeds limit of 1024."):
        await env.CACHE.put("k", "v", metadata=metadata)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"expirationTtl": 0}, "Invalid expiration_ttl of 0. Please specify integer greater than 0."),
        ({"expirationTtl": "nan"}, "Invalid expiration_ttl of 0. Please specify integer greater than 0."),
        ({"expirationTtl": 30}, "Invalid expiration_ttl of 30. Expiration TTL must be at least 60."),
        (
            {"expiration": NOW_S},
            (
                f"Invalid expiration of {NOW_S}. Please specify integer greater than the current number of seconds "
                "since the UNIX epoch."
            ),
        ),
        (
            {"expiration": NOW_S + 30},
            f"Invalid expiration of {NOW_S + 30}. Expiration times must be at least 60 seconds in the future.",
        ),
    ],
)
async def test_kv_put_validates_expiration(env, options: dict, message: str) -> None:
    with pytest.raises(JsException) as raised:
        await env.CACHE.put("k", "v", options)
    assert str(raised.value) == f"KV PUT failed: 400 {message}"


async def test_kv_expiration_ttl_expires_on_the_runtime_clock(env, clock) -> None:
    await env.CACHE.put("session", "abc", expirationTtl=60)
    await clock.advance(59_000)
    assert await env.CACHE.get("session") == "abc"
    await clock.advance(1_000)
    assert await env.CACHE.get("session") is None


async def test_kv_absolute_expiration_expires(env, clock) -> None:
    await env.CACHE.put("k", "v", {"expiration": NOW_S + 120})
    assert (await env.CACHE.list())["keys"] == [{"name": "k", "expiration": NOW_S + 120}]
    await clock.advance(120_000)
    assert await env.CACHE.get("k") is None
    assert (await env.CACHE.list())["keys"] == []


async def test_kv_get_validates_cache_ttl(env) -> None:
    await env.CACHE.put("k", "v")
    assert await env.CACHE.get("k", cacheTtl=30) == "v"
    with pytest.raises(JsException, match="KV GET failed: 400 Invalid cache_ttl of 10. Cache TTL must be at least 30."):
        await env.CACHE.get("k", cacheTtl=10)


async def test_kv_list_returns_sorted_keys_and_complete_without_cursor(env) -> None:
    for key in ("b", "a", "c"):
        await env.CACHE.put(key, "v")
    result = await env.CACHE.list()
    assert result == {"keys": [{"name": "a"}, {"name": "b"}, {"name": "c"}], "list_complete": True, "cacheStatus": None}
    assert "cursor" not in result


async def test_kv_list_filters_by_prefix_case_sensitively(env) -> None:
    for key in ("user:1", "user:2", "User:3", "post:1", "key\\_%1"):
        await env.CACHE.put(key, "v")
    assert [k["name"] for k in (await env.CACHE.list(prefix="user:"))["keys"]] == ["user:1", "user:2"]
    assert [k["name"] for k in (await env.CACHE.list({"prefix": "key\\_%"}))["keys"]] == ["key\\_%1"]


async def test_kv_list_paginates_with_limit_and_cursor(env) -> None:
    for i in range(5):
        await env.CACHE.put(f"p:{i:03d}", "v")
    page1 = await env.CACHE.list(prefix="p:", limit=2)
    assert ([k["name"] for k in page1["keys"]], page1["list_complete"]) == (["p:000", "p:001"], False)
    page2 = await env.CACHE.list(prefix="p:", limit=2, cursor=page1["cursor"])
    page3 = await env.CACHE.list({"prefix": "p:", "limit": 2, "cursor": page2["cursor"]})
    assert [k["name"] for k in page2["keys"]] == ["p:002", "p:003"]
    assert ([k["name"] for k in page3["keys"]], page3["list_complete"], "cursor" in page3) == (["p:004"], True, False)


async def test_kv_list_cursor_skips_keys_added_behind_it(env) -> None:
    for key in ("k1", "k3", "k5"):
        await env.CACHE.put(key, "v")
    page = await env.CACHE.list(limit=2)
    await env.CACHE.put("k2", "v")
    await env.CACHE.put("k4", "v")
    assert [k["name"] for k in (await env.CACHE.list(cursor=page["cursor"]))["keys"]] == ["k4", "k5"]


async def test_kv_list_includes_expiration_and_metadata(env) -> None:
    await env.CACHE.put("k", "v", expirationTtl=60, metadata={"tag": "listed"})
    assert (await env.CACHE.list())["keys"] == [{"name": "k", "expiration": NOW_S + 60, "metadata": {"tag": "listed"}}]


async def test_kv_list_rejects_limit_over_1000(env) -> None:
    with pytest.raises(JsException, match="KV GET failed: 400 Invalid key_count_limit of 1001. Please specify an integer less than 1000."):
        await env.CACHE.list(limit=1001)


async def test_kv_list_with_none_options(env) -> None:
    assert (await env.CACHE.list(None))["list_complete"] is True


async def test_kv_delete_removes_key_and_ignores_missing(env) -> None:
    await env.CACHE.put("k", "v")
    await env.CACHE.delete("k")
    await env.CACHE.delete("never-existed")
    assert await env.CACHE.get("k") is None


async def test_kv_binding_has_no_len_and_is_not_iterable_but_is_truthy(env) -> None:
    with pytest.raises(TypeError, match="KvNamespace.*has no len"):
        len(env.CACHE)
    with pytest.raises(TypeError, match="KvNamespace.*is not iterable"):
        iter(env.CACHE)
    assert bool(env.CACHE) is True


async def test_kv_is_stored_in_wranglers_layout(env, tmp_path: Path) -> None:
    await env.CACHE.put("k", "value", expirationTtl=60, metadata={"m": 1})
    object_id = IdFactory("miniflare-KVNamespaceObject").from_name(NAMESPACE_ID).toString()
    database = tmp_path / "state" / "v3" / "kv" / "miniflare-KVNamespaceObject" / f"{object_id}.sqlite"
    with sqlite3.connect(database) as db:
        key, blob_id, expiration, metadata = db.execute("SELECT key, blob_id, expiration, metadata FROM _mf_entries").fetchone()
    assert (key, expiration, metadata) == ("k", (NOW_S + 60) * 1000, '{"m":1}')
    assert (tmp_path / "state" / "v3" / "kv" / NAMESPACE_ID / "blobs" / blob_id).read_bytes() == b"value"


async def test_kv_binding_without_id_uses_binding_name(bound_worker, tmp_path: Path) -> None:
    client = await bound_worker(extra='\n[[kv_namespaces]]\nbinding = "LOCAL"\n')
    await client.worker.env.LOCAL.put("k", "v")
    assert (tmp_path / "state" / "v3" / "kv" / "LOCAL" / "blobs").is_dir()


async def test_kv_bindings_table_lists_namespace(bound_worker) -> None:
    client = await bound_worker()
    rows = [tuple(row) for row in client.worker.describe_bindings()]
    assert (f"env.CACHE ({NAMESPACE_ID})", "KV Namespace", "local") in rows


async def test_kv_works_from_a_worker_request(bound_worker) -> None:
    client = await bound_worker()
    response = await client.get("/")
    assert (response.status, await response.text()) == (200, "1")


def test_kv_data_survives_a_restart_of_pyworker_dev(project, run_dev) -> None:
    entry = """
        from workers import Response, WorkerEntrypoint

        class Default(WorkerEntrypoint):
            async def fetch(self, request):
                n = int(await self.env.CACHE.get("n") or 0) + 1
                await self.env.CACHE.put("n", str(n))
                return Response(str(n))
    """
    root = project({"src/entry.py": entry}, '[[kv_namespaces]]\nbinding = "CACHE"\nid = "abc"\n')
    server = run_dev(root, "--no-reload")
    assert [get(server.url), get(server.url)] == ["1", "2"]
    server.stop()
    server = run_dev(root, "--no-reload")
    assert get(server.url) == "3"
    assert "env.CACHE (abc)" in server.output
