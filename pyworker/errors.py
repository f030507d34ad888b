"""Exception types that pyworker shows to users.

Every message says what went wrong, where (file, line or key), and how to fix it.
The CLI prints ``str(error)`` and exits 1 without a Python traceback.
"""

from __future__ import annotations

__all__ = ["PyworkerError", "ConfigError", "MigrationError", "WorkerImportError"]


class PyworkerError(Exception):
    """Base class: ``code`` is a stable identifier, ``message`` the text for humans."""

    code = "ERR_PYWORKER"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ConfigError(PyworkerError):
    """The wrangler configuration (or a command-line flag that overrides it) is invalid."""

    code = "ERR_CONFIG"


class MigrationError(PyworkerError):
    """Durable Object migrations break a rule Cloudflare enforces, or cannot be applied to local state."""

    code = "ERR_MIGRATION"


class WorkerImportError(PyworkerError):
    """The worker's ``main`` module, or a class a binding names, could not be loaded."""

    code = "ERR_WORKER_IMPORT"
