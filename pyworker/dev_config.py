"""``DevConfig``: every setting of ``pyworker dev``, built once from flags and passed everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DevConfig", "LogLevel"]

LogLevel = Literal["debug", "info", "log", "warn", "error", "none"]


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
    evict_after: float = Field(
        default=10.0, ge=0, description="Seconds an idle Durable Object stays in memory; 0 keeps it (--evict-after)"
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
