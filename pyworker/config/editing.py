"""Editing a wrangler config in place: comments, formatting and order of everything else are kept.

pyworker's commands make three kinds of edit, the same for ``wrangler.toml`` (through tomlkit) and
``wrangler.json``/``.jsonc`` (a text-level edit guided by a small JSONC scanner, so that comments
survive):

* :meth:`ConfigDocument.append` an entry to a list of tables (``[[migrations]]``,
  ``[[durable_objects.bindings]]``, ...), creating the list after the file's last section if absent;
* :meth:`ConfigDocument.remove` one entry of such a list;
* :meth:`ConfigDocument.set_string` a string value (a binding's ``class_name``).

Comments follow the entries they describe: a comment block right above an entry (no blank line in
between) belongs to it and leaves with it; a block after a blank line introduces what follows and
stays in front of it. A new entry is separated by a blank line and formatted like its neighbours.

>>> doc = open_document('# app\\n[[migrations]]\\ntag = "v1"  # first\\n', "toml")
>>> doc.append(("migrations",), {"tag": "v2", "new_sqlite_classes": ["Game"]})
>>> print(doc.text(), end="")
# app
[[migrations]]
tag = "v1"  # first
<BLANKLINE>
[[migrations]]
tag = "v2"
new_sqlite_classes = ["Game"]
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.items import AoT, Array, Comment, Item, Null, Table, Whitespace

from pyworker.config.locate import ConfigFormat, KeyPath

__all__ = ["ConfigDocument", "open_document"]


class ConfigDocument(ABC):
    """A config file's text and the edits pyworker makes to it."""

    @abstractmethod
    def append(self, path: tuple[str, ...], entry: dict[str, Any]) -> None:
        """Append ``entry`` to the list of tables at ``path``, creating the list if absent."""

    @abstractmethod
    def remove(self, path: tuple[str, ...], index: int) -> None:
        """Remove the ``index``-th entry of the list at ``path`` (the list goes when empty)."""

    @abstractmethod
    def set_string(self, path: KeyPath, value: str) -> None:
        """Replace the string at ``path`` (e.g. ``("durable_objects", "bindings", 0, "class_name")``)."""

    @abstractmethod
    def text(self) -> str:
        """The edited source."""


def open_document(text: str, fmt: ConfigFormat) -> ConfigDocument:
    """An editable document of ``text`` (``"toml"``, or ``"json"`` for JSON and JSONC)."""
    return TomlDocument(text) if fmt == "toml" else JsoncDocument(text)


