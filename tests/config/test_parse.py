"""``strip_jsonc`` and ``parse_config_text``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pyworker.config.parse import config_file_name, parse_config_text, strip_jsonc


def test_strip_jsonc_removes_line_and_block_comments() -> None:
    text = '// head\n{"a": 1, /* two\nlines */ "b": 2}\n'
    assert json.loads(strip_jsonc(text)) == {"a": 1, "b": 2}


def test_strip_jsonc_keeps_comment_markers_inside_strings() -> None:
    text = '{"url": "http://x//y", "glob": "src/**/*.py", "q": "say \\"//hi\\""}'
    assert strip_jsonc(text) == text


def test_strip_jsonc_removes_trailing_commas_only() -> None:
    text = '{"a": [1, 2,], "b": {"c": 3,}, "d": ",]",}'
    assert json.loads(strip_jsonc(text)) == {"a": [1, 2], "b": {"c": 3}, "d": ",]"}


def test_strip_jsonc_trailing_comma_before_comment_and_newline() -> None:
    text = '{\n  "a": 1, // last\n}\n'
    assert json.loads(strip_jsonc(text)) == {"a": 1}


def test_strip_jsonc_keeps_positions() -> None:
    text = '{ /* x */ "a": 1, // y\n "b": [2,]}'
    stripped = strip_jsonc(text)
    assert len(stripped) == len(text)
    assert stripped.index('"b"') == text.index('"b"')


def test_strip_jsonc_unterminated_block_comment_blanks_to_end() -> None:
    assert strip_jsonc("{} /* open").strip() == "{}"


def test_parse_config_text_toml_and_json_agree() -> None:
    toml = parse_config_text('a = 1\n[b]\nc = "x"\n', fmt="toml", file="wrangler.toml")
    jsonc = parse_config_text('{"a": 1, "b": {"c": "x"},}', fmt="json", file="wrangler.jsonc")
    assert toml == jsonc == {"a": 1, "b": {"c": "x"}}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("wrangler.toml", "wrangler.toml"),
        ("wrangler.jsonc", "wrangler.json"),
        ("x.json", "wrangler.json"),
    ],
)
def test_config_file_name_follows_wrangler(name: str, expected: str) -> None:
    assert config_file_name(Path(name)) == expected
