"""JavaScript semantics the playground relies on (PLAYGROUND §3.3), for its Python port.

The original app is TypeScript: its query defaults, ``||`` fallbacks and JSON bodies follow
JavaScript's rules, which differ from Python's (``[]`` is truthy, ``1.0`` prints as ``1``, ``NaN``
is not JSON, integer-like keys come first in an object). These helpers make the port answer the same,
and log arrays as Node's ``console.log`` prints them.
"""

import json
import math
import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

_MAX_SAFE_INTEGER = 2**53 - 1
_MAX_ARRAY_INDEX = 2**32 - 2


class _Undefined:
    """The type of ``UNDEFINED``."""

    __slots__ = ()

    def __bool__(self):
        return False

    def __repr__(self):
        return "undefined"


UNDEFINED = _Undefined()
"""JavaScript's ``undefined``: what reading a missing member gives (``body.get("key", UNDEFINED)``)."""


def query_param(url, name):
    """``new URL(url).searchParams.get(name)``: the first value, form-decoded, or None."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == name:
            return value
    return None


def truthy(value):
    """JavaScript truthiness: ``false``, ``0``, ``NaN``, ``""`` and null/missing are falsy; everything
    else is truthy, ``[]``, ``{}``, ``"0"`` and ``"false"`` included."""
    if value is None or value is UNDEFINED or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def js_or(value, fallback):
    """``value || fallback``: ``value`` when it is truthy (the JavaScript way), else ``fallback``."""
    return value if truthy(value) else fallback


def to_string(value):
    """``String(value)`` for a JSON value: numbers in JavaScript's form, ``null``, ``undefined``,
    arrays joined with ``,`` (null items empty), objects as ``[object Object]``."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_to_string(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join("" if item is None or item is UNDEFINED else to_string(item) for item in value)
    return "[object Object]"


def destructure(value, *names):
    """``const {a, b} = value``: the named members, UNDEFINED where missing (strings, numbers and
    arrays have none); a TypeError for null, worded as V8 words it."""
    if value is None:
        raise TypeError(f"Cannot destructure property '{names[0]}' of '(intermediate value)' as it is null.")
    members = value if isinstance(value, dict) else {}
    return tuple(members.get(name, UNDEFINED) for name in names)


def parse_int(text):
    """``parseInt(text, 10)``: the leading decimal integer after optional whitespace and sign
    (``"2.9x"`` → 2); NaN when there is none."""
    match = re.match(r"\s*([+-]?[0-9]+)", text)
    return int(match.group(1)) if match else math.nan


def parse_json(text):
    """``JSON.parse(text)``: strict JSON (no ``NaN``/``Infinity``), integers beyond 2**53 rounded as
    doubles; a syntax error raises ``SyntaxError`` worded as V8 words it."""

    def reject(constant):
        raise ValueError(constant)

    def integer(digits):
        number = int(digits)
        return number if abs(number) <= _MAX_SAFE_INTEGER else float(number)

    try:
        return json.loads(text, parse_constant=reject, parse_int=integer)
    except json.JSONDecodeError as error:
        raise SyntaxError(_v8_message(text, error)) from None
    except ValueError as error:
        raise SyntaxError(f"Unexpected token '{str(error)[0]}', \"{text}\" is not valid JSON") from None


def _v8_message(text, error):
    where = f"at position {error.pos} (line {error.lineno} column {error.colno})"
    if error.msg.startswith("Expecting property name"):
        return f"Expected property name or '}}' in JSON {where}"
    if error.pos >= len(text.rstrip()):
        return "Unexpected end of JSON input"
    if error.msg == "Extra data":
        return f"Unexpected non-whitespace character after JSON {where}"
    pos = _end_of_literal_prefix(text, error.pos)
    if pos == len(text):
        return "Unexpected end of JSON input"
    return f"Unexpected token '{text[pos]}', \"{text}\" is not valid JSON"


def _end_of_literal_prefix(text, pos):
    """Where V8 stops reading a misspelt ``null``/``true``/``false`` (``"nul"``, ``"notjson"`` at ``o``)."""
    literal = {"n": "null", "t": "true", "f": "false"}.get(text[pos])
    if literal is None:
        return pos
    matched = 0
    while matched < len(literal) and pos + matched < len(text) and text[pos + matched] == literal[matched]:
        matched += 1
    return pos + matched