# -- TOML -------------------------------------------------------------------------------------------
class TomlDocument(ConfigDocument):
    """``wrangler.toml`` through tomlkit, which renders untouched parts byte for byte."""

    def __init__(self, text: str) -> None:
        self._doc = tomlkit.parse(text)

    def text(self) -> str:
        return self._doc.as_string()

    def append(self, path: tuple[str, ...], entry: dict[str, Any]) -> None:
        parent = self._table(path[:-1], create=True)
        current = parent.get(path[-1])
        if isinstance(current, Array):
            inline = tomlkit.inline_table()
            inline.update(entry)
            current.append(inline)
        elif isinstance(current, AoT):
            _append_table(current, _toml_table(entry))
        else:
            aot = tomlkit.aot()
            aot.append(_toml_table(entry))
            parent.append(path[-1], aot)

    def remove(self, path: tuple[str, ...], index: int) -> None:
        parent = self._table(path[:-1], create=False)
        current = parent[path[-1]]
        if isinstance(current, Array):
            del current[index]
            return
        assert isinstance(current, AoT)
        _, rest = _split_trailing(_last_table(current.body[index]))  # attached comments leave with it
        if index > 0:
            previous = _last_table(current.body[index - 1])
            attached, previous_rest = _split_trailing(previous)
            _extend(previous, attached + _join_blank(_without_own_lead(previous_rest), rest))
            del current[index]
            return
        self._drop_comment_above(path)
        if len(current.body) > 1:
            _place_before(rest, current.body[1], self._doc)
            del current[index]
            return
        following = self._following_header(path)
        del parent[path[-1]]
        self._drop_empty(path[:-1])
        if following is None:
            self._trim_end()
        _place_before(rest, following, self._doc)

    def set_string(self, path: KeyPath, value: str) -> None:
        node: Any = self._doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    def _table(self, path: tuple[str, ...], *, create: bool) -> Any:
        node: Any = self._doc
        for key in path:
            if key not in node:
                if not create:
                    raise KeyError(key)
                node.append(key, tomlkit.table(is_super_table=True))
            node = node[key]
        return node

    def _drop_comment_above(self, path: tuple[str, ...]) -> None:
        """Drop the comment block right above the first header of the list at ``path``, which the
        table rendered before it holds (comments between plain keys and the list stay)."""
        for depth in range(len(path) - 1, -1, -1):
            container = self._table(path[:depth], create=False)
            body = _body(container)
            position = _position(body, path[depth])
            if position == 0 and depth and isinstance(container, Table) and container.is_super_table():
                continue  # a [a.b] table without a header of its own: look before [a]
            key, item = body[position - 1] if position else (None, None)
            table = _last_table(item) if key is not None else None
            if table is not None:
                attached, rest = _split_trailing(table)
                _extend(table, attached + _without_own_lead(rest))
            return

    def _following_header(self, path: tuple[str, ...]) -> Table | None:
        """The first table rendered with a header after the item at ``path``, if any."""
        for depth in range(len(path) - 1, -1, -1):
            body = _body(self._table(path[:depth], create=False))
            after = body[_position(body, path[depth]) + 1 :]
            header = next((h for _, item in after if (h := _first_header(item)) is not None), None)
            if header is not None:
                return header
        return None

    def _trim_end(self) -> None:
        """Drop the blank lines at the end of the file (left over when its last section went)."""
        body = _body(self._doc)
        last = _last_table(body[-1][1]) if body else None
        if last is not None:
            attached, rest = _split_trailing(last)
            trivia = attached + rest
            while trivia and _is_blank(trivia[-1]):
                trivia.pop()
            _extend(last, trivia)

    def _drop_empty(self, path: tuple[str, ...]) -> None:
        """Remove tables along ``path`` that the removal left empty (``[durable_objects]``)."""
        for depth in range(len(path), 0, -1):
            parent = self._table(path[: depth - 1], create=False)
            child = parent[path[depth - 1]]
            if not isinstance(child, Table) or any(key is not None for key, _ in child.value.body):
                return
            del parent[path[depth - 1]]


def _toml_table(entry: dict[str, Any]) -> Table:
    """A ``[[...]]`` entry: string lists on one line, lists of tables as inline tables."""
    table = tomlkit.table()
    for key, value in entry.items():
        if isinstance(value, list):
            array = tomlkit.array()
            for element in value:
                if isinstance(element, dict):
                    inline = tomlkit.inline_table()
                    inline.update(element)
                    element = inline
                array.append(element)
            value = array
        table.add(key, value)
    return table


def _body(container: Any) -> list[tuple[Any, Item]]:
    """The (key, item) list of the document or of a table."""
    return container.body if isinstance(container, Container) else container.value.body


def _position(body: list[tuple[Any, Item]], key: str) -> int:
    """The index of ``key`` in a document or table body."""
    return next(i for i, (k, _) in enumerate(body) if k is not None and k.key == key)


def _last_table(item: Item) -> Table | None:
    """The table rendered last within ``item``: the one whose end holds the comments and blank
    lines that come before the next header."""
    if isinstance(item, AoT):
        return _last_table(item.body[-1]) if item.body else None
    if not isinstance(item, Table):
        return None
    children = [child for key, child in item.value.body if key is not None]
    if children and isinstance(children[-1], (Table, AoT)):
        return _last_table(children[-1]) or item
    return None if item.is_super_table() else item


