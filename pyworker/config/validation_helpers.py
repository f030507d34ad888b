"""Generic field validators, mirroring wrangler's ``validation-helpers.ts`` function by function.

A validator has wrangler's ``ValidatorFn`` shape ``(diagnostics, field, value, top_level) -> bool``:
it appends messages (never raises) and returns whether the value is valid. ``field`` is both the
name used in wrangler's message and the key path the message points at. An absent key is the
sentinel :data:`UNSET` (JSON ``null`` is a present, wrong value, as in wrangler).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any, Final

from pyworker.config.diagnostics import Diagnostics, join_key

__all__ = [
    "UNSET",
    "Transform",
    "Validator",
    "append_env_name",
    "english_list",
    "get_binding_names",
    "inheritable",
    "is_optional_property",
    "is_required_property",
    "is_string",
    "is_string_array",
    "is_valid_date_time_string_format",
    "is_valid_name",
    "js_json",
    "not_inheritable",
    "validate_additional_properties",
    "validate_optional_typed_array",
    "validate_required_property",
]


class _Unset:
    """Type of :data:`UNSET`: a key that is not in the table at all (JS ``undefined``)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()

Validator = Callable[[Diagnostics, str, Any, "dict[str, Any] | None"], bool]
Transform = Callable[[Any], Any]

_NAME = re.compile(r"^$|^[a-z0-9_][a-z0-9-_]*$")
_TYPE_NAMES: Final = {"string": str, "boolean": bool}


def js_json(value: Any) -> str:
    """``JSON.stringify(value)``: compact, integral floats without ``.0``, dates as ISO strings."""
    return json.dumps(_js_value(value), separators=(",", ":"), ensure_ascii=False)


def _js_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _js_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_js_value(item) for item in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


def english_list(items: list[str]) -> str:
    """``Intl.ListFormat("en-US")``: ``A``, ``A and B``, ``A, B, and C``."""
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])}, and {items[-1]}"


def _has_type(value: Any, type_name: str) -> bool:
    """``typeof value === type_name`` for the JSON-ish values a config file can hold."""
    return isinstance(value, _TYPE_NAMES[type_name])


# -- environment inheritance ------------------------------------------------------------------


def inheritable(
    diagnostics: Diagnostics,
    top_level: dict[str, Any] | None,
    raw_env: dict[str, Any],
    field: str,
    validate: Validator,
    default: Any,
    transform: Transform | None = None,
) -> Any:
    """``inheritable``: the env's value, else the (transformed) top-level one, else ``default``."""
    validate(diagnostics, field, raw_env.get(field, UNSET), top_level)
    value = raw_env.get(field)
    if value is None and top_level is not None:
        inherited = top_level.get(field)
        value = transform(inherited) if transform else inherited
    return default if value is None else value


def append_env_name(env_name: str) -> Transform:
    """``appendEnvName``: ``"app"`` becomes ``"app-<env_name>"``; no name stays no name."""
    return lambda value: f"{value}-{env_name}" if value else None


def not_inheritable(
    diagnostics: Diagnostics,
    top_level: dict[str, Any] | None,
    raw_config: dict[str, Any] | None,
    raw_env: dict[str, Any],
    env_name: str,
    field: str,
    validate: Validator,
    default: Any,
) -> Any:
    """``notInheritable``: only the env's own value; warn when only the top level has one."""
    if raw_env.get(field, UNSET) is not UNSET:
        validate(diagnostics, field, raw_env[field], top_level)
    elif raw_config is not None and raw_config.get(field, UNSET) is not UNSET:
        diagnostics.warn(
            f'"{field}" exists at the top level, but not on "env.{env_name}".\n'
            f'This is not what you probably want, since "{field}" is not inherited by '
            "environments.\n"
            f'Please add "{field}" to "env.{env_name}".',
            key=None,
        )
    value = raw_env.get(field)
    return default if value is None else value


# -- single-value validators ----------------------------------------------------------------


