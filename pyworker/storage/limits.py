"""Storage limits with Cloudflare's values and messages, in two profiles (``--limits local|strict``).

``local`` (the default) is what ``wrangler dev`` 4.47 does: every object lives in SQLite, so the only
limit on key-value data is SQLite's length limit (workerd sets ``SQLITE_LIMIT_LENGTH`` to 2,200,000
bytes); a key/value record above it fails with ``string or blob too big: SQLITE_TOOBIG``.

``strict`` adds, for KV-backed classes (``new_classes``) only, the checks production's ``ActorCache``
makes: keys up to 2048 bytes, serialized values up to 131072 bytes (+34 bytes of slack for V8's
framing), at most 128 keys per ``get``/``put``/``delete`` batch — with workerd's ``RangeError`` texts.
SQLite-backed classes get the ``local`` behaviour in both profiles, as in production.
"""

from __future__ import annotations

from pyworker.runtime.http import RangeError
from pyworker.storage.errors import StorageError

__all__ = [
    "ADVERTISED_MAX_VALUE_SIZE",
    "ENFORCED_MAX_VALUE_SIZE",
    "MAX_KEYS_PER_BATCH",
    "MAX_KEY_SIZE",
    "PROFILES",
    "SQLITE_MAX_LENGTH",
    "SQLITE_MAX_SQL_LENGTH",
    "RangeError",
    "StorageLimits",
]

# workerd io/actor-storage.h (ActorStorageLimits) and rpc::ActorStorage::MAX_KEYS
MAX_KEY_SIZE = 2048
ADVERTISED_MAX_VALUE_SIZE = 128 * 1024
ENFORCED_MAX_VALUE_SIZE = ADVERTISED_MAX_VALUE_SIZE + 34
MAX_KEYS_PER_BATCH = 128

# workerd util/sqlite.c++ setupSecurity() (WD1109; Δ WD-HEAD raises SQLITE_LIMIT_LENGTH to 4 MiB)
SQLITE_MAX_LENGTH = 2_200_000
SQLITE_MAX_SQL_LENGTH = 100_000
SQLITE_MAX_COLUMNS = 100
SQLITE_MAX_EXPR_DEPTH = 100
SQLITE_MAX_COMPOUND_SELECT = 5
SQLITE_MAX_VDBE_OPS = 25_000
SQLITE_MAX_FUNCTION_ARGS = 127
SQLITE_MAX_LIKE_PATTERN_LENGTH = 50
SQLITE_MAX_VARIABLES = 100
SQLITE_MAX_TRIGGER_DEPTH = 10

PROFILES = ("local", "strict")

TOO_BIG = "string or blob too big: SQLITE_TOOBIG"


class StorageLimits:
    """The checks one object's key-value API makes; ``strict`` is on only for KV-backed classes."""

    __slots__ = ("strict",)

    def __init__(self, profile: str = "local", *, sqlite: bool = True) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown limits profile {profile!r}; expected one of: {', '.join(PROFILES)}")
        self.strict = profile == "strict" and not sqlite

    def check_key(self, key: str) -> None:
        """Strict profile: a key of ``get``/``put``/``delete`` is at most 2048 UTF-8 bytes."""
        if len(key) > MAX_KEY_SIZE // 4:
            size = len(key.encode("utf-8", "surrogatepass"))
            if size > MAX_KEY_SIZE:
                raise RangeError(
                    f"Keys cannot be larger than {MAX_KEY_SIZE} bytes. A key of size {size} was provided."
                )

    def check_value(self, encoded: bytes) -> None:
        """Strict profile: a serialized value is at most 131072 (+34) bytes."""
        if len(encoded) > ENFORCED_MAX_VALUE_SIZE:
            raise RangeError(
                f"Values cannot be larger than {ADVERTISED_MAX_VALUE_SIZE} bytes. "
                f"A value of size {len(encoded)} was provided."
            )

    def check_count(self, count: int) -> None:
        """Strict profile: a batch has at most 128 keys."""
        if count > MAX_KEYS_PER_BATCH:
            raise RangeError(
                f"Maximum number of key value pairs is {MAX_KEYS_PER_BATCH}. {count} pairs were provided."
            )


def check_record(key: str, encoded: bytes) -> None:
    """Both profiles: the ``_cf_KV`` row (key, value) must fit SQLite's length limit.

    SQLite checks the whole record (header + key + value) against ``SQLITE_LIMIT_LENGTH`` when it
    builds the row, so this computes the same size to fail before anything is written.
    """
    if len(encoded) + 4 * len(key) + 16 <= SQLITE_MAX_LENGTH:
        return
    key_size = len(key.encode("utf-8", "surrogatepass"))
    header = 1 + _varint_size(key_size * 2 + 13) + _varint_size(len(encoded) * 2 + 12)
    if header >= 0x80:
        header += 1
    if header + key_size + len(encoded) > SQLITE_MAX_LENGTH:
        raise StorageError(TOO_BIG)


def check_bindable(key: str) -> None:
    """Both profiles, for reads and deletes: a key over SQLite's length limit cannot even be bound to
    a statement; fail with SQLite's message before the database is touched (a delete that reached
    SQLite would otherwise fail inside the object's write batch)."""
    if len(key) > SQLITE_MAX_LENGTH // 4 and len(key.encode("utf-8", "surrogatepass")) > SQLITE_MAX_LENGTH:
        raise StorageError(TOO_BIG)


def _varint_size(n: int) -> int:
    size = 1
    while n >= 0x80 and size < 9:
        n >>= 7
        size += 1
    return size
