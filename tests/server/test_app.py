"""The HTTP front door: request and response mapping, logging, uncaught errors."""

from __future__ import annotations

import logging

import pytest

ENTRY = """
from urllib.parse import urlsplit
from workers import WorkerEntrypoint, Response


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        path = urlsplit(request.url).path[1:]
        if path.startswith("echo"):
            body = await request.text()
            return Response.json({
                "method": request.method,
                "url": request.url,
                "body": body,
                "ip": request.headers.get("CF-Connecting-IP"),
                "custom": request.headers.get("x-custom"),
                "city": request.cf["city"],
            })
        if path == "bytes":
            return Response(b"\\x00\\x01", headers={"content-type": "application/octet-stream"})
        if path == "status":
            return Response("teapot", status=418, status_text="I'm a teapot")
        if path == "redirect":
            return Response.redirect("https://example.com/", 301)
        if path == "crash":
            raise KeyError("missing")
        if path == "not-a-response":
            return "plain string"
        return Response("hello")
"""

LEGACY_ENTRY = """
from workers import Response


async def on_fetch(request, env):
    return Response("legacy " + env.NAME)
"""


@pytest.fixture
async def client(project, worker_client):  # type: ignore[no-untyped-def]
    return await worker_client(project({"src/entry.py": ENTRY}))


async def test_app_plain_text_response_has_js_default_content_type(client) -> None:
    response = await client.get("/")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert await response.text() == "hello"


async def test_app_passes_method_url_body_and_headers(client) -> None:
    response = await client.post("/echo?x=1", data="payload", headers={"X-Custom": "yes"})
    data = await response.json()
    assert data["method"] == "POST"
    assert data["url"].endswith("/echo?x=1") and data["url"].startswith("http://127.0.0.1:")
    assert data["body"] == "payload" and data["custom"] == "yes"


async def test_app_sets_cf_connecting_ip_to_client_address(client) -> None:
    data = await (await client.get("/echo")).json()
    assert data["ip"] == "127.0.0.1"


async def test_app_provides_local_request_cf(client) -> None:
    data = await (await client.get("/echo")).json()
    assert data["city"] == "Austin"


async def test_app_keeps_percent_encoding_in_url(client) -> None:
    data = await (await client.get("/echo/a%20b")).json()
    assert data["url"].endswith("/echo/a%20b")


async def test_app_json_response(client) -> None:
    response = await client.get("/echo")
    assert response.headers["Content-Type"] == "application/json"


async def test_app_bytes_response(client) -> None:
    response = await client.get("/bytes")
    assert await response.read() == b"\x00\x01"


async def test_app_custom_status_and_text(client) -> None:
    response = await client.get("/status")
    assert (response.status, response.reason) == (418, "I'm a teapot")


async def test_app_redirect(client) -> None:
    response = await client.get("/redirect", allow_redirects=False)
    assert response.status == 301 and response.headers["Location"] == "https://example.com/"


async def test_app_logs_one_wrangler_style_line_per_request(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="pyworker"):
        await client.get("/status?q=1")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert lines[0].startswith("GET /status 418 I'm a teapot (") and lines[0].endswith("ms)")


async def test_app_uncaught_exception_gives_500_text_for_curl(client) -> None:
    response = await client.get("/crash", headers={"User-Agent": "curl/8.0", "Accept": "*/*"})
    assert response.status == 500
    assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert (await response.text()).splitlines()[0] == "KeyError: 'missing'"


async def test_app_uncaught_exception_gives_html_for_browsers(client) -> None:
    response = await client.get("/crash", headers={"Accept": "text/html", "User-Agent": "Mozilla/5.0"})
    assert response.status == 500
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<title>An error has occurred</title>" in await response.text()


async def test_app_uncaught_exception_is_logged_with_traceback(client, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="pyworker"):
        await client.get("/crash")
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].exc_info is not None


async def test_app_keeps_serving_after_an_exception(client) -> None:
    await client.get("/crash")
    assert (await client.get("/")).status == 200


async def test_app_non_response_return_is_500(client) -> None:
    response = await client.get("/not-a-response", headers={"User-Agent": "curl/8.0"})
    assert response.status == 500
    assert "must return a workers.Response" in await response.text()


async def test_app_module_level_on_fetch_handler(project, worker_client) -> None:
    root = project({"src/entry.py": LEGACY_ENTRY}, '[vars]\nNAME = "handler"\n')
    client = await worker_client(root)
    assert await (await client.get("/")).text() == "legacy handler"
