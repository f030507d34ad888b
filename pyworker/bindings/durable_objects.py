"""``[[durable_objects.bindings]]``: one ``DurableObjectNamespace`` per binding, served locally.

Across reloads each class keeps its ``ObjectClass`` (its live hosts and open state files), which is
told to serve the new code; a binding whose model did not change keeps its namespace object.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pyworker.bindings import BindingContext, BindingRow
from pyworker.config import DurableObjectBinding
from pyworker.runtime.loader import find_object_class
from pyworker.runtime.namespace import DurableObjectNamespace, ObjectClass

__all__ = ["build", "describe"]


def _local_bindings(context: BindingContext) -> list[DurableObjectBinding]:
    return [b for b in context.loaded.config.durable_objects.bindings if context.loaded.is_local(b)]


def build(context: BindingContext) -> dict[str, Any]:
    """A namespace per binding; bindings to the same class share its objects."""
    previous = context.previous
    namespaces: dict[str, Any] = {}
    for binding in _local_bindings(context):
        cls = find_object_class(context.module, binding.class_name, binding.name)
        key = f"durable_objects:{binding.class_name}"
        objects = context.resources.get(key)
        if objects is None:
            objects = previous.resources.get(key) if previous is not None else None
            if objects is None:
                objects = ObjectClass(
                    binding.class_name,
                    context.loaded.worker_name,
                    context.persist_root,
                    context.output_gate,
                    cls,
                    context.env,
                    clock=context.clock,
                    evict_after_ms=context.dev.evict_after_ms,
                    sqlite=context.loaded.backends.get(binding.class_name, False),
                    limits=context.dev.limits,
                )
                objects.resume_alarms()
            else:
                context.on_swap.append(partial(objects.serve_code, cls, context.env))
            context.resources[key] = objects
        namespaces[binding.name] = _kept_namespace(previous, binding) or DurableObjectNamespace(
            binding.name, objects
        )
    return namespaces


def _kept_namespace(previous: BindingContext | None, binding: DurableObjectBinding) -> DurableObjectNamespace | None:
    """The namespace ``previous`` served for ``binding``, if the binding did not change."""
    if previous is None or binding not in _local_bindings(previous):
        return None
    namespace = vars(previous.env).get(binding.name)
    return namespace if isinstance(namespace, DurableObjectNamespace) else None


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
