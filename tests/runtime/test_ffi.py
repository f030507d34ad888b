"""The ``js`` and ``pyodide.ffi`` stand-ins: Pyodide-style code runs unchanged in CPython."""

from __future__ import annotations

import datetime

from js import Date, Object, Response, WebSocketPair, WebSocketRequestResponsePair, console
from pyodide.ffi import JsArray, JsBuffer, JsException, JsProxy, create_proxy, to_js
from pyworker.runtime.ffi import JsObject, JsTypeError


def test_ffi_to_js_converts_containers_and_to_py_converts_back() -> None:
    value = to_js({"a": [1, b"\x01"], "b": {"c": None}}, dict_converter=Object.fromEntries)
    assert isinstance(value, JsObject) and isinstance(value["a"], JsArray) and isinstance(value["a"][1], JsBuffer)
    assert value.a[0] == 1 and value.b.c is None
    plain = value.to_py()
    assert plain == {"a": [1, memoryview(b"\x01")], "b": {"c": None}} and type(plain["b"]) is dict
    assert to_js("text") == "text" and to_js(5) == 5


def test_ffi_js_objects_list_their_keys_values_and_entries() -> None:
    value = to_js({"x": 1, "y": 2})
    assert (value.object_keys(), value.object_values(), value.object_entries()) == (
        ["x", "y"], [1, 2], [["x", 1], ["y", 2]]
    )  # fmt: skip
    assert Object.keys(value) == ["x", "y"] and Object.entries({"k": "v"}) == [["k", "v"]]


def test_ffi_create_proxy_calls_through_and_can_be_destroyed() -> None:
    proxy = create_proxy(lambda x: x * 2)
    assert proxy(21) == 42
    proxy.destroy()


def test_ffi_runtime_errors_are_js_exceptions_and_python_errors() -> None:
    error = JsTypeError("bad")
    assert isinstance(error, JsException) and isinstance(error, TypeError)
    assert (error.name, error.message, str(error)) == ("TypeError", "bad", "bad")


def test_ffi_websocket_objects_are_js_proxies() -> None:
    pair = WebSocketPair.new()
    client, server = pair.object_values()
    assert isinstance(client, JsProxy) and client.to_py() is client
    assert list(Object.values(pair)) == [client, server]
    assert WebSocketRequestResponsePair.new("a", "b").response == "b"


def test_js_date_now_and_new() -> None:
    assert abs(Date.now() - datetime.datetime.now().timestamp() * 1000) < 5000
    date = Date.new(1_795_000_000_123)
    assert date.getTime() == 1_795_000_000_123 and isinstance(date.getTime(), int)
    assert date.toISOString() == "2026-11-18T11:06:40.123Z"
    assert date.to_py() == datetime.datetime(2026, 11, 18, 11, 6, 40, 123000, tzinfo=datetime.timezone.utc)


def test_js_response_new_builds_a_websocket_upgrade() -> None:
    client, _ = WebSocketPair()
    response = Response.new(None, {"status": 101, "webSocket": client})
    assert response.status == 101 and response.web_socket is client
    assert Response.new("hi", status=201, headers={"x-a": "1"}).headers["x-a"] == "1"


def test_js_console_prints_to_stdout_and_stderr(capsys) -> None:  # type: ignore[no-untyped-def]
    console.log("a", 1)
    console.error("oops")
    out, err = capsys.readouterr()
    assert out == "a 1\n" and err == "oops\n"
