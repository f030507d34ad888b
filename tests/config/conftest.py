"""Factories that write a config file into ``tmp_path`` and load it."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Protocol

import pytest

from pyworker.config import LoadedConfig, load_config
from pyworker.errors import ConfigError

BASE_TOML = """\
name = "app"
main = "src/entry.py"
compatibility_date = "2025-11-01"
compatibility_flags = ["python_workers"]
"""
"""A valid config of four lines: tests append to it, so their keys start on line 5."""


class WriteConfig(Protocol):
    def __call__(self, text: str, name: str = "wrangler.toml") -> Path: ...


class LoadConfig(Protocol):
    def __call__(
        self, text: str, *, env: str | None = None, name: str = "wrangler.toml"
    ) -> LoadedConfig: ...


class RenderedText(Protocol):
    def __call__(
        self, text: str, *, env: str | None = None, name: str = "wrangler.toml"
    ) -> str: ...


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """Write ``text`` (dedented) as ``tmp_path/name``."""

    def write(text: str, name: str = "wrangler.toml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(tmp_path: Path, write_config: WriteConfig) -> LoadConfig:
    """Write a config and load it from ``tmp_path``."""

    def load_text(
        text: str, *, env: str | None = None, name: str = "wrangler.toml"
    ) -> LoadedConfig:
        write_config(text, name)
        return load_config(tmp_path, env=env)

    return load_text


@pytest.fixture
def config_error(load: LoadConfig) -> RenderedText:
    """Write a config, expect loading it to fail, and return the error text."""

    def error_text(text: str, *, env: str | None = None, name: str = "wrangler.toml") -> str:
        with pytest.raises(ConfigError) as caught:
            load(text, env=env, name=name)
        return str(caught.value)

    return error_text


@pytest.fixture
def warnings_of(load: LoadConfig) -> RenderedText:
    """Load a valid config and return all its warning blocks joined."""

    def warnings(text: str, *, env: str | None = None, name: str = "wrangler.toml") -> str:
        return "\n".join(load(text, env=env, name=name).warnings)

    return warnings
