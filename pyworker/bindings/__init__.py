"""Bindings: one module per kind, each with the same two functions.

* ``build(context) -> dict[str, object]`` — the values ``env`` gets for this kind;
  resources to close at shutdown go into ``context.resources``.
* ``describe(context) -> list[BindingRow]`` — rows of the start-up "bindings" table.

The runtime loops over ``BINDING_KINDS`` and imports none of them by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple, Protocol

from pyworker.config import LoadedConfig
from pyworker.dev_config import DevConfig
from pyworker.runtime.gates import OutputGate

__all__ = ["BindingContext", "BindingRow", "BINDING_KINDS", "build_bindings", "describe_bindings"]


class Closable(Protocol):
    def close(self) -> None: ...


@dataclass
class BindingContext:
    """What a binding kind needs to build its values."""

    loaded: LoadedConfig
    dev: DevConfig
    persist_root: Path
    output_gate: OutputGate
    module: ModuleType
    env: Any = None
    resources: list[Closable] = field(default_factory=list)


class BindingRow(NamedTuple):
    """One line of the bindings table: ``env.COUNTER (Counter)   Durable Object   local``."""

    binding: str
    resource: str
    mode: str


def _kinds() -> tuple[ModuleType, ...]:
    from pyworker.bindings import durable_objects, unsupported, vars

    return (durable_objects, unsupported, vars)


BINDING_KINDS = _kinds()


def build_bindings(context: BindingContext) -> dict[str, Any]:
    """All bindings of the worker, in the order of ``BINDING_KINDS``."""
    values: dict[str, Any] = {}
    for kind in BINDING_KINDS:
        values.update(kind.build(context))
    return values


def describe_bindings(context: BindingContext) -> list[BindingRow]:
    """The rows of the start-up bindings table."""
    return [row for kind in BINDING_KINDS for row in kind.describe(context)]
