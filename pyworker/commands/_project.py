"""What the config commands share: reading the project, checking it, and saving checked edits.

A command reads the config like ``pyworker dev`` (same discovery, validation and messages) but does not
stop at the first broken migration: :func:`open_project` keeps the config so that every rule of
:mod:`pyworker.config.rules` can be reported at once. An edit (:func:`save_edit`) is applied to the
text, the result validated and checked again, and written only if it breaks no rule the file did not
already break.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pyworker.config.apply import display_path
from pyworker.config.diagnostics import Origin
from pyworker.config.editing import ConfigDocument, open_document
from pyworker.config.ledger import Ledger
from pyworker.config.loader import DEFAULT_WORKER_NAME, LoadedConfig, find_config_file, key_origin, validate_config_text
from pyworker.config.locate import ConfigFormat
from pyworker.config.parse import config_format
from pyworker.config.rules import Violation, check_migrations, exported_names, locate, render_violations, replay
from pyworker.dev_config import DevConfig
from pyworker.errors import ConfigError, MigrationError

__all__ = ["Project", "add_project_options", "format_table", "open_project", "save_edit"]


@dataclass(frozen=True)
class Project:
    """A project's validated config, its source text, and where ``pyworker dev`` keeps its state."""

    loaded: LoadedConfig
    text: str
    fmt: ConfigFormat
    origin: Origin
    persist_root: Path

    @property
    def file(self) -> str:
        """The config file as messages show it."""
        return self.origin.file

    def section(self, key: str) -> tuple[str, ...]:
        """Where ``key`` (``"migrations"``, ``"durable_objects"``) is declared for the selected
        environment: ``("env", NAME, key)`` when ``[env.NAME]`` declares it, or holds the bindings
        that are not inherited; else ``(key,)``."""
        env = self.loaded.env_name
        if env and ("env", env) in self.origin.locator.lines:
            if key != "migrations" or ("env", env, key) in self.origin.locator.lines:
                return ("env", env, key)
        return (key,)

    def violations(self, *, ledger: bool = False, exports: bool = False) -> list[Violation]:
        """Every rule violation, located in the file; ``ledger`` also checks against the applied
        migrations, ``exports`` against the classes ``main`` exports."""
        found = check_migrations(
            self.loaded.config,
            self.loaded.worker_name,
            applied=Ledger(self.persist_root).applied(self.loaded.worker_name) if ledger else None,
            exports=exported_names(self.loaded.main_path) if exports else None,
        )
        return locate(found, self.origin, self.loaded.env_name)


def add_project_options(parser: argparse.ArgumentParser, *, persist_help: str | None = None) -> None:
    """``--config`` and ``--env`` (as for ``pyworker dev``), and ``--persist-to`` with ``persist_help``."""
    parser.add_argument("-c", "--config", type=Path, help="path to wrangler.toml / wrangler.json(c)")
    parser.add_argument("-e", "--env", help="environment to use, from [env.NAME]")
    if persist_help is not None:
        parser.add_argument("--persist-to", type=Path, help=persist_help)


def open_project(args: argparse.Namespace) -> Project:
    """Find, read and validate the config named by ``args`` (``--config``/``--env``/``--persist-to``).

    Raises:
        ConfigError: as ``pyworker dev`` would, except for broken migrations, which the rules report.
    """
    cwd = Path.cwd()
    path = (cwd / args.config).resolve() if args.config else find_config_file(cwd)
    if path is None:
        raise ConfigError(
            f"No wrangler.json, wrangler.jsonc or wrangler.toml found in {cwd} or any parent directory.\n"
            "Fix: run the command in your project directory, or pass --config PATH."
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(f"Could not read file: {display_path(path)} ({error.strerror or error}).") from None
    persist_to = getattr(args, "persist_to", None)
    persist_root = DevConfig(cwd=cwd, persist_to=persist_to).persist_root(path.parent)
    return _project(text, path, args.env, persist_root)


def _project(text: str, path: Path, env: str | None, persist_root: Path) -> Project:
    """Validate ``text`` as the content of ``path`` with wrangler's rules and messages."""
    display = display_path(path)
    config, _, _ = validate_config_text(text, path, display, env)
    worker_name = config.name or DEFAULT_WORKER_NAME
    classes = replay(config.migrations, worker_name).classes
    loaded = LoadedConfig(
        path=path,
        root=path.parent,
        config=config,
        env_name=env,
        worker_name=worker_name,
        main_path=(path.parent / (config.main or "")).resolve(),
        backends={name: info.sqlite is True for name, info in classes.items()},
    )
    return Project(loaded, text, config_format(path), key_origin(text, path, display), persist_root)


def save_edit(project: Project, edit: Callable[[ConfigDocument], None]) -> Project:
    """Apply ``edit`` to the config file and write it, if the result breaks no new rule.

    Raises:
        ConfigError: the edited config would not be valid (e.g. a binding name used twice).
        MigrationError: the edit would break a migration rule the file did not break before.
    """
    document = open_document(project.text, project.fmt)
    edit(document)
    assert project.loaded.path is not None
    try:
        edited = _project(document.text(), project.loaded.path, project.loaded.env_name, project.persist_root)
    except ConfigError as error:
        raise ConfigError(f"Refusing to change {project.file}: the result would be invalid.\n{error}") from None
    before = {_identity(v) for v in project.violations()}
    introduced = [
        replace(v, file=None, line=None) for v in edited.violations() if _identity(v) not in before
    ]
    if introduced:
        raise MigrationError(
            f"Refusing to change {project.file}: the change would break the rules below; nothing was written.\n\n"
            + render_violations(introduced, f"{project.file} once changed")
        )
    _write(project.loaded.path, document.text())
    return edited


def _identity(violation: Violation) -> tuple[str, str | None, str | None, str]:
    """What makes a violation the same before and after an edit (its line may move)."""
    return violation.rule, violation.tag, violation.class_name, violation.problem


def _write(path: Path, text: str) -> None:
    """Replace the file's content atomically, keeping its permissions."""
    partial = path.with_name(f".{path.name}.pyworker-tmp")
    partial.write_text(text, encoding="utf-8")
    os.chmod(partial, path.stat().st_mode & 0o7777)
    os.replace(partial, path)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows under a header in columns two spaces apart (the last column is not padded)."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[-1]]).rstrip()
        for row in (header, *rows)
    )
