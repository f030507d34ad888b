"""``[vars]``, ``.dev.vars`` / ``.env`` and ``--var KEY:VALUE``: plain values on ``env``.

Precedence, as ``wrangler dev`` (DO_SPEC §1.9), lowest first:

1. ``[vars]`` of the config (any TOML/JSON value).
2. Local secrets, from files next to the config, parsed with dotenv rules (values are strings):
   ``.dev.vars.<env>`` (with ``--env``), else ``.dev.vars`` — only the first that exists; or, when
   neither exists and ``CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV`` is not ``false``, ``.env``,
   ``.env.local``, ``.env.<env>``, ``.env.<env>.local`` merged (later files win, ``${VAR}``
   expanded). Each file used logs ``Using vars defined in <path>``.
3. ``--var KEY:VALUE``.

Values from the secret files are never printed: the bindings table shows them as ``"(hidden)"``.
The files are read on every build, so a reload picks up an edited ``.dev.vars``.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path
from typing import Any

from pyworker.bindings import BindingContext, BindingRow

__all__ = ["build", "describe", "secret_files"]

log = logging.getLogger("pyworker")

LOAD_FROM_DOT_ENV = "CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV"
"""Set to ``false`` to ignore ``.env`` files when there is no ``.dev.vars``."""

HIDDEN = "(hidden)"
"""What the bindings table shows instead of a secret's value."""


def secret_file_candidates(root: Path, env_name: str | None) -> tuple[list[Path], list[Path]]:
    """Where local secrets may come from (DO_SPEC §1.9): the ``.dev.vars`` files, of which the first
    that exists is used alone, and the ``.env`` files, merged in this order when none of those exists."""
    dev_vars = ([root / f".dev.vars.{env_name}"] if env_name else []) + [root / ".dev.vars"]
    names = [".env", ".env.local"] + ([f".env.{env_name}", f".env.{env_name}.local"] if env_name else [])
    return dev_vars, [root / name for name in names]


def secret_files(root: Path, env_name: str | None) -> list[Path]:
    """The files local secrets are read from, in the order they apply."""
    dev_vars, dot_env = secret_file_candidates(root, env_name)
    for path in dev_vars:
        if path.is_file():
            return [path]
    if os.environ.get(LOAD_FROM_DOT_ENV, "").lower() == "false":
        return []
    return [path for path in dot_env if path.is_file()]


def _secrets(context: BindingContext) -> tuple[dict[str, str], list[Path]]:
    """The local secrets and the files they came from."""
    files = secret_files(context.loaded.root, context.loaded.env_name)
    if not files:
        return {}, []
    from dotenv import dotenv_values  # only when there is a file: a faster start without one

    if files[0].name.startswith(".dev.vars"):
        values = dotenv_values(files[0], interpolate=False)
    else:
        text = "\n".join(path.read_text(encoding="utf-8") for path in files)
        values = dotenv_values(stream=io.StringIO(text), interpolate=True)
    return {name: value for name, value in values.items() if value is not None}, files


def build(context: BindingContext) -> dict[str, Any]:
    """``[vars]``, overridden by local secrets, overridden by ``--var``."""
    secrets, files = _secrets(context)
    for path in files:
        log.info("Using vars defined in %s", os.path.relpath(path, context.dev.cwd))
    return {**context.loaded.config.vars, **secrets, **context.dev.vars}


def describe(context: BindingContext) -> list[BindingRow]:
    """One row per variable, with its value as wrangler shows it (secrets hidden)."""
    secrets, _ = _secrets(context)
    hidden = set(secrets) - set(context.dev.vars)
    values = {**context.loaded.config.vars, **secrets, **context.dev.vars}
    return [
        BindingRow(f"env.{name} ({_shown(HIDDEN if name in hidden else value)})", "Environment Variable", "local")
        for name, value in values.items()
    ]


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
