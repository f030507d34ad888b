"""The explorer's Durable Objects section: namespaces, their objects, and each object's storage,
alarm and WebSockets; edits of stored keys.

Reading never touches the running objects: keys, names, alarms and SQL come from the state files
through read-only connections (``readonly_sql``), so browsing constructs nothing and changes nothing.
Writing goes through the object: a put or delete is an event delivered with ``ObjectHost.deliver``,
so the input and output gates apply as to any request, and the object's cache stays right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyworker.runtime.durable_object import DurableObject
from pyworker.runtime.http import RangeError
from pyworker.runtime.ids import DurableObjectId
from pyworker.runtime.introspection import object_class, object_host, stored_ids
from pyworker.runtime.namespace import DurableObjectNamespace, ObjectClass
from pyworker.server.explorer import readonly_sql
from pyworker.server.explorer.errors import BadRequest, NotFound
from pyworker.server.explorer.values import describe, to_json
from pyworker.storage import codec
from pyworker.storage.errors import StorageError

__all__ = ["delete_key", "list_namespaces", "namespace_objects", "object_detail", "put_key", "run_query"]

MAX_OBJECTS = 1000
"""Objects listed per namespace."""

MAX_KEYS = 1000
"""Keys shown per object."""

_NS_PER_MS = 1_000_000


def _namespaces(env: Any) -> dict[str, DurableObjectNamespace]:
    return {name: value for name, value in vars(env).items() if isinstance(value, DurableObjectNamespace)}


def _namespace(env: Any, binding: str) -> DurableObjectNamespace:
    namespace = _namespaces(env).get(binding)
    if namespace is None:
        raise NotFound(f"No Durable Object binding named {binding!r}")
    return namespace


def _object_ids(objects: ObjectClass) -> list[str]:
    """Objects with a state file, and objects in memory or holding WebSockets without one."""
    running = (key for key, host in objects.hosts.items() if host.instance is not None or host.websockets.get_websockets())
    return sorted({*stored_ids(objects), *running})


def _parsed_id(namespace: DurableObjectNamespace, object_id: str) -> DurableObjectId:
    try:
        return namespace.idFromString(object_id)
    except TypeError:
        raise NotFound(f"{object_id!r} is not an object id of this namespace") from None


def _state_file(objects: ObjectClass, object_id: str) -> Path:
    return objects.directory / f"{object_id}.sqlite"


def list_namespaces(env: Any) -> list[dict[str, Any]]:
    """Every Durable Object binding of ``env``: binding, class, backend, state folder, object count."""
    rows = []
    for binding, namespace in _namespaces(env).items():
        objects = object_class(namespace)
        rows.append({
            "binding": binding,
            "className": objects.class_name,
            "sqlite": objects.sqlite,
            "directory": str(objects.directory),
            "objects": len(_object_ids(objects)),
        })
    return rows


def namespace_objects(env: Any, binding: str) -> dict[str, Any]:
    """``binding``'s namespace with its objects (at most ``MAX_OBJECTS``)."""
    namespace = _namespace(env, binding)
    objects = object_class(namespace)
    ids = _object_ids(objects)
    return {
        "binding": binding,
        "className": objects.class_name,
        "sqlite": objects.sqlite,
        "objects": [_summary(objects, object_id) for object_id in ids[:MAX_OBJECTS]],
        "truncated": len(ids) > MAX_OBJECTS,
    }


def _summary(objects: ObjectClass, object_id: str) -> dict[str, Any]:
    path = _state_file(objects, object_id)
    host = objects.hosts.get(object_id)
    name = host.id.name if host is not None else None
    if name is None:
        rows = readonly_sql.read_rows(path, "SELECT name FROM __miniflare_do_name WHERE id = 1")
        name = rows[0][0] if rows else None
    rows = readonly_sql.read_rows(path, "SELECT value FROM _cf_METADATA WHERE key = 1")
    alarm = int(rows[0][0]) // _NS_PER_MS if rows and rows[0][0] is not None else None
    return {
        "id": object_id,
        "name": name,
        "stored": path.is_file(),
        "live": host is not None and host.instance is not None,
        "alarm": alarm,
        "websockets": len(host.websockets.get_websockets()) if host is not None else 0,
    }


def object_detail(env: Any, binding: str, object_id: str) -> dict[str, Any]:
    """One object: its summary, stored keys and values (decoded), SQL tables and WebSockets."""
    namespace = _namespace(env, binding)
    objects = object_class(namespace)
    object_id = _parsed_id(namespace, object_id).toString()
    path = _state_file(objects, object_id)
    rows = readonly_sql.read_rows(path, "SELECT key, value FROM _cf_KV ORDER BY key LIMIT ?", (MAX_KEYS + 1,))
    host = objects.hosts.get(object_id)
    sockets = host.websockets.get_websockets() if host is not None else []
    return {
        **_summary(objects, object_id),
        "binding": binding,
        "className": objects.class_name,
        "sqlite": objects.sqlite,
        "keys": [{"key": key, **describe(codec.decode(value))} for key, value in rows[:MAX_KEYS]],
        "keysTruncated": len(rows) > MAX_KEYS,
        "tables": readonly_sql.user_tables(path) if objects.sqlite else [],
        "websocketList": [
            {
                "readyState": ws.readyState,
                "tags": list(host.websockets.get_tags(ws)),
                "attachment": to_json(ws.deserializeAttachment()),
            }
            for ws in sockets
        ],
    }


def run_query(env: Any, binding: str, object_id: str, sql: str) -> dict[str, Any]:
    """A read-only query on the object's SQLite database."""
    namespace = _namespace(env, binding)
    objects = object_class(namespace)
    path = _state_file(objects, _parsed_id(namespace, object_id).toString())
    if not objects.sqlite:
        raise BadRequest(f"{objects.class_name} is not a SQLite-backed class (see new_sqlite_classes)")
    try:
        return readonly_sql.query(path, sql)
    except readonly_sql.QueryError as error:
        raise BadRequest(str(error)) from None


async def put_key(env: Any, binding: str, object_id: str, key: str, value: Any) -> dict[str, Any]:
    """Store ``value`` under ``key`` as an event of the object; the stored value, described."""
    namespace = _namespace(env, binding)

    async def put(instance: DurableObject) -> None:
        try:
            await instance.ctx.storage.put(key, value)
        except (StorageError, RangeError, TypeError) as error:  # limits, unusable key
            raise BadRequest(str(error)) from None

    await object_host(namespace.get(_parsed_id(namespace, object_id))).deliver(put)
    return {"key": key, **describe(value)}


async def delete_key(env: Any, binding: str, object_id: str, key: str) -> dict[str, Any]:
    """Delete ``key`` as an event of the object: ``{"key", "deleted"}``; NotFound if it was not there."""
    namespace = _namespace(env, binding)

    async def delete(instance: DurableObject) -> bool:
        return bool(await instance.ctx.storage.delete(key))

    if not await object_host(namespace.get(_parsed_id(namespace, object_id))).deliver(delete):
        raise NotFound(f"No key {key!r} in this object")
    return {"key": key, "deleted": True}
