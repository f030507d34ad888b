"""``[[durable_objects.bindings]]``: one ``DurableObjectNamespace`` per binding, served locally."""

from __future__ import annotations

from typing import Any

from pyworker.bindings import BindingContext, BindingRow
from pyworker.runtime.loader import find_object_class
from pyworker.runtime.namespace import DurableObjectNamespace, ObjectClass

__all__ = ["build", "describe"]


def _local_bindings(context: BindingContext) -> list[Any]:
    worker = context.loaded.worker_name
    return [b for b in context.loaded.config.durable_objects.bindings if b.script_name in (None, worker)]


def build(context: BindingContext) -> dict[str, Any]:
    """A namespace per binding; bindings to the same class share its objects."""
    classes: dict[str, ObjectClass] = {}
    namespaces: dict[str, Any] = {}
    for binding in _local_bindings(context):
        cls = find_object_class(context.module, binding.class_name, binding.name)
        objects = classes.get(binding.class_name)
        if objects is None:
            objects = ObjectClass(
                binding.class_name,
                context.loaded.worker_name,
                context.persist_root,
                context.output_gate,
                cls,
                context.env,
            )
            classes[binding.class_name] = objects
            context.resources.append(objects)
        namespaces[binding.name] = DurableObjectNamespace(binding.name, objects)
    return namespaces


def describe(context: BindingContext) -> list[BindingRow]:
    """``env.COUNTER (Counter)   Durable Object   local``; other workers' classes are not connected."""
    local = {id(b) for b in _local_bindings(context)}
    return [
        BindingRow(
            f"env.{b.name} ({b.class_name}"
            + ("" if id(b) in local else f", defined in {b.script_name}")
            + ")",
            "Durable Object",
            "local" if id(b) in local else "not connected",
        )
        for b in context.loaded.config.durable_objects.bindings
    ]