def to_json(value):
    """``JSON.stringify(value)``: compact, numbers and object key order as JavaScript writes them,
    non-ASCII characters kept."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_to_string(value) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(to_json(item) for item in value) + "]"
    if isinstance(value, dict):
        items = sorted(value.items(), key=_key_order)  # stable: other keys keep insertion order
        return "{" + ",".join(json.dumps(str(k), ensure_ascii=False) + ":" + to_json(v) for k, v in items) + "}"
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")


def _key_order(item):
    """Array-index keys first, ascending; then the rest, in insertion order (sorted() is stable)."""
    key = str(item[0])
    is_index = key.isascii() and key.isdigit() and (key == "0" or key[0] != "0") and int(key) <= _MAX_ARRAY_INDEX
    return (0, int(key)) if is_index else (1, 0)


def number_to_string(number):
    """``String(number)``: shortest round-trip digits in JavaScript's format (``1.0`` → ``1``,
    ``1e21`` → ``1e+21``, ``1e-7`` → ``1e-7``), or ``NaN``, ``Infinity``, ``-Infinity``."""
    number = float(number)
    if not math.isfinite(number):
        return "NaN" if math.isnan(number) else f"{'-' if number < 0 else ''}Infinity"
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    shortest = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, shortest.digits))
    k = len(digits)
    n = shortest.exponent + k  # the decimal point sits after n digits
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    exponent = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


# Node's console.log rendering of an array of strings (util.inspect with its default options).
_BREAK_LENGTH = 80
_MAX_ARRAY_LENGTH = 100
_MAX_STRING_LENGTH = 10_000
_ESCAPES = {
    **{chr(code): f"\\x{code:02X}" for code in [*range(0x20), *range(0x7F, 0xA0)]},
    "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\",
}


def console_array(values):
    """How ``console.log`` prints an array of strings: ``[ 'a', 'b' ]`` on one line when it fits in
    80 columns, else one item per line, or in columns when there are more than six short items."""
    if not values:
        return "[]"
    output = [_inspect_string(value) for value in values[:_MAX_ARRAY_LENGTH]]
    hidden = len(values) - _MAX_ARRAY_LENGTH
    if hidden > 0:
        output.append(f"... {hidden} more item{'s' if hidden > 1 else ''}")
    if len(output) > 6:
        rows = _columns(output, shown=min(len(values), _MAX_ARRAY_LENGTH))
        if len(rows) != len(output):
            return "[\n  " + ",\n  ".join(rows) + "\n]"
    joined = ", ".join(output)
    if _fits_one_line(output) and "\n" not in joined:
        return f"[ {joined} ]"
    return "[\n  " + ",\n  ".join(output) + "\n]"


def _js_length(text):
    """``text.length`` in JavaScript (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _inspect_string(text):
    """One quoted item; a long one is cut at 10 000 characters, or split after each newline."""
    trailer = ""
    if _js_length(text) > _MAX_STRING_LENGTH:
        hidden = _js_length(text) - _MAX_STRING_LENGTH
        text = text[:_MAX_STRING_LENGTH]
        trailer = f"... {hidden} more character{'s' if hidden > 1 else ''}"
    if _js_length(text) > _BREAK_LENGTH - 2 - 4:  # items are indented by 2
        lines = [line for line in re.split("(?<=\n)", text) if line]
        return " +\n    ".join(_quote(line) for line in lines) + trailer
    return _quote(text) + trailer


def _quote(text):
    """Single quotes, unless the text has one: then double quotes, or backticks if it has both."""
    quote = "'"
    if "'" in text:
        if '"' not in text:
            quote = '"'
        elif "`" not in text and "${" not in text:
            quote = "`"
    escaped = "".join(_ESCAPES.get(char, char) for char in text)
    if quote == "'":
        escaped = escaped.replace("'", "\\'")
    return quote + escaped + quote


def _fits_one_line(output):
    """``[ a, b ]`` fits in the break length (Node's ``isBelowBreakLength``)."""
    overhead = 2 * len(output) + 1 + 10  # separators, "[", and Node's margin of 10
    return overhead + sum(map(_js_length, output)) <= _BREAK_LENGTH


def _columns(output, shown):
    """Rows of items padded into columns, or ``output`` unchanged when columns would not help
    (Node's ``groupArrayElements``); ``shown`` excludes a trailing ``... n more items``."""
    separator = 2
    lengths = [_js_length(item) for item in output[:shown]]
    total = sum(lengths) + separator * shown
    widest = max(lengths) + separator
    if not (widest * 3 < _BREAK_LENGTH and (total / widest > 5 or widest - separator <= 6)):
        return output
    bias = math.sqrt(widest - total / len(output))
    biased = max(widest - 3 - bias, 1)
    columns = min(math.floor(math.sqrt(2.5 * biased * shown) / biased + 0.5), _BREAK_LENGTH // widest, 12, 15)
    if columns <= 1:
        return output
    widths = [max(lengths[i::columns]) + separator for i in range(columns)]
    rows = []
    for start in range(0, shown, columns):
        row = output[start:min(start + columns, shown)]
        padded = [item + ", " + " " * (widths[i] - _js_length(item) - separator) for i, item in enumerate(row[:-1])]
        rows.append("".join(padded) + row[-1])
    return rows + output[shown:]
