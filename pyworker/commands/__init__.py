"""The config commands of ``pyworker``: ``migrations``, ``bindings`` and ``types``.

Each module adds its parsers with ``register(subparsers)`` and sets ``run`` (``args.run(args)``
returns the exit code); :func:`register_commands` adds them all. Errors are
:class:`~pyworker.errors.PyworkerError`\\ s, which ``pyworker.cli.main`` prints as ``✘ [ERROR] ...``.
"""

from __future__ import annotations

import argparse

__all__ = ["register_commands"]


def register_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``migrations``, ``bindings`` and ``types`` to the ``pyworker`` command line."""
    from pyworker.commands import bindings, migrations, types

    for command in (migrations, bindings, types):
        command.register(commands)
