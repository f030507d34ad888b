"""Durable Object ids, bit-for-bit as ``wrangler dev`` (workerd's local id scheme) makes them.

``key = SHA-256(unique_key)``; an id is ``a ‖ b`` where ``a`` is 16 bytes (the HMAC of the name under
``key``, or random bytes for ``newUniqueId``) and ``b = HMAC(key, a)[:16]``. ``unique_key`` is
``"<worker name>-<ClassName>"``, so ids, and the state file names derived from them, match wrangler's.
"""

from __future__ import annotations

import hashlib
import hmac
import os

__all__ = ["DurableObjectId", "IdFactory"]


class DurableObjectId:
    """An object id: ``str(id)`` / ``id.toString()`` is 64 lowercase hex digits."""

    __slots__ = ("_hex", "name")

    def __init__(self, hex_id: str, name: str | None = None) -> None:
        self._hex = hex_id
        self.name = name

    def toString(self) -> str:  # noqa: N802 - JavaScript API name
        """The id as 64 lowercase hex digits."""
        return self._hex

    def equals(self, other: DurableObjectId) -> bool:
        """True when both ids name the same object."""
        return isinstance(other, DurableObjectId) and other._hex == self._hex

    @property
    def jurisdiction(self) -> None:
        """Always ``None`` locally (workerd implements no jurisdictions)."""
        return None

    def __str__(self) -> str:
        return self._hex

    def __repr__(self) -> str:
        return f"DurableObjectId({self._hex!r}{', name=' + repr(self.name) if self.name is not None else ''})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DurableObjectId) and other._hex == self._hex

    def __hash__(self) -> int:
        return hash(self._hex)


class IdFactory:
    """Makes and checks the ids of one namespace (one ``unique_key``)."""

    __slots__ = ("_key", "_hex_by_name")

    _NAMES_CACHED = 10_000

    def __init__(self, unique_key: str) -> None:
        self._key = hashlib.sha256(unique_key.encode()).digest()
        self._hex_by_name: dict[str, str] = {}

    def _mac(self, data: bytes) -> bytes:
        return hmac.new(self._key, data, hashlib.sha256).digest()[:16]

    def _make(self, head: bytes, name: str | None) -> DurableObjectId:
        return DurableObjectId((head + self._mac(head)).hex(), name)

    def from_name(self, name: str) -> DurableObjectId:
        """The deterministic id for ``name`` (the two HMACs are computed once per name)."""
        hex_id = self._hex_by_name.get(name)
        if hex_id is None:
            if len(self._hex_by_name) >= self._NAMES_CACHED:
                self._hex_by_name.clear()
            hex_id = self._hex_by_name[name] = self._make(self._mac(name.encode()), name).toString()
        return DurableObjectId(hex_id, name)

    def unique(self) -> DurableObjectId:
        """A new random id."""
        return self._make(os.urandom(16), None)

    def from_string(self, hex_id: str) -> DurableObjectId:
        """Parse ``hex_id``; raise TypeError with workerd's messages when it is not an id of this namespace."""
        try:
            raw = bytes.fromhex(hex_id) if isinstance(hex_id, str) else b""
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise TypeError("Invalid Durable Object ID: must be 64 hex digits")
        if not hmac.compare_digest(raw[16:], self._mac(raw[:16])):
            raise TypeError("Durable Object ID is not valid for this namespace.")
        return DurableObjectId(raw.hex(), None)