def _split_trailing(table: Table) -> tuple[list[Item], list[Item]]:
    """Pop the comments and blank lines after the table's last key.

    Returns the part attached to the table (comments before the first blank line) and the rest,
    which introduces whatever follows in the file.
    """
    body = table.value.body
    end = len(body)
    while end and body[end - 1][0] is None and isinstance(body[end - 1][1], (Whitespace, Comment, Null)):
        end -= 1
    trailing = [item for _, item in body[end:] if not isinstance(item, Null)]  # Null: a removed key
    del body[end:]
    blank = next((i for i, item in enumerate(trailing) if _is_blank(item)), len(trailing))
    return trailing[:blank], trailing[blank:]


def _is_blank(item: Item) -> bool:
    return isinstance(item, Whitespace) and "\n" in item.as_string()


def _without_own_lead(rest: list[Item]) -> list[Item]:
    """``rest`` without its last comment block, the one right above the next entry's header."""
    end = len(rest)
    while end and isinstance(rest[end - 1], Comment):
        end -= 1
    return rest[:end]


def _join_blank(first: list[Item], second: list[Item]) -> list[Item]:
    """Concatenate two trivia runs without doubling the blank line between them."""
    if first and second and _is_blank(first[-1]) and _is_blank(second[0]):
        return first + second[1:]
    return first + second


def _extend(table: Table, items: list[Item]) -> None:
    for item in items:
        table.value.append(None, item)


def _append_table(aot: AoT, table: Table) -> None:
    """Append after the last entry, a blank line apart; what introduced the next section moves
    below the new entry."""
    last = _last_table(aot.body[-1])
    attached, rest = _split_trailing(last)
    _extend(last, [*attached, Whitespace("\n")])
    aot.append(table)
    _extend(table, rest)


def _first_header(item: Item) -> Table | None:
    if isinstance(item, AoT):
        return item.body[0] if item.body else None
    if isinstance(item, Table):
        if not item.is_super_table():
            return item
        return next((h for _, child in item.value.body if (h := _first_header(child))), None)
    return None


def _place_before(items: list[Item], header: Table | None, document: Any) -> None:
    """Put comments right above ``header``, or at the end of ``document`` when nothing follows."""
    if not any(isinstance(item, Comment) for item in items):
        return
    if header is not None:
        while items and _is_blank(items[0]):
            items = items[1:]
        header.trivia.indent = "".join(item.as_string() for item in items) + header.trivia.indent
    else:
        for item in items:
            document.add(item)


