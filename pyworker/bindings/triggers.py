"""``[triggers] crons`` with ``pyworker dev --crons``: timers that run the ``scheduled`` handler.

Not a binding (nothing is added to ``env``), but it follows the bindings' life cycle: the timers
start once their version serves, keep running across reloads that leave the crons as they were
(pointed at the new code), and stop when a reload changes the crons or the server stops. Without
``--crons``, crons only run when asked (``/cdn-cgi/handler/scheduled``), as in ``wrangler dev``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from pyworker.bindings import BindingContext, BindingRow
from pyworker.runtime.loader import find_entrypoint
from pyworker.runtime.scheduled import CronTimers

__all__ = ["build", "describe"]

_KEY = "triggers:crons"


def build(context: BindingContext) -> dict[str, Any]:
    """Arm (or carry over) the cron timers when ``--crons`` is on; adds nothing to ``env``."""
    crons = context.loaded.config.triggers.crons or []
    if not context.dev.crons or not crons:
        return {}
    previous = context.previous.resources.get(_KEY) if context.previous is not None else None
    entrypoint = find_entrypoint(context.module)
    if isinstance(previous, CronTimers) and previous.crons == tuple(crons):
        timers = previous
        context.on_swap.append(partial(timers.serve, entrypoint, context.env))
    else:
        timers = CronTimers(crons, context.clock)
        timers.serve(entrypoint, context.env)
        context.on_swap.append(timers.start)
    context.resources[_KEY] = timers
    return {}


def describe(context: BindingContext) -> list[BindingRow]:
    """Nothing: triggers are not bindings."""
    return []
