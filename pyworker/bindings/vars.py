"""``[vars]`` and ``--var KEY:VALUE``: plain values on ``env``."""

from __future__ import annotations

import json
from typing import Any

from pyworker.bindings import BindingContext, BindingRow

__all__ = ["build", "describe"]


def build(context: BindingContext) -> dict[str, Any]:
    """Variables from the config, overridden by ``--var``."""
    return {**context.loaded.config.vars, **context.dev.vars}


def describe(context: BindingContext) -> list[BindingRow]:
    """One row per variable, with its value as wrangler shows it."""
    return [
        BindingRow(f"env.{name} ({_shown(value)})", "Environment Variable", "local")
        for name, value in build(context).items()
    ]


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
