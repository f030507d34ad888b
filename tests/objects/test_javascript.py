"""``objects/javascript.py``: the JavaScript value rules of PLAYGROUND §3.3."""

from __future__ import annotations

import importlib.util

import pytest

from helpers import REPO

_spec = importlib.util.spec_from_file_location("playground_javascript", REPO / "objects" / "javascript.py")
assert _spec is not None and _spec.loader is not None
javascript = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(javascript)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(False, False), (0, False), (-0.0, False), (float("nan"), False), ("", False), (None, False),
     (True, True), ([], True), ({}, True), ("0", True), ("false", True), (0.1, True)],
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
