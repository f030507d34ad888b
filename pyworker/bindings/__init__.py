"""Bindings: one module per kind, each with the same functions.

* ``build(context) -> dict[str, object]`` — the values ``env`` gets for this kind. It must not
  change anything already serving: resources it opens go into ``context.resources`` (a resource of
  ``context.previous`` may be carried over under the same key), and changes to carried-over
  resources are deferred with ``context.on_swap``.
* ``describe(context) -> list[BindingRow]`` — rows of the start-up "bindings" table.

The runtime loops over ``BINDING_KINDS`` and imports none of them by name. A reload builds every
kind again (with the serving version as ``previous``, unless everything is to be built anew) and
then calls ``swap_bindings``; a failure in any ``build`` leaves the serving version untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, Protocol

from pyworker.config import LoadedConfig
from pyworker.dev_config import DevConfig
from pyworker.runtime.clock import Clock
from pyworker.runtime.gates import OutputGate

__all__ = [
    "BINDING_KINDS",
    "BindingContext",
    "BindingRow",
    "build_bindings",
    "describe_bindings",
    "swap_bindings",
]


class Closable(Protocol):
    def close(self) -> None: ...


@dataclass
class BindingContext:
    """What a binding kind needs to build its values for one version of the worker.

    Attributes:
        previous: the version being replaced by a reload, whose resources may be carried over;
            None at start-up and when the worker's name, ``main`` or state directory changed
            (everything is built anew).
        resources: what this version serves from, by a key unique among kinds
            (``"durable_objects:Counter"``); closed when a later version does not carry it over.
        on_swap: deferred changes to carried-over resources, run once this version serves.
    """

    loaded: LoadedConfig
    dev: DevConfig
    persist_root: Path
    output_gate: OutputGate
    module: ModuleType
    env: Any = None
    clock: Clock = field(default_factory=Clock)
    previous: BindingContext | None = None
    resources: dict[str, Closable] = field(default_factory=dict)
    on_swap: list[Callable[[], None]] = field(default_factory=list)


    def resource(self, key: str, create: Callable[[], Closable]) -> Any:
        """The resource under ``key``: this version's, else the previous version's (carried
        over), else a new one from ``create()``; recorded in ``resources`` either way."""
        found = self.resources.get(key)
        if found is None and self.previous is not None:
            found = self.previous.resources.get(key)
        if found is None:
            found = create()
        self.resources[key] = found
        return found


class BindingRow(NamedTuple):
    """One line of the bindings table: ``env.COUNTER (Counter)   Durable Object   local``."""

    binding: str
    resource: str
    mode: str


def _kinds() -> tuple[ModuleType, ...]:
    from pyworker.bindings import d1, durable_objects, kv, services, triggers, vars

    return (durable_objects, kv, d1, services, vars, triggers)


BINDING_KINDS = _kinds()


def build_bindings(context: BindingContext) -> dict[str, Any]:
    """All bindings of the worker, in the order of ``BINDING_KINDS``."""
    values: dict[str, Any] = {}
    for kind in BINDING_KINDS:
        values.update(kind.build(context))
    return values


def swap_bindings(serving: BindingContext | None, context: BindingContext) -> None:
    """Make ``context`` the serving version in place of ``serving``: run its deferred changes,
    then close every resource of ``serving`` that it did not carry over."""
    for change in context.on_swap:
        change()
    context.previous, context.on_swap = None, []
    if serving is not None:
        for key, resource in serving.resources.items():
            if context.resources.get(key) is not resource:
                resource.close()


def describe_bindings(context: BindingContext) -> list[BindingRow]:
    """The rows of the start-up bindings table."""
    return [row for kind in BINDING_KINDS for row in kind.describe(context)]
