"""JavaScript semantics the playground relies on (PLAYGROUND §3.3), for its Python port.

The original app is TypeScript: its query defaults, ``||`` fallbacks and JSON bodies follow
JavaScript's rules, which differ from Python's (``[]`` is truthy, ``1.0`` prints as ``1``, ``NaN``
is not JSON, integer-like keys come first in an object). These helpers make the port answer the same.
"""

import json
import math
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

_MAX_SAFE_INTEGER = 2**53 - 1
_MAX_ARRAY_INDEX = 2**32 - 2


def query_param(url, name):
    """``new URL(url).searchParams.get(name)``: the first value, form-decoded, or None."""
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key == name:
            return value
    return None


def truthy(value):
    """JavaScript truthiness: ``false``, ``0``, ``NaN``, ``""`` and null/missing are falsy; everything
    else is truthy, ``[]``, ``{}``, ``"0"`` and ``"false"`` included."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, (int, float)):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


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
    return f"Unexpected token '{text[error.pos]}', \"{text}\" is not valid JSON"


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
    """``String(number)`` for a finite number: shortest round-trip digits in JavaScript's format
    (``1.0`` → ``1``, ``1e21`` → ``1e+21``, ``1e-7`` → ``1e-7``)."""
    number = float(number)
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
