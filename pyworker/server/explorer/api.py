"""The explorer's JSON API, under ``/cdn-cgi/explorer/api``: one table of endpoints that both the
router and the OpenAPI document (``openapi.py``) read, so the two cannot drift apart.

A request body must be JSON sent as ``Content-Type: application/json``: another web page cannot send
that (nor a ``PUT`` or ``DELETE``) without a CORS preflight, which this server never grants, so it
cannot drive the API. An error answers ``{"error": message}`` with its status.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from pyworker.config import LoadedConfig
from pyworker.dev_config import DevConfig
from pyworker.server.explorer import d1, durable_objects, kv
from pyworker.server.explorer.errors import BadRequest, ExplorerError

__all__ = ["ENDPOINTS", "Endpoint", "ServedWorker", "add_api_routes"]

log = logging.getLogger("pyworker")


class ServedWorker(Protocol):
    """What the explorer reads of the served worker: its bindings, its config and its settings."""

    env: Any
    dev: DevConfig

    @property
    def loaded(self) -> LoadedConfig: ...


Handler = Callable[[ServedWorker, web.Request], Awaitable[Any]]


@dataclass(frozen=True)
class Endpoint:
    """One route of the API: method, path (aiohttp syntax, below the API root), handler, and what
    the OpenAPI document says of it (``response`` and ``body`` name schemas of ``openapi.SCHEMAS``)."""

    method: str
    path: str
    handler: Handler
    summary: str
    response: str
    body: str | None = None
    query: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """The path as an OpenAPI template: ``{key:.+}`` becomes ``{key}``."""
        return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", self.path)

    @property
    def parameters(self) -> list[str]:
        """Names of the path parameters, in order."""
        return re.findall(r"\{(\w+)", self.path)


async def _json_body(request: web.Request, field: str) -> Any:
    """``field`` of the JSON object in the request body."""
    if request.content_type != "application/json":
        raise BadRequest("Send the body as JSON with Content-Type: application/json")
    try:
        body = await request.json()
    except json.JSONDecodeError as error:
        raise BadRequest(f"The body is not valid JSON: {error}") from None
    if not isinstance(body, dict) or field not in body:
        raise BadRequest(f'The body must be a JSON object with a "{field}" member')
    return body[field]


async def _query_text(request: web.Request) -> str:
    sql = await _json_body(request, "query")
    if not isinstance(sql, str) or not sql.strip():
        raise BadRequest('"query" must be a non-empty SQL string')
    return sql


def _databases(source: ServedWorker) -> dict[str, d1.DatabaseFile]:
    return d1.bound_databases(source.env, source.loaded, source.dev.persist_root(source.loaded.root))


async def _overview(source: ServedWorker, request: web.Request) -> Any:
    return {
        "worker": source.loaded.worker_name,
        "durableObjects": durable_objects.list_namespaces(source.env),
        "kv": await kv.list_namespaces(source.env),
        "d1": d1.list_databases(_databases(source)),
    }


async def _objects(source: ServedWorker, request: web.Request) -> Any:
    return durable_objects.namespace_objects(source.env, request.match_info["binding"])


async def _object(source: ServedWorker, request: web.Request) -> Any:
    return durable_objects.object_detail(source.env, request.match_info["binding"], request.match_info["id"])


async def _put_key(source: ServedWorker, request: web.Request) -> Any:
    info = request.match_info
    value = await _json_body(request, "value")
    return await durable_objects.put_key(source.env, info["binding"], info["id"], info["key"], value)


async def _delete_key(source: ServedWorker, request: web.Request) -> Any:
    info = request.match_info
    return await durable_objects.delete_key(source.env, info["binding"], info["id"], info["key"])


async def _object_query(source: ServedWorker, request: web.Request) -> Any:
    info = request.match_info
    return durable_objects.run_query(source.env, info["binding"], info["id"], await _query_text(request))


async def _kv_keys(source: ServedWorker, request: web.Request) -> Any:
    query = request.query
    return await kv.namespace_keys(source.env, request.match_info["binding"], query.get("prefix", ""), query.get("cursor"))


async def _d1_database(source: ServedWorker, request: web.Request) -> Any:
    return d1.database_tables(_databases(source), request.match_info["binding"])


async def _d1_query(source: ServedWorker, request: web.Request) -> Any:
    return d1.run_query(_databases(source), request.match_info["binding"], await _query_text(request))


_OBJECT = "/durable-objects/{binding}/{id}"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "", _overview, "Every binding the explorer can show, by kind", "Overview"),
    Endpoint("GET", "/durable-objects/{binding}", _objects, "A Durable Object namespace and its objects", "ObjectList"),
    Endpoint("GET", _OBJECT, _object, "One object: stored keys and values, SQL tables, alarm, WebSockets", "ObjectDetail"),
    Endpoint("PUT", _OBJECT + "/storage/{key:.+}", _put_key, "Store a JSON value under a key (an event of the object)",
             "StoredValue", body="PutValue"),
    Endpoint("DELETE", _OBJECT + "/storage/{key:.+}", _delete_key, "Delete a key (an event of the object)", "DeletedKey"),
    Endpoint("POST", _OBJECT + "/query", _object_query, "Run a read-only SQL query on the object's database",
             "QueryResult", body="Query"),
    Endpoint("GET", "/kv/{binding}", _kv_keys, "A page of a KV namespace's keys with their values", "KVKeys",
             query=("prefix", "cursor")),
    Endpoint("GET", "/d1/{binding}", _d1_database, "A D1 database and its tables", "D1Database"),
    Endpoint("POST", "/d1/{binding}/query", _d1_query, "Run a read-only SQL query on a D1 database", "QueryResult",
             body="Query"),
)


def add_api_routes(app: web.Application, source: ServedWorker, root: str) -> None:
    """Serve every endpoint of ``ENDPOINTS`` under ``root`` for ``source``."""
    for endpoint in ENDPOINTS:
        app.router.add_route(endpoint.method, root + endpoint.path, _serve(endpoint.handler, source))


def _serve(handler: Handler, source: ServedWorker) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve(request: web.Request) -> web.Response:
        try:
            return web.json_response(await handler(source, request))
        except ExplorerError as error:
            return web.json_response({"error": str(error)}, status=error.status)
        except Exception as error:  # e.g. the object's constructor raised while delivering an edit
            log.error("Explorer: %s %s failed", request.method, request.path, exc_info=error)
            return web.json_response({"error": f"{type(error).__name__}: {error}"}, status=500)

    return serve
