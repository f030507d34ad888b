"""``objects/javascript.py``: the JavaScript value rules of PLAYGROUND §3.3."""

from __future__ import annotations

import importlib.util
import math

import pytest

from helpers import REPO

_spec = importlib.util.spec_from_file_location("playground_javascript", REPO / "objects" / "javascript.py")
assert _spec is not None and _spec.loader is not None
javascript = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(javascript)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(False, False), (0, False), (-0.0, False), (float("nan"), False), ("", False), (None, False),
     (True, True), ([], True), ({}, True), ("0", True), ("false", True), (0.1, True),
     (javascript.UNDEFINED, False)],
)
def test_javascript_truthiness(value: object, expected: bool) -> None:
    assert javascript.truthy(value) is expected


@pytest.mark.parametrize(
    ("number", "text"),
    [(1.0, "1"), (1e21, "1e+21"), (0.5, "0.5"), (1e20, "100000000000000000000"), (1e-7, "1e-7"),
     (0.000001, "0.000001"), (-0.0, "0"), (12345678901234567890, "12345678901234567000"), (-2.5e-9, "-2.5e-9")],
)
def test_javascript_number_to_string(number: float, text: str) -> None:
    assert javascript.number_to_string(number) == text


def test_javascript_to_json_is_compact_with_javascript_key_order() -> None:
    value = {"b": 1.0, "7": [True, None, "é"], "": 2, "0": {"10": 1, "2": 2}, "01": 3}
    assert javascript.to_json(value) == '{"0":{"2":2,"10":1},"7":[true,null,"é"],"b":1,"":2,"01":3}'
    assert javascript.to_json(float("inf")) == "null"


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "Unexpected end of JSON input"), ("{bad json", "Expected property name or '}' in JSON at position 1 (line 1 column 2)"),
     ("NaN", "Unexpected token 'N', \"NaN\" is not valid JSON"),
     ("notjson", "Unexpected token 'o', \"notjson\" is not valid JSON"), ("nul", "Unexpected end of JSON input"),
     ("1 2", "Unexpected non-whitespace character after JSON at position 2 (line 1 column 3)")],
)
def test_javascript_parse_json_rejects_what_json_parse_rejects(text: str, message: str) -> None:
    with pytest.raises(SyntaxError) as raised:
        javascript.parse_json(text)
    assert str(raised.value) == message


def test_javascript_parse_json_reads_numbers_as_doubles() -> None:
    assert javascript.parse_json(' {"a": 12345678901234567890, "b": 7} ') == {"a": 1.2345678901234567e19, "b": 7}


def test_javascript_query_param_takes_the_first_form_decoded_value() -> None:
    assert javascript.query_param("http://x/chat?room=a+b%21&room=c", "room") == "a b!"
    assert javascript.query_param("http://x/chat?room=", "room") == ""
    assert javascript.query_param("http://x/chat", "room") is None


def test_javascript_js_or_falls_back_only_for_falsy_values() -> None:
    assert javascript.js_or(0, None) is None and javascript.js_or("", 0) == 0
    assert javascript.js_or({}, None) == {} and javascript.js_or("0", None) == "0"


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (1e21, "1e+21"), (0.5, "0.5"), (-0.0, "0"), (True, "true"), (False, "false"), (None, "null"),
     (javascript.UNDEFINED, "undefined"), ("s", "s"), ([1, 2], "1,2"), ([1, [2, None, [None]], {}], "1,2,,,[object Object]"),
     ([], ""), ({"a": 1}, "[object Object]"), (float("nan"), "NaN"), (float("-inf"), "-Infinity")],
)
def test_javascript_to_string_is_string_conversion(value: object, text: str) -> None:
    assert javascript.to_string(value) == text


@pytest.mark.parametrize(
    ("text", "number"),
    [("10", 10), (" \n-12.9x", -12), ("+7", 7), ("2.9x", 2), ("12abc", 12), ("0x10", 0), ("007", 7)],
)
def test_javascript_parse_int_reads_the_leading_decimal_integer(text: str, number: int) -> None:
    assert javascript.parse_int(text) == number


@pytest.mark.parametrize("text", ["", "abc", "-", " ", "x1"])
def test_javascript_parse_int_without_digits_is_nan(text: str) -> None:
    assert math.isnan(javascript.parse_int(text))


# Expected renderings below are Node 20's console.log output for the same arrays.
@pytest.mark.parametrize(
    ("values", "rendering"),
    [
        ([], "[]"),
        (["Request 4"], "[ 'Request 4' ]"),
        (["true", "null", '{"debounce":1}', '{"debounce":true}', "y"],
         """[ 'true', 'null', '{"debounce":1}', '{"debounce":true}', 'y' ]"""),
        (["Request 1", "Request 2", "Request 3", '{"debounce": "yes", "data": "truthy but not true"}', "", "", "sub"],
         "[\n  'Request 1',\n  'Request 2',\n  'Request 3',\n"
         """  '{"debounce": "yes", "data": "truthy but not true"}',\n  '',\n  '',\n  'sub'\n]"""),
        (list("abcdefg"), "[\n  'a', 'b', 'c',\n  'd', 'e', 'f',\n  'g'\n]"),
        (["it's", "a\"b'c", "a\"b'c`", "tab\there", "nl\nx", "\x7f\x00"],
         """[ "it's", `a"b'c`, 'a"b\\'c`', 'tab\\there', 'nl\\nx', '\\x7F\\x00' ]"""),
        (["short", "a" * 80 + "\n" + "b" * 10],
         "[\n  'short',\n  '" + "a" * 80 + "\\n' +\n    'bbbbbbbbbb'\n]"),
    ],
)
def test_javascript_console_array_prints_like_node(values: list[str], rendering: str) -> None:
    assert javascript.console_array(values) == rendering


def test_javascript_console_array_groups_many_short_items_and_cuts_at_100() -> None:
    rendering = javascript.console_array([str(i) for i in range(120)])
    lines = rendering.splitlines()
    assert lines[1] == "  '0',  '1',  '2',  '3',  '4',  '5',  '6',  '7',  '8',  '9',"
    assert lines[-2:] == ["  ... 20 more items", "]"] and len(lines) == 13


def test_javascript_destructure_reads_members_like_javascript() -> None:
    assert javascript.destructure({"a": 1, "c": None}, "a", "b", "c") == (1, javascript.UNDEFINED, None)
    assert javascript.destructure([1, 2], "a") == javascript.destructure("s", "a") == (javascript.UNDEFINED,)
    with pytest.raises(TypeError, match=r"^Cannot destructure property 'a' of '\(intermediate value\)' as it is null\.$"):
        javascript.destructure(None, "a", "b")