# -- JSON / JSONC -----------------------------------------------------------------------------------
class JsoncDocument(ConfigDocument):
    """``wrangler.json``/``.jsonc`` edited as text: only the edited entries' characters change."""

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text

    def append(self, path: tuple[str, ...], entry: dict[str, Any]) -> None:
        root = _parse_json(self._text)
        node, depth = root, 0
        while depth < len(path):
            child = node.member(path[depth])
            if child is None:
                break
            node, depth = child, depth + 1
        value: Any = [entry]
        for key in reversed(path[depth + 1 :]):
            value = {key: value}
        if depth == len(path):
            self._insert(node, self._render(entry, node, 1))
        else:  # the entry, and the containers created around it, one item a line
            levels = len(path) - depth + 1
            self._insert(node, f"{json.dumps(path[depth])}: {self._render(value, node, levels)}")

    def remove(self, path: tuple[str, ...], index: int) -> None:
        root = _parse_json(self._text)
        container = root.find(path)
        if len(container.items) == 1 and path:  # an emptied list goes, and so does an emptied parent
            parent = root.find(path[:-1])
            self.remove(path[:-1], [item.key for item in parent.items].index(path[-1]))
            return
        self._remove_item(container, index)

    def _remove_item(self, container: _JsonValue, index: int) -> None:
        items = container.items
        item = items[index]
        text = self._text
        if "\n" not in text[container.start : container.end]:  # one line: "[a, b]"
            start, end = (items[index - 1].value.end, item.value.end) if index else (
                item.start, items[1].start if len(items) > 1 else item.value.end)
            self._text = text[:start] + text[end:]
            return
        comma = _comma_after(text, item.value.end)
        start, end = item.start, (comma + 1 if comma is not None else item.value.end)
        if not text[_line_start(text, start) : start].strip():
            start = _own_comment_start(text, _line_start(text, start))
            if _only_trivia(text[end : _line_end(text, end)]):
                end = min(_line_end(text, end) + 1, len(text))
        if comma is None and index:  # the last entry goes: so does the comma before it
            previous = _comma_after(text, items[index - 1].value.end)
            if previous is not None:
                self._text = text[:previous] + text[previous + 1 : start] + text[end:]
                return
        self._text = text[:start] + text[end:]

    def set_string(self, path: KeyPath, value: str) -> None:
        node = _parse_json(self._text).find(path)
        self._text = self._text[: node.start] + json.dumps(value, ensure_ascii=False) + self._text[node.end :]

    def _render(self, value: Any, container: _JsonValue, levels: int) -> str:
        """``value`` as JSON for a new item of ``container``, formatted like its last item: on one
        line when that one is, else its outer ``levels`` containers one item a line, indented like
        the file."""
        if container.items:
            last = container.items[-1].value
            sample = self._text[last.start : last.end]
            if "\n" not in sample and sample[:1] in "{[":
                return _one_line_json(value, padded=sample[1:2] == " ")
        return _render_json(value, self._item_indent(container), _indent_unit(self._text), levels)

    def _item_indent(self, container: _JsonValue) -> str:
        if container.items:
            return _indent_at(self._text, container.items[0].start)
        return _indent_at(self._text, container.start) + _indent_unit(self._text)

    def _insert(self, container: _JsonValue, rendered: str) -> None:
        """Add ``rendered`` (an element or ``"key": value``) as the container's last item."""
        text = self._text
        indent = self._item_indent(container)
        if not container.items:
            inside = f"\n{indent}{rendered}"
            closer = container.end - 1
            if "\n" not in text[container.start : container.end]:
                inside += "\n" + _indent_at(text, container.start)
            self._text = text[: container.start + 1] + inside + text[container.start + 1 : closer] + text[closer:]
            return
        last = container.items[-1].value.end
        comma = _comma_after(text, last)
        if "\n" not in text[container.start : container.end]:  # one line: {"a": 1, "b": 2}
            self._text = text[:last] + f", {rendered}" + text[last:]
            return
        if comma is None:
            text, comma = text[:last] + "," + text[last:], last
        point = comma + 1
        if _only_trivia(text[point : _line_end(text, point)]):
            point = _line_end(text, point)
        trailing = "," if _comma_after(self._text, last) is not None else ""
        self._text = text[:point] + f"\n{indent}{rendered}{trailing}" + text[point:]


@dataclass
class _JsonItem:
    """A member (``key`` set) or an element of a JSON container; ``start`` is where it begins."""

    key: str | None
    start: int
    value: _JsonValue


@dataclass
class _JsonValue:
    """A JSON value's span ``[start, end)``; containers list their items."""

    start: int
    end: int
    items: list[_JsonItem] = field(default_factory=list)

    def member(self, key: str | int) -> _JsonValue | None:
        """The value of object member ``key`` or array element ``key``, if present."""
        if isinstance(key, int):
            return self.items[key].value if key < len(self.items) else None
        return next((item.value for item in self.items if item.key == key), None)

    def find(self, path: KeyPath) -> _JsonValue:
        node = self
        for key in path:
            child = node.member(key)
            if child is None:
                raise KeyError(key)
            node = child
        return node


