"""The start-up banner: the bindings table and the hotkeys legend, as wrangler prints them."""

from __future__ import annotations

from collections.abc import Sequence

from pyworker.bindings import BindingRow

__all__ = ["render_bindings", "render_hotkeys"]


def render_bindings(rows: Sequence[BindingRow]) -> str:
    """The "Your Worker has access to the following bindings" table (empty string if none)."""
    if not rows:
        return ""
    header = BindingRow("Binding", "Resource", "Mode")
    widths = [max(len(row[i]) for row in (header, *rows)) + 4 for i in range(2)]
    lines = ["Your Worker has access to the following bindings:"]
    for row in (header, *rows):
        lines.append(f"{row.binding:<{widths[0]}}{row.resource:<{widths[1]}}{row.mode}".rstrip())
    return "\n".join(lines)


def render_hotkeys(keys: Sequence[tuple[str, str]]) -> str:
    """The hotkeys legend in a box, as wrangler prints it after ``Ready on``."""
    text = "  " + ", ".join(f"[{key}] {action}" for key, action in keys) + "  "
    bar = "─" * len(text)
    return f"╭{bar}╮\n│{text}│\n╰{bar}╯"
