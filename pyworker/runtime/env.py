"""``env``: the worker's bindings, read as attributes (``env.COUNTER``, ``env.API_KEY``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Env"]


class Env:
    """The bindings of a worker; a missing name raises an AttributeError that lists the bound ones."""

    def __init__(self, bindings: Mapping[str, Any]) -> None:
        self.__dict__.update(bindings)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        bound = ", ".join(sorted(self.__dict__)) or "none"
        raise AttributeError(
            f"env has no binding named {name!r} (bound: {bound}). "
            "Declare it in wrangler.toml ([vars], [[durable_objects.bindings]], ...)."
        )

    def __contains__(self, name: object) -> bool:
        return name in self.__dict__

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dict__)

    def __repr__(self) -> str:
        return f"Env({', '.join(self.__dict__)})"
