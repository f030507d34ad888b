"""``DevConfig``: every setting of ``pyworker dev``, built once from flags and passed everywhere."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pyworker.errors import ConfigError

__all__ = ["DEFAULT_CLIENT_TIMEOUT", "DEFAULT_MAX_BODY_SIZE", "DevConfig", "LogLevel"]

LogLevel = Literal["debug", "info", "log", "warn", "error", "none"]

DEFAULT_MAX_BODY_SIZE = 100 * 1024 * 1024
"""Largest request body served (Cloudflare's limit on the Free and Pro plans); ``PYWORKER_MAX_BODY_SIZE``."""
DEFAULT_CLIENT_TIMEOUT = 60.0
"""Seconds a client has to send a request's headers, and then its body; ``PYWORKER_CLIENT_TIMEOUT``."""


def _from_env(name: str, default: float, kind: type[int] | type[float]) -> float:
    """``$name`` as a positive number, else ``default``."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = -1
    if value <= 0:
        unit = "a whole number of bytes" if kind is int else "a number of seconds"
        raise ConfigError(f"{name}={text!r}: expected {unit} above 0. Fix the variable or unset it.")
    return value


def _default_max_body_size() -> int:
    return int(_from_env("PYWORKER_MAX_BODY_SIZE", DEFAULT_MAX_BODY_SIZE, int))


def _default_client_timeout() -> float:
    return _from_env("PYWORKER_CLIENT_TIMEOUT", DEFAULT_CLIENT_TIMEOUT, float)


class DevConfig(BaseModel):
    """Settings of one ``pyworker dev`` run (flags over defaults)."""

    model_config = ConfigDict(frozen=True)

    cwd: Path = Field(description="Directory the command runs in; config discovery starts here")
    config_path: Path | None = Field(default=None, description="Explicit wrangler config file (--config)")
    ip: str = Field(default="127.0.0.1", description="Address to listen on (--ip)")
    port: int = Field(default=8787, ge=0, le=65535, description="Port to listen on (--port)")
    persist_to: Path | None = Field(default=None, description="Root of local state (--persist-to)")
    env: str | None = Field(default=None, description="Environment from [env.NAME] (--env)")
    vars: dict[str, str] = Field(default_factory=dict, description="Variables from --var KEY:VALUE")
    log_level: LogLevel = Field(default="log", description="Log level (--log-level)")
    reload: bool = Field(default=True, description="Serve new code when files change (--no-reload turns it off)")
    limits: Literal["local", "strict"] = Field(
        default="local", description="Storage limits: wrangler dev's (local) or production's (strict) (--limits)"
    )
    test_scheduled: bool = Field(
        default=False, description="Serve /__scheduled?cron= to run the scheduled handler (--test-scheduled)"
    )
    crons: bool = Field(
        default=False, description="Run the scheduled handler when each cron of [triggers] is due (--crons)"
    )
    evict_after: float = Field(
        default=10.0, ge=0, description="Seconds an idle Durable Object stays in memory; 0 keeps it (--evict-after)"
    )
    max_body_size: int = Field(
        default_factory=_default_max_body_size, ge=0,
        description="Largest request body in bytes, else 413; 0 = no limit (PYWORKER_MAX_BODY_SIZE)",
    )
    client_timeout: float = Field(
        default_factory=_default_client_timeout, gt=0,
        description="Seconds to send a request's headers, then its body, else the connection closes "
        "(PYWORKER_CLIENT_TIMEOUT)",
    )

    @property
    def evict_after_ms(self) -> float | None:
        """Idle time before eviction in ms, or None when eviction is off."""
        return self.evict_after * 1000 if self.evict_after else None

    def persist_root(self, config_dir: Path) -> Path:
        """``--persist-to`` resolved against the working directory, else ``<config dir>/.wrangler/state``."""
        if self.persist_to is not None:
            return (self.cwd / self.persist_to).resolve()
        return config_dir / ".wrangler" / "state"