def is_string(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``isString``."""
    if value is not UNSET and not isinstance(value, str):
        diagnostics.error(
            f'Expected "{field}" to be of type string but got {js_json(value)}.', field
        )
        return False
    return True


def is_valid_name(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``isValidName``: lowercase alphanumerics, dashes and underscores (or empty)."""
    if value is UNSET or (isinstance(value, str) and _NAME.match(value)):
        return True
    diagnostics.error(
        f'Expected "{field}" to be of type string, alphanumeric and lowercase with dashes only '
        f"but got {js_json(value)}.",
        field,
    )
    return False


def is_string_array(diagnostics: Diagnostics, field: str, value: Any, _: Any = None) -> bool:
    """``isStringArray``."""
    if value is not UNSET and not (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    ):
        diagnostics.error(
            f'Expected "{field}" to be of type string array but got {js_json(value)}.', field
        )
        return False
    return True


def is_valid_date_time_string_format(diagnostics: Diagnostics, field: str, value: str) -> bool:
    """``isValidDateTimeStringFormat``: no en/em dashes, and parsable as a date by JS."""
    valid = True
    if "–" in value or "—" in value:
        diagnostics.error(
            f'"{field}" field should use ISO-8601 accepted hyphens (-) rather than en-dashes (–) '
            "or em-dashes (—).",
            field,
        )
        valid = False
    if not _js_date_parses(re.sub("[–—]", "-", value)):
        diagnostics.error(
            f'"{field}" field should be a valid ISO-8601 date (YYYY-MM-DD), but got '
            f"{js_json(value)}.",
            field,
        )
        valid = False
    return valid


_ISO_DATE_TIME = re.compile(
    r"[+-]?\d{4,6}(?:-(?P<month>\d\d)(?:-(?P<day>\d\d))?)?"
    r"(?:T\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?)?"
)
_LOOSE_NUMERIC_DATE = re.compile(r"(\d{1,4})[-/. ]+(\d{1,2})(?:[-/. ]+(\d{1,4}))?")
_MONTH_NAMES = re.compile(
    r"(?i)(?:\w+,?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{2,4}"
)


def _js_date_parses(value: str) -> bool:
    """Approximates ``!isNaN(new Date(value))`` for the date forms people write in configs.

    V8 accepts ISO dates (``2025-11-01``, ``2025-11``, ``2025``, with a time) with months 1-12 and
    days 1-31 (``2025-02-30`` rolls over), plus legacy forms such as ``2025/11/01``,
    ``11/01/2025``, ``2025.11.01`` and ``Nov 1 2025``.
    """
    text = value.strip()
    if match := _ISO_DATE_TIME.fullmatch(text):
        month, day = match.group("month"), match.group("day")
        return (month is None or 1 <= int(month) <= 12) and (day is None or 1 <= int(day) <= 31)
    if match := _LOOSE_NUMERIC_DATE.fullmatch(text):
        first, second, third = (int(part) if part else None for part in match.groups())
        if len(match.group(1)) >= 3:  # year first: Y/M[/D]
            return 1 <= second <= 12 and (third is None or 1 <= third <= 31)
        return third is not None and 1 <= first <= 12 and 1 <= second <= 31  # M/D/Y
    return bool(_MONTH_NAMES.fullmatch(text))


# -- properties of objects -------------------------------------------------------------------


def validate_required_property(
    diagnostics: Diagnostics, container: str, key: str, value: Any, type_name: str
) -> bool:
    """``validateRequiredProperty``: ``"<container>.<key>" is a required field.``, or wrong type."""
    field = f"{container}.{key}" if container else key
    if value is UNSET:
        diagnostics.error(f'"{field}" is a required field.', field)
        return False
    if not _has_type(value, type_name):
        diagnostics.error(
            f'Expected "{field}" to be of type {type_name} but got {js_json(value)}.', field
        )
        return False
    return True


def validate_optional_typed_array(
    diagnostics: Diagnostics, container: str, value: Any, type_name: str
) -> bool:
    """``validateOptionalTypedArray`` (with ``validateTypedArray``): elements read ``.[i]``."""
    if value is UNSET:
        return True
    if not isinstance(value, list):
        diagnostics.error(
            f'Expected "{container}" to be an array of {type_name}s but got {js_json(value)}',
            container,
        )
        return False
    results = [
        validate_required_property(diagnostics, container, f"[{index}]", item, type_name)
        for index, item in enumerate(value)
    ]
    return all(results)


def is_required_property(obj: dict[str, Any], prop: str, type_name: str) -> bool:
    """``isRequiredProperty``: present and of the given type."""
    return prop in obj and _has_type(obj[prop], type_name)


def is_optional_property(obj: dict[str, Any], prop: str, type_name: str) -> bool:
    """``isOptionalProperty``: absent, or of the given type."""
    return prop not in obj or _has_type(obj[prop], type_name)


def validate_additional_properties(
    diagnostics: Diagnostics,
    field_path: str,
    rest_props: Iterable[str],
    known_props: Iterable[str],
    *,
    key: str | None = None,
) -> bool:
    """``validateAdditionalProperties``: warn ``Unexpected fields found in <path> field: "a","b"``.

    ``key`` is the key path of the container; the warning points at its first unexpected key.
    """
    known = set(known_props)
    unexpected = [prop for prop in dict.fromkeys(rest_props) if prop not in known]
    if not unexpected:
        return True
    fields = ",".join(f'"{prop}"' for prop in unexpected)
    diagnostics.warn(
        f"Unexpected fields found in {field_path} field: {fields}", join_key(key, unexpected[0])
    )
    return False


def get_binding_names(value: Any) -> list[str]:
    """``getBindingNames``: names in ``{bindings: [{name}]}``, ``[{binding}]`` or a vars table."""
    if isinstance(value, dict):
        bindings = value.get("bindings")
        if isinstance(bindings, list) and all(
            isinstance(item, dict) and isinstance(item.get("name"), str) for item in bindings
        ):
            return [item["name"] for item in bindings]
        return [name for name, item in value.items() if item is not None]
    if isinstance(value, list) and all(
        isinstance(item, dict) and isinstance(item.get("binding"), str) for item in value
    ):
        return [item["binding"] for item in value]
    return []
