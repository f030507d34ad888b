"""The dev console: object-labelled prints, hotkeys, coloured request lines, the legend."""

from __future__ import annotations

import asyncio
import fcntl
import io
import logging
import os
import pty
import re
import subprocess
import sys
import termios
import time
import urllib.request
from types import SimpleNamespace

from helpers import COUNTER_BINDINGS, free_port, get

from pyworker.runtime import current
from pyworker.runtime.ids import IdFactory
from pyworker.server.banner import render_hotkeys
from pyworker.server.console import HOTKEYS, Console, ObjectPrints
from pyworker.server.log import RequestLine, _WranglerFormatter

PRINTING_ENTRY = """
from workers import DurableObject, Response, WorkerEntrypoint


class Counter(DurableObject):
    async def fetch(self, request):
        print("hello from the object")
        print("two\\nlines", "here")
        return Response("ok")


class Default(WorkerEntrypoint):
    async def fetch(self, request):
        print("hello from the worker")
        return await self.env.COUNTER.getByName("global-counter").fetch(request)
"""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


class Counter:
    """Stands in for a user's Durable Object class."""


def fake_host(name: str | None) -> SimpleNamespace:
    object_id = IdFactory("w-Counter").from_name("n")
    return SimpleNamespace(instance=Counter(), id=SimpleNamespace(name=name, toString=object_id.toString))


def test_console_object_prints_are_labelled_line_by_line() -> None:
    out = io.StringIO()
    stream = ObjectPrints(out)
    print("worker line", file=stream)
    token = current.object_host.set(fake_host("global-counter"))
    try:
        print("a", "b", file=stream)
        print("first\nsecond", file=stream, end="")
        print(" continued", file=stream)
    finally:
        current.object_host.reset(token)
    print("worker again", file=stream)
    assert out.getvalue().splitlines() == [
        "worker line",
        "[Counter global-counter] a b",
        "[Counter global-counter] first",
        "[Counter global-counter] second continued",
        "worker again",
    ]


def test_console_object_without_name_is_labelled_with_its_id() -> None:
    out = io.StringIO()
    host = fake_host(None)
    token = current.object_host.set(host)
    try:
        print("x", file=ObjectPrints(out))
    finally:
        current.object_host.reset(token)
    assert out.getvalue() == f"[Counter {host.id.toString()[:8]}] x\n"


async def test_console_hotkeys_open_clear_and_exit(capsys) -> None:
    opened: list[str] = []
    exits: list[bool] = []
    console = Console("http://127.0.0.1:8787", lambda: exits.append(True), open_url=opened.append)
    for key in "bEzcx":
        console.press(key)
    await asyncio.sleep(0.05)  # browsers open off the event loop
    assert opened == ["http://127.0.0.1:8787", "http://127.0.0.1:8787/cdn-cgi/explorer"]
    assert capsys.readouterr().out == "\x1b[2J\x1b[3J\x1b[H"
    assert exits == [True]


async def test_console_is_not_interactive_without_a_terminal() -> None:
    stdout = sys.stdout
    with Console("http://x", lambda: None, stdin=io.StringIO()) as console:
        assert not console.interactive()
        assert isinstance(sys.stdout, ObjectPrints)
    assert sys.stdout is stdout


def test_console_hotkeys_legend_is_a_box() -> None:
    lines = render_hotkeys(HOTKEYS).splitlines()
    assert lines[1] == "│  [b] open a browser, [e] open the explorer, [c] clear console, [x] to exit  │"
    assert len({len(line) for line in lines}) == 1


def test_console_request_line_plain_and_coloured() -> None:
    line = RequestLine("GET", "/counter", 200, "OK", 3)
    assert line.plain() == "GET /counter 200 OK (3ms)"
    coloured = line.coloured()
    assert ANSI.sub("", coloured) == "GET     /counter 200 OK (3ms)"
    assert "\x1b[32m200 OK" in coloured
    assert "\x1b[31m500" in RequestLine("POST", "/x", 500, "Internal Server Error", 1).coloured()


def test_console_formatter_is_plain_unless_coloured() -> None:
    line = RequestLine("DELETE", "/k", 404, "Not Found", 0)
    record = logging.LogRecord("pyworker", logging.INFO, __file__, 1, "%s", (line.plain(),), None)
    record.request_line = line
    assert _WranglerFormatter(colour=False).format(record) == "[wrangler:info] DELETE /k 404 Not Found (0ms)"
    assert ANSI.sub("", _WranglerFormatter(colour=True).format(record)) == "[wrangler:info] DELETE  /k 404 Not Found (0ms)"


def test_console_dev_labels_object_prints_and_keeps_plain_lines(project, run_dev) -> None:
    server = run_dev(project({"src/entry.py": PRINTING_ENTRY}, COUNTER_BINDINGS))
    assert get(server.url + "/hit") == "ok"
    deadline = time.monotonic() + 5
    while "GET /hit" not in server.output and time.monotonic() < deadline:
        time.sleep(0.05)
    output = server.output
    assert "\nhello from the worker\n" in output
    assert "[Counter global-counter] hello from the object\n" in output
    assert "[Counter global-counter] two\n[Counter global-counter] lines here\n" in output
    assert "[wrangler:info] GET /hit 200 OK (" in output and "\x1b[" not in output
    assert "[b] open a browser" not in output  # no hotkeys without a terminal


def test_console_dev_in_a_terminal_shows_legend_colours_and_exits_on_x(project) -> None:
    root = project({"src/entry.py": PRINTING_ENTRY}, COUNTER_BINDINGS)
    port = free_port()
    controller, terminal = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pyworker", "dev", "--port", str(port), "--no-reload"],
        cwd=root, stdin=terminal, stdout=terminal, stderr=terminal, env={**env, "PYTHONUNBUFFERED": "1"},
        start_new_session=True,  # its own session: the terminal is its controlling, foreground terminal
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # noqa: PLW1509 - one ioctl before exec
    )
    os.close(terminal)
    output = b""

    def read_until(marker: bytes, timeout: float = 20) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output:
            assert time.monotonic() < deadline, output.decode(errors="replace")
            try:
                output += os.read(controller, 4096)
            except OSError:
                break

    try:
        read_until(b"[x] to exit")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/hit", timeout=5) as response:
            assert response.read() == b"ok"
        read_until(b"/hit")
        os.write(controller, b"x")
        assert process.wait(10) == 0
        read_until(b"Shutting down")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    text = output.decode(errors="replace")
    assert "[e] open the explorer" in text
    assert "\x1b[1mGET    \x1b[0m /hit \x1b[32m200 OK" in text
    assert f"Ready on http://127.0.0.1:{port}" in ANSI.sub("", text)
