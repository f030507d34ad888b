"""The other commands of ``pyworker``: ``init``, ``migrations``, ``bindings``, ``d1`` and ``types``.

Each module adds its parsers with ``register(subparsers)`` and sets ``run`` (``args.run(args)``
returns the exit code); :func:`register_commands` adds them all. Errors are
:class:`~pyworker.errors.PyworkerError`\\ s, which ``pyworker.cli.main`` prints as ``✘ [ERROR] ...``.
"""

from __future__ import annotations

import argparse

__all__ = ["register_commands"]


def register_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``init``, ``migrations``, ``bindings``, ``d1`` and ``types`` to the ``pyworker`` command line."""
    from pyworker.commands import bindings, d1, init, migrations, types

    for command in (init, migrations, bindings, d1, types):
        command.register(commands)
