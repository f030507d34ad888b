"""Finding, reading and validating the wrangler config: the entry point for the rest of pyworker."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyworker.config.diagnostics import Diagnostics, Origin
from pyworker.config.locate import KeyLocator
from pyworker.config.migrations import class_backends
from pyworker.config.parse import config_file_name, config_format, parse_config_text
from pyworker.config.schema import DurableObjectBinding, WranglerConfig, from_mapping
from pyworker.config.validation import (
    SUPPORTED_COMPATIBILITY_DATE,
    missing_compatibility_date_warning,
    normalize_and_validate_config,
)
from pyworker.errors import ConfigError

__all__ = [
    "CONFIG_FILE_NAMES",
    "DEFAULT_WORKER_NAME",
    "LoadedConfig",
    "find_config_file",
    "key_origin",
    "load_config",
    "validate_config_text",
]

CONFIG_FILE_NAMES = ("wrangler.json", "wrangler.jsonc", "wrangler.toml")
"""Looked for in this order in each directory, walking up from the working directory."""

DEFAULT_WORKER_NAME = "worker"
"""The Worker name when the config sets none (wrangler dev's ``DEFAULT_WORKER_NAME``)."""


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config and what follows from it.

    Attributes:
        path: the config file.
        root: its directory (relative paths in the config are resolved against it).
        config: the effective config, with the selected environment applied.
        env_name: the selected environment (``--env``), if any.
        worker_name: the effective Worker name (``"worker"`` if unset, ``<name>-<env>`` in an env).
        main_path: ``main`` resolved against ``root``.
        warnings: rendered warning blocks, ready to print (empty if none).
        backends: every migrated or locally bound Durable Object class -> whether it is
            SQLite-backed.
    """

    path: Path | None
    root: Path
    config: WranglerConfig
    env_name: str | None
    worker_name: str
    main_path: Path
    warnings: list[str] = field(default_factory=list)
    backends: dict[str, bool] = field(default_factory=dict)

    def is_local(self, binding: DurableObjectBinding) -> bool:
        """Is the binding's class exported by this Worker (no ``script_name``, or this Worker's)?"""
        return _is_local(binding, self.worker_name)


def _is_local(binding: DurableObjectBinding, worker_name: str) -> bool:
    return binding.script_name in (None, worker_name)


def find_config_file(start: Path) -> Path | None:
    """The nearest ``wrangler.json``, ``wrangler.jsonc`` or ``wrangler.toml`` from ``start`` up.

    In each directory the first existing name of :data:`CONFIG_FILE_NAMES` wins.
    """
    start = start.resolve()
    for directory in (start, *start.parents):
        for name in CONFIG_FILE_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


def load_config(
    cwd: Path, *, env: str | None = None, config_path: Path | None = None
) -> LoadedConfig:
    """Find (or take ``config_path``), parse and validate the config, and apply ``env``.

    Raises:
        ConfigError: no config file, a syntax error, or any validation error (all of them in
            one message, with file, line and key of each), or a broken migration history.
    """
    cwd = cwd.resolve()
    path = _config_path(cwd, config_path)
    display = os.path.relpath(path, cwd)
    text = _read(path, display)
    config, effective, diagnostics = validate_config_text(text, path, display, env)
    assert config.main is not None  # a missing `main` is a validation error
    warnings = []
    if diagnostics.has_warnings():
        warnings.append(diagnostics.render_warnings(key_origin(text, path, display)))
    if date_warning := missing_compatibility_date_warning(effective, config_file_name(path)):
        warnings.append(date_warning)
    worker_name = config.name or DEFAULT_WORKER_NAME
    local_classes = [
        binding.class_name
        for binding in config.durable_objects.bindings
        if _is_local(binding, worker_name)
    ]
    return LoadedConfig(
        path=path,
        root=path.parent,
        config=config,
        env_name=env,
        worker_name=worker_name,
        main_path=(path.parent / config.main).resolve(),
        warnings=warnings,
        backends=class_backends(config.migrations, local_classes),
    )


def validate_config_text(
    text: str, path: Path, display: str, env: str | None
) -> tuple[WranglerConfig, dict[str, Any], Diagnostics]:
    """Parse ``text``, the content of ``path`` (shown as ``display``), check it with wrangler's rules
    and messages and apply ``env``: the config, its effective mapping and the diagnostics (warnings).

    Raises:
        ConfigError: a syntax error, or every validation error, each with its file and line.
    """
    raw = parse_config_text(text, fmt=config_format(path), file=display)
    effective, diagnostics = normalize_and_validate_config(
        raw, display_path=display, file_name=config_file_name(path), env_name=env
    )
    if diagnostics.has_errors():
        raise ConfigError(diagnostics.render_errors(key_origin(text, path, display)))
    return from_mapping(WranglerConfig, effective), effective, diagnostics


def key_origin(text: str, path: Path, display: str) -> Origin:
    """Where messages about ``path`` point: its name as shown and the line of each key of ``text``
    (found only when a message needs them)."""
    return Origin(display, KeyLocator.from_source(text, config_format(path)))


def _config_path(cwd: Path, config_path: Path | None) -> Path:
    """The explicit ``config_path`` (relative to ``cwd``) or the discovered file."""
    if config_path is not None:
        return (cwd / config_path).resolve()
    found = find_config_file(cwd)
    if found is None:
        raise ConfigError(
            f"No wrangler.json, wrangler.jsonc or wrangler.toml found in {cwd} or any parent "
            "directory.\n"
            "Fix: create wrangler.toml in your project directory, for example:\n"
            '  name = "my-worker"\n'
            '  main = "src/entry.py"\n'
            f'  compatibility_date = "{SUPPORTED_COMPATIBILITY_DATE}"\n'
            '  compatibility_flags = ["python_workers"]'
        )
    return found


def _read(path: Path, display: str) -> str:
    """The file's text (UTF-8, a BOM is dropped)."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            f"Could not read file: {display} (it does not exist).\n"
            "Fix: pass the path of an existing wrangler.toml/.json/.jsonc, or omit it to search "
            "from the current directory upward."
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"Could not read file: {display} ({error}).") from None
