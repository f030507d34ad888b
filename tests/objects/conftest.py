"""The example app (the repository's own wrangler.toml and objects/), served in-process on a manual clock."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from js import Date
from multidict import CIMultiDictProxy

from helpers import REPO
from pyworker.runtime.clock import ManualClock

CURL = {"User-Agent": "curl/8.5.0"}
"""Headers that make an uncaught error answer plain text, whose first line is ``<ErrorName>: <message>``."""


def iso(ms: float) -> str:
    """``new Date(ms).toISOString()``, as the objects write times."""
    return Date.new(ms).toISOString()


def ip(address: str) -> dict[str, str]:
    """Headers of a request from the client at ``address``."""
    return {"CF-Connecting-IP": address}


@dataclass
class Reply:
    """What the client received."""

    status: int
    content_type: str
    text: str
    headers: CIMultiDictProxy[str]

    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def first_line(self) -> str:
        return self.text.splitlines()[0]


Send = Callable[..., Awaitable[Reply]]


@pytest.fixture
def clock() -> ManualClock:
    """The app's clock: alarms and ``Date.now()`` move only with ``await clock.advance(ms)``."""
    return ManualClock()


@pytest.fixture
async def app(worker_client, clock):  # type: ignore[no-untyped-def]
    return await worker_client(REPO, clock=clock)


@pytest.fixture
def send(app) -> Send:  # type: ignore[no-untyped-def]
    """``await send("POST", "/path", data=..., headers=...)`` → the ``Reply``."""

    async def request(method: str, path: str, **kwargs: Any) -> Reply:
        response = await app.request(method, path, **kwargs)
        return Reply(response.status, response.headers.get("Content-Type", ""), await response.text(), response.headers)

    return request
