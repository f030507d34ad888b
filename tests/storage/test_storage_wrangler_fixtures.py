"""Interchange with real ``wrangler dev`` state files (``tests/fixtures/wrangler``).

Each ``expected.json`` there lists the JavaScript values a worker stored through ``ctx.storage`` and
the bytes workerd wrote for them, the schema of every object file and the alarm row. pyworker must
read those files and write the same layout and the same bytes.
"""

from __future__ import annotations

import datetime
import json
import math
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from pyworker.storage import codec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wrangler"
EXPECTED = sorted(FIXTURES.glob("**/expected.json"))
UTC = datetime.UTC

# JavaScript source (as expected.json records it) -> the value Python code gets on Cloudflare.
JS_VALUES: dict[str, Any] = {
    "new Date(0)": datetime.datetime(1970, 1, 1, tzinfo=UTC),
    "new Date(1700000000000)": datetime.datetime.fromtimestamp(1_700_000_000, tz=UTC),
    "new Uint8Array([0, 1, 2, 255]).buffer": b"\x00\x01\x02\xff",
    "new Uint8Array([0, 1, 2, 255])": b"\x00\x01\x02\xff",
    'new Map([["a", 1], [2, "b"]])': {"a": 1, 2: "b"},
    "new Set([1, 2])": {1, 2},
    "[1, , 3]": [1, None, 3],
    "[1, undefined, 3]": [1, None, 3],
    '[1, "two", 3.5, false, null, {k: "v"}]': [1, "two", 3.5, False, None, {"k": "v"}],
    '({a: {b: [1, "x", null]}, c: true})': {"a": {"b": [1, "x", None]}, "c": True},
    '({via: "storage.kv"})': {"via": "storage.kv"},
    "2 ** 30 - 1": 2**30 - 1,
    "2 ** 30": 2**30,
    "-(2 ** 30)": -(2**30),
    "-(2 ** 30) - 1": -(2**30) - 1,
    "2 ** 31 - 1": 2**31 - 1,
    "2 ** 31": 2**31,
    "2 ** 53 - 1": 2**53 - 1,
    "-0": 0,
    "NaN": math.nan,
    "Infinity": math.inf,
    "12345678901234567890n": 12345678901234567890,
    "1n": 1,
    'new String("s")': "s",
    "new Number(2)": 2,
    "new Boolean(true)": True,
    'new Error("boom")': Exception("Error: boom"),
}
# Values Python cannot tell apart from another JavaScript value, so they are written differently.
NOT_REWRITTEN = {
    "new Uint8Array([0, 1, 2, 255]).buffer", 'new Map([["a", 1], [2, "b"]])', "[1, , 3]", "[1, undefined, 3]",
    "-0", "1n", 'new String("s")', "new Number(2)", "new Boolean(true)", 'new Error("boom")', "/a+b/gi",
}


def python_value(js: str) -> Any:
    if js in JS_VALUES:
        return JS_VALUES[js]
    return json.loads(js[1:-1] if js.startswith("({") else js)


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, bytes):
        return isinstance(actual, memoryview) and bytes(actual) == expected
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    if isinstance(expected, Exception):
        return type(actual) is Exception and str(actual) == str(expected)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and list(actual) == list(expected) and all(
            same(actual[k], v) for k, v in expected.items()
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(same, actual, expected))
    return type(actual) is type(expected) and actual == expected


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def fixture_file(expected_json: Path, relative: str, tmp_path: Path) -> Path:
    """A copy of a fixture database (opening it in WAL mode would touch the committed files)."""
    target = tmp_path / "copy" / Path(relative).name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(expected_json.parent / relative, target)
    return target


pytestmark = pytest.mark.skipif(not EXPECTED, reason="no wrangler fixtures in tests/fixtures/wrangler")
by_version = pytest.mark.parametrize("expected_json", EXPECTED, ids=lambda p: str(p.parent.relative_to(FIXTURES)))


