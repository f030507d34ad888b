"""Reading a wrangler config file into plain data (TOML with ``tomllib``, JSON/JSONC with ``json``).

Syntax errors become a :class:`~pyworker.errors.ConfigError` naming file, line and column, with the
offending line and a caret; nothing here validates keys (that is :mod:`.validation`).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pyworker.config.locate import ConfigFormat
from pyworker.errors import ConfigError

__all__ = ["config_file_name", "config_format", "parse_config_text", "strip_jsonc"]

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def config_format(path: Path) -> ConfigFormat:
    """``"toml"`` for ``*.toml``; anything else is read as JSON with comments (JSONC)."""
    return "toml" if path.suffix == ".toml" else "json"


def config_file_name(path: Path | None) -> str:
    """wrangler's ``configFileName``: the name its messages use for the config file."""
    if path is None:
        return "Wrangler configuration"
    return "wrangler.toml" if config_format(path) == "toml" else "wrangler.json"


def strip_jsonc(text: str) -> str:
    """Blank out ``//`` and ``/* */`` comments and trailing commas, keeping strings intact.

    Removed characters become spaces (newlines are kept), so ``json`` error positions still
    match the original file.

    >>> strip_jsonc('{"url": "http://x", // note\\n "a": [1,],}')
    '{"url": "http://x",        \\n "a": [1 ] }'
    """
    out = list(text)
    pending_comma: int | None = None  # index of a comma that is trailing if a closer follows
    index = 0
    while index < len(text):
        char = text[index]
        if char == '"':
            pending_comma = None
            index = _string_end(text, index)
            continue
        if text.startswith("//", index) or text.startswith("/*", index):
            end = _comment_end(text, index)
            for blank in range(index, end):
                if out[blank] != "\n":
                    out[blank] = " "
            index = end
            continue
        if char in "]}" and pending_comma is not None:
            out[pending_comma] = " "
        if char == ",":
            pending_comma = index
        elif not char.isspace():
            pending_comma = None
        index += 1
    return "".join(out)


def _string_end(text: str, start: int) -> int:
    """Index just past the JSON string that opens at ``start``."""
    index = start + 1
    while index < len(text) and text[index] != '"':
        index += 2 if text[index] == "\\" else 1
    return index + 1


def _comment_end(text: str, start: int) -> int:
    """Index just past the comment at ``start`` (a line comment stops before its newline)."""
    closer = "\n" if text.startswith("//", start) else "*/"
    end = text.find(closer, start + 2)
    if end < 0:
        return len(text)
    return end if closer == "\n" else end + 2


def parse_config_text(text: str, *, fmt: ConfigFormat, file: str) -> dict[str, Any]:
    """Parse the config source; ``file`` is the name used in error messages."""
    try:
        if fmt == "toml":
            data: Any = tomllib.loads(text)
        else:
            data = json.loads(strip_jsonc(text))
    except tomllib.TOMLDecodeError as error:
        raise _toml_syntax_error(error, text, file) from None
    except json.JSONDecodeError as error:
        raise _syntax_error(error.msg, text, file, error.lineno, error.colno) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{file}: the configuration must be an object ({{...}}) at the top level.\n"
            'Fix: wrap the settings in braces, e.g. {"name": "my-worker", "main": "src/entry.py"}.'
        )
    return data


def _toml_syntax_error(error: tomllib.TOMLDecodeError, text: str, file: str) -> ConfigError:
    message = str(error)
    match = _TOML_POSITION.search(message)
    if match is None:  # "... (at end of document)"
        last_line = text.count("\n") + (0 if text.endswith("\n") else 1)
        return _syntax_error(message, text, file, max(last_line, 1), None)
    return _syntax_error(
        message[: match.start()], text, file, int(match.group(1)), int(match.group(2))
    )


def _syntax_error(reason: str, text: str, file: str, line: int, column: int | None) -> ConfigError:
    """``wrangler.toml:3:7: syntax error: <reason>`` followed by the line and a caret."""
    where = f"{file}:{line}" if column is None else f"{file}:{line}:{column}"
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    gutter = f"{line} | "
    caret = "" if column is None else f"\n{' ' * len(gutter)}{' ' * (column - 1)}^"
    return ConfigError(
        f"{where}: syntax error: {reason}\n{gutter}{source}{caret}\n"
        f"Fix the syntax of {file} at that position; nothing was loaded."
    )
