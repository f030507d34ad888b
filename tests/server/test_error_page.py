"""The error page of an uncaught exception: HTML with request, traceback and user source, or text."""

from __future__ import annotations

import pytest

ENTRY = """
from workers import WorkerEntrypoint, Response


def parse(text):
    marker = "<b>&"
    return int(text)  # fails for the request below


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        if request.url.endswith("/chained"):
            try:
                {}["missing"]
            except KeyError as error:
                raise RuntimeError("could not <load>") from error
        return Response(str(parse("<not a number>")))
"""

BROWSER = {"Accept": "text/html,application/xhtml+xml", "User-Agent": "Mozilla/5.0", "X-Probe": "<probe>"}


@pytest.fixture
async def client(project, worker_client):  # type: ignore[no-untyped-def]
    return await worker_client(project({"src/entry.py": ENTRY}))


async def test_error_page_html_shows_error_request_and_headers(client) -> None:
    response = await client.get("/crash?x=1", headers=BROWSER)
    page = await response.text()
    assert response.status == 500 and response.content_type == "text/html"
    assert "<title>An error has occurred</title>" in page
    assert "ValueError" in page and "invalid literal for int() with base 10: &#x27;&lt;not a number&gt;&#x27;" in page
    assert "<code>GET http://127.0.0.1:" in page and "/crash?x=1</code>" in page
    assert "<td>X-Probe</td><td>&lt;probe&gt;</td>" in page
    assert "<probe>" not in page and "<not a number>" not in page


async def test_error_page_html_shows_source_around_user_frames(client) -> None:
    page = await (await client.get("/crash", headers=BROWSER)).text()
    assert page.count('class="frame user"') == 2  # fetch() and parse(), both in src/entry.py
    assert '<span class="hit"><span class="no">7</span>    return int(text)  # fails for the request below</span>' in page
    assert '<span class="no">6</span>    marker = &quot;&lt;b&gt;&amp;&quot;' in page  # context lines, escaped
    assert "library frame" in page  # pyworker's own frames are folded


async def test_error_page_html_shows_chained_exceptions_in_order(client) -> None:
    page = await (await client.get("/chained", headers=BROWSER)).text()
    cause = page.index("<h2>KeyError: &#x27;missing&#x27;</h2>")
    link = page.index("The above exception was the direct cause of the following exception:")
    error = page.index("<h2>RuntimeError: could not &lt;load&gt;</h2>")
    assert cause < link < error


async def test_error_page_text_keeps_first_line_and_traceback(client) -> None:
    response = await client.get("/crash", headers={"User-Agent": "curl/8.5.0", "Accept": "*/*"})
    lines = (await response.text()).splitlines()
    assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
    assert lines[0] == "ValueError: invalid literal for int() with base 10: '<not a number>'"
    assert lines[1] == "    Traceback (most recent call last):"
    assert any("return int(text)" in line for line in lines)


async def test_error_page_is_text_without_an_html_accept(client) -> None:
    response = await client.get("/crash", headers={"User-Agent": "Mozilla/5.0", "Accept": "application/json"})
    assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
