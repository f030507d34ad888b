"""The OpenAPI 3.1 document of the explorer's API, built from ``api.ENDPOINTS`` and the schemas here."""

from __future__ import annotations

from typing import Any

from pyworker import __version__
from pyworker.server.explorer.api import ENDPOINTS

__all__ = ["SCHEMAS", "document"]

_STRING = {"type": "string"}
_INTEGER = {"type": "integer"}
_BOOLEAN = {"type": "boolean"}
_ANY: dict[str, Any] = {}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": [schema["type"], "null"]}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _object(description: str, **properties: dict[str, Any]) -> dict[str, Any]:
    """An object schema whose properties are all required."""
    return {"type": "object", "description": description, "properties": properties, "required": list(properties)}


_SUMMARY = {
    "id": _STRING,
    "name": _nullable(_STRING),
    "stored": _BOOLEAN,
    "live": _BOOLEAN,
    "alarm": {**_nullable(_INTEGER), "description": "alarm time in ms since the epoch"},
    "websockets": _INTEGER,
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": _object("What went wrong", error=_STRING),
    "Overview": _object(
        "The bindings of the served worker, by kind (empty lists when it has none)",
        worker=_STRING,
        durableObjects=_array(_ref("NamespaceSummary")),
        kv=_array(_ref("KVNamespaceSummary")),
        d1=_array(_ref("D1DatabaseSummary")),
    ),
    "NamespaceSummary": _object(
        "A Durable Object binding", binding=_STRING, className=_STRING, sqlite=_BOOLEAN, directory=_STRING,
        objects=_INTEGER,
    ),
    "ObjectSummary": _object("An object: stored (has a state file), live (in memory)", **_SUMMARY),
    "ObjectList": _object(
        "A namespace and its objects", binding=_STRING, className=_STRING, sqlite=_BOOLEAN,
        objects=_array(_ref("ObjectSummary")), truncated=_BOOLEAN,
    ),
    "StoredValue": _object(
        "A stored value as JSON, with its JavaScript type; editable when the JSON is the value itself",
        key=_STRING, type=_STRING, value=_ANY, editable=_BOOLEAN,
    ),
    "Table": _object("A SQL table and its number of rows", name=_STRING, rows=_INTEGER),
    "WebSocketInfo": _object(
        "A hibernatable WebSocket", readyState=_INTEGER, tags=_array(_STRING), attachment=_ANY,
    ),
    "ObjectDetail": _object(
        "One object", **_SUMMARY, binding=_STRING, className=_STRING, sqlite=_BOOLEAN,
        keys=_array(_ref("StoredValue")), keysTruncated=_BOOLEAN, tables=_array(_ref("Table")),
        websocketList=_array(_ref("WebSocketInfo")),
    ),
    "PutValue": _object("The JSON value to store", value=_ANY),
    "DeletedKey": _object("The key that was deleted", key=_STRING, deleted=_BOOLEAN),
    "Query": _object("One read-only SQL statement", query=_STRING),
    "QueryResult": _object(
        "Columns and rows (at most 1000; truncated when there were more)",
        columns=_array(_STRING), rows=_array(_array(_ANY)), truncated=_BOOLEAN,
    ),
    "KVNamespaceSummary": _object(
        "A KV binding: keys on its first page, more when there are others", binding=_STRING, keys=_INTEGER,
        more=_BOOLEAN,
    ),
    "KVKey": _object(
        "A KV key: its value as text (or hex bytes), expiration (s since the epoch) and metadata",
        name=_STRING, expiration=_nullable(_INTEGER), metadata=_ANY, type=_STRING, value=_ANY,
    ),
    "KVKeys": _object(
        "A page of keys; pass cursor to get the next", binding=_STRING, keys=_array(_ref("KVKey")),
        cursor=_nullable(_STRING), complete=_BOOLEAN,
    ),
    "D1DatabaseSummary": _object("A D1 binding", binding=_STRING, name=_STRING),
    "D1Database": _object("A D1 database and its tables", binding=_STRING, name=_STRING, tables=_array(_ref("Table"))),
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def document(root: str) -> dict[str, Any]:
    """The OpenAPI document of the API served under ``root``."""
    paths: dict[str, dict[str, Any]] = {
        "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
    }
    for endpoint in ENDPOINTS:
        operation: dict[str, Any] = {
            "summary": endpoint.summary,
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": _STRING} for name in endpoint.parameters
            ] + [{"name": name, "in": "query", "required": False, "schema": _STRING} for name in endpoint.query],
            "responses": {
                "200": {"description": "OK", **_json(_ref(endpoint.response))},
                "400": {"description": "Bad request, or the query was refused", **_json(_ref("Error"))},
                "404": {"description": "No such binding, object or key", **_json(_ref("Error"))},
            },
        }
        if endpoint.body is not None:
            operation["requestBody"] = {"required": True, **_json(_ref(endpoint.body))}
        paths.setdefault(endpoint.template or "/", {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pyworker local explorer",
            "version": __version__,
            "description": "Durable Objects, KV namespaces and D1 databases of the worker `pyworker dev` serves.",
        },
        "servers": [{"url": root}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
