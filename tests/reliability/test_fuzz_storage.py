"""``ctx.storage`` fed with keys and values of every kind, fuzzed: empty, huge, NUL, lone
surrogates, path characters, wrong types, values that contain themselves. Each call either works
or raises a clear error (``TypeError``/``ValueError``/``RangeError``, ``DataCloneError``,
``StorageError``) without writing anything, and never breaks the object. The file always passes
``PRAGMA integrity_check`` and holds what a model of the calls says — after commits, reopenings
and simulated crashes (the connection dropped with the batch uncommitted)."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyworker.runtime.values import DataCloneError
from pyworker.storage.durable_object_storage import DurableObjectStorage
from pyworker.storage.errors import StorageError
from pyworker.storage.sqlite_store import SqliteStore
from reliability_helpers import FUZZ, examples, integrity_errors

CLEAR_ERRORS = (TypeError, ValueError, DataCloneError, StorageError)
HUGE = 2_300_000  # over SQLite's 2,200,000-byte record limit


class _Gate:
    """An output gate the test commits by hand."""

    def mark_dirty(self, store: Any) -> None:
        pass


def _self_containing() -> list[Any]:
    value: list[Any] = []
    value.append(value)
    return value


_text = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=6)
_keys = st.one_of(
    _text,
    st.sampled_from(["", "\x00", "a\x00b", "../../outside", "/etc/passwd", "C:\\x", "k" * 5000, "\ud800", "é"]),
    st.just("k" * HUGE),
    st.sampled_from([1, None, b"k", 1.5]),
)
_plain = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), _text, st.binary(max_size=20),
        st.sets(st.integers(-5, 5), max_size=3),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_text, inner, max_size=4)),
    max_leaves=12,
)  # fmt: skip
_values = st.one_of(
    _plain,
    st.just(b"v" * HUGE),
    st.builds(_self_containing),
    st.sampled_from([object(), 1 + 2j, (1, 2), bytearray(b"x"), {1.5: "x"}, {None: 1}, lambda: 1]),
)
_ops = st.lists(
    st.one_of(
        st.tuples(st.just("put"), _keys, _values),
        st.tuples(st.just("put_many"), st.dictionaries(_keys.filter(lambda k: isinstance(k, str | int)), _values, max_size=4)),
        st.tuples(st.just("get"), _keys),
        st.tuples(st.just("get_many"), st.lists(_keys, max_size=4)),
        st.tuples(st.just("delete"), _keys),
        st.tuples(st.just("list"), _text),
        st.tuples(st.sampled_from(["commit", "reopen", "crash"])),
    ),
    max_size=25,
)


def _same(value: Any) -> Any:
    """A form that compares equal when the stored value is the model's (NaN, binary, nesting)."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, (bytes, memoryview)):
        return ("bytes", bytes(value))
    if isinstance(value, dict):
        return {str(k): _same(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_same(v) for v in value]
    return value


class _Object:
    """One object's storage on a real file, and the model of what it must hold."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.model: dict[str, Any] = {}
        self.committed: dict[str, Any] = {}
        self._open()

    def _open(self) -> None:
        self.store = SqliteStore(self.path)
        self.storage = DurableObjectStorage(self.store, _Gate())  # type: ignore[arg-type]

    def run(self, op: tuple[Any, ...]) -> None:
        kind, *args = op
        storage = self.storage
        if kind == "commit":
            storage.flush()
            self.committed = dict(self.model)
        elif kind == "reopen":
            storage.close()
            self.committed = dict(self.model)
            self._open()
        elif kind == "crash":
            self.store.close()  # as after SIGKILL: the uncommitted batch is gone
            self.model = dict(self.committed)
            self._open()
        else:
            self._call(kind, *args)

    def _call(self, kind: str, *args: Any) -> None:
        storage, model = self.storage, self.model
        try:
            if kind == "put":
                storage.put(*args)
                model[args[0]] = _same(args[1])
            elif kind == "put_many":
                storage.put(args[0])
                model.update({k: _same(v) for k, v in args[0].items()})
            elif kind == "delete":
                assert storage.delete(args[0]).value == (args[0] in model)
                model.pop(args[0], None)
            elif kind == "get":
                assert _same(storage.get(args[0]).value) == model.get(args[0])
            elif kind == "get_many":
                found = storage.get(args[0]).value
                assert {k: _same(v) for k, v in found.items()} == {k: model[k] for k in args[0] if k in model}
            elif kind == "list":
                listed = storage.list(prefix=args[0]).value
                expected = sorted((k for k in model if k.startswith(args[0])), key=lambda k: k.encode())
                assert list(listed) == expected
                assert [_same(v) for v in listed.values()] == [model[k] for k in expected]
        except CLEAR_ERRORS as error:
            assert str(error), f"{kind}: {type(error).__name__} without a message"
        assert storage.failure is None, f"{kind} broke the object: {storage.failure!r}"

    def check_file(self) -> None:
        """Close (committing), check the file, and read everything back from disk."""
        self.storage.close()
        assert integrity_errors(self.path.parent) == {}
        self._open()
        stored = self.storage.list().value
        assert {k: _same(v) for k, v in stored.items()} == self.model
        self.storage.close()


def test_storage_fuzzed_keys_and_values_give_clear_errors_and_intact_files(fuzz_cases: Callable[[], None]) -> None:
    """Fuzz: sequences of up to 25 calls per example, each example on a fresh file."""

    @settings(FUZZ, max_examples=examples(120))
    @given(ops=_ops)
    def check(ops: list[tuple[Any, ...]]) -> None:
        fuzz_cases()
        with tempfile.TemporaryDirectory() as folder:
            obj = _Object(Path(folder) / "object.sqlite")
            for op in ops:
                obj.run(op)
            obj.check_file()

    check()


def _storage(tmp_path: Path) -> DurableObjectStorage:
    return DurableObjectStorage(SqliteStore(tmp_path / "object.sqlite"), _Gate())  # type: ignore[arg-type]


def test_storage_put_many_with_lone_surrogate_key_writes_nothing(tmp_path: Path) -> None:
    """Found by the fuzz test: the batch was written up to the bad key. Now nothing is."""
    storage = _storage(tmp_path)
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        storage.put({"a": 1, "\ud800": 2})
    assert storage.get("a").value is None
    storage.close()


def test_storage_key_over_sqlite_limit_fails_get_and_delete_cleanly(tmp_path: Path) -> None:
    """Found by the fuzz test: ``delete`` of a 2.3 MB key broke the object (its write batch was
    rolled back) and ``get`` raised sqlite3.DataError. Both now raise SQLite's text as StorageError."""
    storage = _storage(tmp_path)
    storage.put("kept", 1)
    for call in (storage.get, storage.delete, lambda key: storage.get([key])):
        with pytest.raises(StorageError, match="^string or blob too big: SQLITE_TOOBIG$"):
            call("k" * HUGE)
    assert storage.failure is None and storage.get("kept").value == 1
    storage.close()


def test_storage_value_that_contains_itself_is_a_data_clone_error(tmp_path: Path) -> None:
    """Found by the fuzz test: a self-containing list raised RecursionError."""
    storage = _storage(tmp_path)
    with pytest.raises(DataCloneError, match="contains itself or is nested too deeply"):
        storage.put("k", _self_containing())
    storage.close()
