"""Accumulated config errors and warnings, rendered like wrangler's ``diagnostics.ts``.

Validation never raises per field: it appends messages to a tree of :class:`Diagnostics` nodes and
the caller decides afterwards. Each message keeps wrangler's text verbatim and additionally carries
the key path it is about and, optionally, a short fix, so that rendering can say where::

    Processing wrangler.toml configuration:

      - "durable_objects.bindings[1]": {"name":"COUNTER"}
        - wrangler.toml:7 (durable_objects.bindings[1].class_name): binding should have a
          string "class_name" field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pyworker.config.locate import KeyLocator, find_key_line

__all__ = ["Diagnostics", "Message", "Origin", "find_key_line", "join_key"]


def join_key(*parts: str | None) -> str | None:
    """Join key-path pieces with dots, skipping empty ones (``None`` if nothing is left)."""
    return ".".join(part for part in parts if part) or None


@dataclass(frozen=True)
class Message:
    """One error or warning: wrangler's ``text``, the absolute ``key`` path, an optional ``fix``."""

    text: str
    key: str | None = None
    fix: str | None = None


@dataclass(frozen=True)
class Origin:
    """The config file messages point into: its display name and the line of every key."""

    file: str
    locator: KeyLocator

    def where(self, key: str | None) -> str:
        """``"wrangler.toml:7"`` (or just the file name when the line is unknown)."""
        line = self.locator.line(key)
        return self.file if line is None else f"{self.file}:{line}"


@dataclass
class Diagnostics:
    """A node of the tree: a description, its own errors and warnings, and child nodes.

    ``base`` is the key path of the table this node validates (``"env.staging"`` for an
    environment); message keys are relative to it unless they already start with ``env.``.
    """

    description: str
    base: str = ""
    errors: list[Message] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    children: list[Diagnostics] = field(default_factory=list)

    def error(self, text: str, key: str | None = None, *, fix: str | None = None) -> None:
        """Record an error about ``key`` (relative to this node's table)."""
        self.errors.append(Message(text, self.resolve(key), fix))

    def warn(self, text: str, key: str | None = None, *, fix: str | None = None) -> None:
        """Record a warning about ``key`` (relative to this node's table)."""
        self.warnings.append(Message(text, self.resolve(key), fix))

    def resolve(self, key: str | None) -> str | None:
        """The absolute key path of ``key`` (wrangler's ``a.[0]`` written ``a[0]``)."""
        if not key:
            return self.base or None
        key = key.replace(".[", "[")
        return key if key.startswith("env.") else join_key(self.base, key)

    def child(self, description: str, *, base: str | None = None) -> Diagnostics:
        """Create, attach and return a child node (empty children are never rendered)."""
        node = Diagnostics(description, self.base if base is None else base)
        self.children.append(node)
        return node

    def has_errors(self) -> bool:
        """Does this node or any descendant have errors."""
        return bool(self.errors) or any(child.has_errors() for child in self.children)

    def has_warnings(self) -> bool:
        """Does this node or any descendant have warnings."""
        return bool(self.warnings) or any(child.has_warnings() for child in self.children)

    def render_errors(self, origin: Origin | None = None) -> str:
        """The errors of the whole tree, wrangler's layout, each prefixed with its location."""
        return self._render("errors", origin)

    def render_warnings(self, origin: Origin | None = None) -> str:
        """The warnings of the whole tree, wrangler's layout, each prefixed with its location."""
        return self._render("warnings", origin)

    def _render(self, kind: Literal["errors", "warnings"], origin: Origin | None) -> str:
        has = Diagnostics.has_errors if kind == "errors" else Diagnostics.has_warnings
        own = "\n".join(
            f"- {_indent(_located(message, origin))}" for message in getattr(self, kind)
        )
        children = "\n".join(
            "\n- " + child._render(kind, origin) for child in self.children if has(child)
        )
        return _indent(f"{self.description}\n{own}{children}")


def _located(message: Message, origin: Origin | None) -> str:
    """``"<file>:<line> (<key>): <text>"`` plus a ``Fix:`` line when the message has one."""
    text = message.text
    if message.key:
        where = f"{origin.where(message.key)} " if origin else ""
        text = f"{where}({message.key}): {text}"
    return f"{text}\nFix: {message.fix}" if message.fix else text


def _indent(text: str) -> str:
    """Indent all but the first line by two spaces; whitespace-only lines become empty."""
    lines = text.split("\n")
    indented = [lines[0], *(f"  {line}" for line in lines[1:])]
    return "\n".join("" if not line.strip() else line for line in indented)
