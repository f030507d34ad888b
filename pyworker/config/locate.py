"""Find the line of a key path (``durable_objects.bindings[1].class_name``) in config source text.

A small structural scanner, not a parser: it runs over text that ``tomllib``/``json`` already
accepted and records the first line on which every key path appears. TOML table headers
(``[env.staging.vars]``), arrays of tables (``[[migrations]]``, counted per parent), dotted keys,
inline tables and arrays are understood; JSON/JSONC is read as one inline value (``//`` and
``/* */`` comments skipped). Unknown paths fall back to their nearest recorded parent.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = ["ConfigFormat", "KeyLocator", "KeyPath", "find_key_line", "parse_key_path"]

ConfigFormat = Literal["toml", "json"]
KeyPath = tuple[str | int, ...]

_KEY_PATH_TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = frozenset(",]}\n#")


def parse_key_path(key: str) -> KeyPath:
    """Split ``"a.b[1].c"`` (also wrangler's ``"a.b.[1]"``) into ``("a", "b", 1, "c")``."""
    return tuple(int(index) if index else name for index, name in _KEY_PATH_TOKEN.findall(key))


@dataclass(frozen=True)
class KeyLocator:
    """First 1-based line of every key path found in one config source text."""

    lines: Mapping[KeyPath, int]

    @classmethod
    def from_source(cls, text: str, fmt: ConfigFormat) -> KeyLocator:
        """Scan ``text`` (TOML, or JSON/JSONC) once."""
        scanner = _Scanner(text)
        if fmt == "toml":
            scanner.toml_document()
        else:
            scanner.skip_trivia()
            scanner.value(())
        return cls(scanner.lines)

    def line(self, key: str | None) -> int | None:
        """Line of ``key``, else of its nearest parent present in the file, else None."""
        path = parse_key_path(key or "")
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None


def find_key_line(text: str, key: str, fmt: ConfigFormat) -> int | None:
    """The 1-based line of ``key`` in ``text`` (or of its nearest parent), else None.

    >>> source = '[[migrations]]\\ntag = "v1"\\n[[migrations]]\\ntag = "v2"\\n'
    >>> find_key_line(source, "migrations[1].tag", "toml")
    4
    """
    return KeyLocator.from_source(text, fmt).line(key)


class _Scanner:
    """Cursor over the source that records ``KeyPath -> line`` as it walks keys and values."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[KeyPath, int] = {}
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    # -- primitives -------------------------------------------------------------------------
    def peek(self, size: int = 1) -> str:
        return self.text[self.pos : self.pos + size]

    def line_no(self) -> int:
        return bisect.bisect_right(self._line_starts, self.pos)

    def record(self, path: KeyPath) -> None:
        """Remember the current line for ``path`` and every parent not seen yet."""
        line = self.line_no()
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], line)

    def skip_trivia(self, *, newlines: bool = True) -> None:
        """Skip blanks and comments (``#``, ``//``, ``/* */``); stop at newlines unless asked."""
        blanks = " \t\r\n" if newlines else " \t\r"
        while self.pos < len(self.text):
            char = self.peek()
            if char in blanks:
                self.pos += 1
            elif char == "#" or self.peek(2) == "//":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            elif self.peek(2) == "/*":
                end = self.text.find("*/", self.pos + 2)
                self.pos = len(self.text) if end < 0 else end + 2
            else:
                return

    def string(self) -> str:
        """Consume any TOML/JSON string at the cursor and return its raw contents."""
        for quote in ('"""', "'''"):
            if self.peek(3) == quote:
                return self._delimited(quote, escapes=quote == '"""', multiline=True)
        quote = self.peek()
        return self._delimited(quote, escapes=quote == '"', multiline=False)

    def _delimited(self, quote: str, *, escapes: bool, multiline: bool) -> str:
        self.pos += len(quote)
        start = self.pos
        while self.pos < len(self.text) and self.peek(len(quote)) != quote:
            self.pos += 2 if escapes and self.peek() == "\\" else 1
        contents = self.text[start : self.pos]
        self.pos += len(quote)
        for _ in range(2 if multiline else 0):  # TOML allows two quotes before the closing three
            if self.peek() == quote[0]:
                self.pos += 1
        return contents

    # -- keys and values --------------------------------------------------------------------
    def key(self) -> KeyPath:
        """A dotted TOML key or a quoted JSON key."""
        parts: list[str] = []
        while True:
            self.skip_trivia(newlines=False)
            if self.peek() in ('"', "'"):
                quoted = self.peek() == '"'
                raw = self.string()
                parts.append(_unescape(raw) if quoted else raw)
            else:
                match = _BARE_KEY.match(self.text, self.pos)
                if match is None:
                    return tuple(parts)
                parts.append(match.group())
                self.pos = match.end()
            self.skip_trivia(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.pos += 1

    def value(self, path: KeyPath) -> None:
        """Consume one value, recording the paths inside arrays and inline tables."""
        char = self.peek()
        if char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        elif char in ('"', "'"):
            self.string()
        else:
            while self.pos < len(self.text) and self.peek() not in _SCALAR_END:
                self.pos += 1

    def _array(self, path: KeyPath) -> None:
        def element(index: int) -> None:
            self.record((*path, index))
            self.value((*path, index))

        self._items("]", element)

    def _inline_table(self, path: KeyPath) -> None:
        self._items("}", lambda _: self._key_value(path))

    def _items(self, closer: str, item: Callable[[int], None]) -> None:
        """Comma-separated items up to ``closer``; ``item(i)`` consumes the i-th one."""
        self.pos += 1
        index = 0
        while True:
            self.skip_trivia()
            if self.peek() in (closer, ""):
                self.pos += 1
                return
            if self.peek() == ",":
                self.pos += 1
                continue
            item(index)
            index += 1

    def _key_value(self, table: KeyPath) -> None:
        """``key = value`` (TOML) or ``"key": value`` (JSON) relative to ``table``."""
        key = self.key()
        if not key:  # not a key: step over the character so the scan always advances
            self.pos += 1
            return
        self.record((*table, *key))
        self.skip_trivia(newlines=False)
        if self.peek() in ("=", ":"):
            self.pos += 1
            self.skip_trivia(newlines=False)
            self.value((*table, *key))

    # -- TOML document ------------------------------------------------------------------------
    def toml_document(self) -> None:
        """Walk TOML statements: ``[table]``, ``[[array.of.tables]]`` and ``key = value``."""
        table: KeyPath = ()
        array_counts: dict[KeyPath, int] = {}
        while True:
            self.skip_trivia()
            if self.pos >= len(self.text):
                return
            if self.peek(2) == "[[":
                self.pos += 2
                parent = self._resolve(self.key(), array_counts)
                index = array_counts.get(parent, 0)
                array_counts[parent] = index + 1
                table = (*parent, index)
                self._skip_past("]]")
            elif self.peek() == "[":
                self.pos += 1
                table = self._resolve(self.key(), array_counts)
                self._skip_past("]")
            else:
                self._key_value(table)
                continue
            self.record(table)

    def _skip_past(self, token: str) -> None:
        end = self.text.find(token, self.pos)
        self.pos = len(self.text) if end < 0 else end + len(token)

    @staticmethod
    def _resolve(key: KeyPath, array_counts: dict[KeyPath, int]) -> KeyPath:
        """Insert the current index after every prefix of ``key`` that is an array of tables."""
        resolved: KeyPath = ()
        for part in key:
            if resolved in array_counts:
                resolved = (*resolved, array_counts[resolved] - 1)
            resolved = (*resolved, part)
        return resolved


def _unescape(raw: str) -> str:
    """Decode the escapes of a double-quoted key (rare; JSON rules are close enough)."""
    if "\\" not in raw:
        return raw
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw
