"""The explorer page in a real headless Chromium: the DOM it renders, and a screenshot.

Needs Debian's ``chromium`` (``apt-get install -y chromium``); skipped when ``/usr/bin/chromium`` is
absent. ``--virtual-time-budget`` lets the page's API calls finish before the DOM is dumped.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)"
)


async def chromium(tmp_path: Path, *args: str) -> str:
    """Run headless Chromium with ``args``; its stdout."""
    process = await asyncio.create_subprocess_exec(
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=5000", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode(errors="replace")
    return stdout.decode()


async def test_explorer_browser_renders_an_object_with_keys_tables_and_alarm(client, tmp_path: Path) -> None:
    object_id = client.worker.env.STORE.idFromName("alpha")
    dom = await chromium(tmp_path, "--dump-dom", str(client.make_url(f"/cdn-cgi/explorer#/do/STORE/{object_id}")))
    assert 'data-state="ready"' in dom
    assert 'data-testid="object"' in dom and 'role="alert"' not in dom
    assert "STORE (Store)" in dom and str(object_id) in dom
    assert ">profile<" in dom and "&quot;Ada&quot;" not in dom and '"Ada"' in dom  # values as text
    assert 'data-testid="tables"' in dom and ">items<" in dom
    assert "KV namespaces" in dom and "CACHE" in dom and "DB" in dom


async def test_explorer_browser_home_screenshot(client, tmp_path: Path) -> None:
    screenshot = tmp_path / "explorer.png"
    await chromium(tmp_path, f"--screenshot={screenshot}", "--window-size=1280,800",
                   str(client.make_url("/cdn-cgi/explorer#/")))
    data = screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
