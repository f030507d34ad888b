"""The example app (the repository's own wrangler.toml and objects/), served in-process."""

from __future__ import annotations

import pytest

from helpers import REPO


@pytest.fixture
async def app(worker_client):  # type: ignore[no-untyped-def]
    return await worker_client(REPO)
