"""``DevConfig``: every setting of ``pyworker dev``, built once from flags and passed everywhere."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from pyworker.errors import ConfigError

__all__ = ["DEFAULT_CLIENT_TIMEOUT", "DEFAULT_MAX_BODY_SIZE", "DevConfig", "Limits", "LogLevel"]

LogLevel = Literal["debug", "info", "log", "warn", "error", "none"]
Limits = Literal["local", "strict"]

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


@dataclass(frozen=True, kw_only=True)
class DevConfig:
    """Settings of one ``pyworker dev`` run (flags over defaults); checked when built."""

    cwd: Path
    """Directory the command runs in; config discovery starts here."""
    config_path: Path | None = None
    """Explicit wrangler config file (--config)."""
    ip: str = "127.0.0.1"
    """Address to listen on (--ip)."""
    port: int = 8787
    """Port to listen on (--port); 0 picks a free one."""
    persist_to: Path | None = None
    """Root of local state (--persist-to)."""
    env: str | None = None
    """Environment from [env.NAME] (--env)."""
    vars: dict[str, str] = field(default_factory=dict)
    """Variables from --var KEY:VALUE."""
    log_level: LogLevel = "log"
    """Log level (--log-level)."""
    reload: bool = True
    """Serve new code when files change (--no-reload turns it off)."""
    limits: Limits = "local"
    """Storage limits: wrangler dev's (local) or production's (strict) (--limits)."""
    test_scheduled: bool = False
    """Serve /__scheduled?cron= to run the scheduled handler (--test-scheduled)."""
    crons: bool = False
    """Run the scheduled handler when each cron of [triggers] is due (--crons)."""
    evict_after: float = 10.0
    """Seconds an idle Durable Object stays in memory; 0 keeps it (--evict-after)."""
    max_body_size: int = field(default_factory=_default_max_body_size)
    """Largest request body in bytes, else 413; 0 = no limit (PYWORKER_MAX_BODY_SIZE)."""
    client_timeout: float = field(default_factory=_default_client_timeout)
    """Seconds to send a request's headers, then its body, else the connection closes (PYWORKER_CLIENT_TIMEOUT)."""

    def __post_init__(self) -> None:
        if not 0 <= self.port <= 65535:
            raise ConfigError(f"--port {self.port}: expected a port number from 0 to 65535.")
        if self.evict_after < 0:
            raise ConfigError(f"--evict-after {self.evict_after:g}: expected 0 (never) or more seconds.")
        if self.log_level not in get_args(LogLevel):
            raise ConfigError(f"log level {self.log_level!r}: expected one of {', '.join(get_args(LogLevel))}.")
        if self.limits not in get_args(Limits):
            raise ConfigError(f"limits {self.limits!r}: expected one of {', '.join(get_args(Limits))}.")

    @property
    def evict_after_ms(self) -> float | None:
        """Idle time before eviction in ms, or None when eviction is off."""
        return self.evict_after * 1000 if self.evict_after else None

    def persist_root(self, config_dir: Path) -> Path:
        """``--persist-to`` resolved against the working directory, else ``<config dir>/.wrangler/state``."""
        if self.persist_to is not None:
            return (self.cwd / self.persist_to).resolve()
        return config_dir / ".wrangler" / "state"