@by_version
async def test_wrangler_fixture_values_read_through_storage(expected_json: Path, tmp_path: Path, open_storage) -> None:
    expected = load(expected_json)
    nondeterministic = set(expected.get("nondeterministic_values", {}))
    for object_id, values in expected["values"].items():
        path = fixture_file(expected_json, expected["objects"][object_id]["file"], tmp_path / object_id)
        storage = open_storage(path=path)
        stored = await storage.list()
        assert sorted(stored) == sorted(values), object_id
        for key, entry in values.items():
            if entry["js"] == "/a+b/gi":
                assert getattr(stored[key], "source", None) == "a+b"
                continue
            if key in nondeterministic and entry["js"] not in JS_VALUES:
                continue
            assert same(stored[key], python_value(entry["js"])), (key, entry["js"], stored[key])
            assert same(await storage.get(key), python_value(entry["js"])), key


@by_version
async def test_wrangler_fixture_bytes_match_pyworker_encoding(expected_json: Path) -> None:
    expected = load(expected_json)
    nondeterministic = set(expected.get("nondeterministic_values", {}))
    checked = 0
    for values in expected["values"].values():
        for key, entry in values.items():
            if key in nondeterministic or entry["js"] in NOT_REWRITTEN:
                continue
            value = python_value(entry["js"])
            if isinstance(value, bytes):
                value = memoryview(value)
            assert codec.encode(value).hex() == entry["hex"], (key, entry["js"])
            checked += 1
    assert checked >= 30


@by_version
async def test_wrangler_fixture_alarm_read_through_storage(expected_json: Path, tmp_path: Path, open_storage) -> None:
    expected = load(expected_json)
    alarm = expected["alarm"]
    path = fixture_file(expected_json, expected["objects"][alarm["object"]]["file"], tmp_path)
    storage = open_storage(path=path)
    assert await storage.getAlarm() == alarm["getAlarm_after_set"] == alarm["set_ms"]


@by_version
async def test_wrangler_fixture_alarm_row_matches_pyworker(expected_json: Path, open_storage, db_path: Path) -> None:
    alarm = load(expected_json)["alarm"]
    storage = open_storage()
    await storage.setAlarm(alarm["set_ms"])
    storage.flush()
    db = sqlite3.connect(db_path)
    rows = db.execute("SELECT key, typeof(value), value FROM _cf_METADATA").fetchall()
    db.close()
    assert rows == [(row["key"], row["type"], row["value"]) for row in alarm["_cf_METADATA"]]


@by_version
async def test_wrangler_fixture_sql_tables_read_through_storage(
    expected_json: Path, tmp_path: Path, open_storage
) -> None:
    expected = load(expected_json)
    for relative, tables in expected["tables"].items():
        if "items" not in tables:
            continue
        storage = open_storage(path=fixture_file(expected_json, relative, tmp_path))
        rows = storage.sql.exec("SELECT * FROM items ORDER BY id").toArray()
        columns = tables["items"]["columns"]
        wanted = [dict(zip(columns, (cell["value"] for cell in row))) for row in tables["items"]["rows"]]
        assert rows == wanted
        return
    pytest.skip("no SQL table in this fixture")


@by_version
async def test_wrangler_fixture_schema_matches_pyworker_ddl(expected_json: Path, open_storage, db_path: Path) -> None:
    wanted = {}
    for entries in load(expected_json)["schema"].values():
        for entry in entries:
            if entry["name"] in ("_cf_KV", "_cf_METADATA"):
                wanted[entry["name"]] = (entry["type"], entry["sql"])
    assert set(wanted) == {"_cf_KV", "_cf_METADATA"}
    storage = open_storage()
    await storage.put("k", 1)
    await storage.setAlarm(4102444800000)
    storage.flush()
    db = sqlite3.connect(db_path)
    ours = {name: (kind, sql) for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master")}
    db.close()
    assert ours == wanted


@by_version
async def test_wrangler_fixture_counter_continues_from_wrangler_state(
    expected_json: Path, tmp_path: Path, open_storage
) -> None:
    expected = load(expected_json)
    counter_id = next(i for i, o in expected["objects"].items() if o["namespace"].endswith("-Counter"))
    start = python_value(expected["values"][counter_id]["counter"]["js"])
    storage = open_storage(path=fixture_file(expected_json, expected["objects"][counter_id]["file"], tmp_path))
    await storage.put("counter", await storage.get("counter") + 1)
    storage.close()
    storage = open_storage(path=tmp_path / "copy" / Path(expected["objects"][counter_id]["file"]).name)
    assert await storage.get("counter") == start + 1