class _JsonScanner:
    """Spans of a JSONC text that ``json`` already accepted (after comment stripping)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_trivia(self) -> None:
        self.pos = _skip_trivia(self.text, self.pos)

    def value(self) -> _JsonValue:
        self.skip_trivia()
        start, char = self.pos, self.text[self.pos]
        if char in "{[":
            closer = "}" if char == "{" else "]"
            self.pos += 1
            items = []
            while True:
                self.skip_trivia()
                if self.text[self.pos] == closer:
                    self.pos += 1
                    return _JsonValue(start, self.pos, items)
                if self.text[self.pos] == ",":
                    self.pos += 1
                    continue
                item_start, key = self.pos, None
                if char == "{":
                    key = json.loads(self.text[item_start : self._string_end(item_start)])
                    self.pos = self._string_end(item_start)
                    self.skip_trivia()
                    self.pos += 1  # the colon
                items.append(_JsonItem(key, item_start, self.value()))
        if char == '"':
            self.pos = self._string_end(start)
        else:
            self.pos = re.compile(r"[^\s,\]}/]*").match(self.text, start).end()  # type: ignore[union-attr]
        return _JsonValue(start, self.pos)

    def _string_end(self, start: int) -> int:
        index = start + 1
        while self.text[index] != '"':
            index += 2 if self.text[index] == "\\" else 1
        return index + 1


def _parse_json(text: str) -> _JsonValue:
    return _JsonScanner(text).value()


def _skip_trivia(text: str, pos: int) -> int:
    """Index of the next character that is not blank or inside a ``//`` or ``/* */`` comment."""
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
        elif text.startswith("//", pos):
            pos = _line_end(text, pos)
        elif text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            pos = len(text) if end < 0 else end + 2
        else:
            break
    return pos


def _comma_after(text: str, pos: int) -> int | None:
    """The index of the comma that follows ``pos`` across blanks and comments, if one does."""
    index = _skip_trivia(text, pos)
    return index if index < len(text) and text[index] == "," else None


def _only_trivia(segment: str) -> bool:
    return _skip_trivia(segment, 0) == len(segment)


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _indent_at(text: str, pos: int) -> str:
    start = _line_start(text, pos)
    line = text[start : _line_end(text, start)]
    return line[: len(line) - len(line.lstrip())]


def _own_comment_start(text: str, start: int) -> int:
    """Move ``start`` (a line start) up over the comment lines (``//`` or a whole ``/* */``) right
    above it."""
    while start:
        previous = _line_start(text, start - 1)
        line = text[previous : start - 1].strip()
        if not (line.startswith("//") or (line.startswith("/*") and line.endswith("*/"))):
            break
        start = previous
    return start


def _indent_unit(text: str) -> str:
    """The file's indentation step: a tab, or the smallest indentation of any line (2 by default)."""
    indents = [m.group(1) for m in re.finditer(r"\n([ \t]+)\S", text)]
    if any(indent.startswith("\t") for indent in indents):
        return "\t"
    return " " * min((len(indent) for indent in indents), default=2)


def _one_line_json(value: Any, *, padded: bool) -> str:
    """``{ "a": 1, "b": ["x"] }`` (``padded``) or ``{"a": 1, "b": ["x"]}``."""
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return f"{text[0]} {text[1:-1]} {text[-1]}" if padded and len(text) > 2 else text


def _render_json(value: Any, indent: str, unit: str, levels: int) -> str:
    """JSON whose outer ``levels`` containers hold one item a line (at ``indent`` + ``unit``);
    deeper values stay on one line (``["A", "B"]``, ``[{"from": "A", "to": "B"}]``)."""
    if levels <= 0 or not isinstance(value, (dict, list)):
        return _one_line_json(value, padded=False)
    inner = indent + unit
    if isinstance(value, dict):
        members = [f"{inner}{json.dumps(k)}: {_render_json(v, inner, unit, levels - 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(members) + f"\n{indent}}}"
    return "[\n" + ",\n".join(inner + _render_json(v, inner, unit, levels - 1) for v in value) + f"\n{indent}]"
