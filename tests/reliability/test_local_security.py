"""Security of a real ``pyworker dev``: it listens on 127.0.0.1 unless told otherwise (and warns
when told 0.0.0.0), its local endpoints refuse requests addressed elsewhere, slow clients time out
without delaying others, malformed requests are logged in one line, secrets stay out of the logs
and the banner, and the state it creates is readable by the user only.

One server (``dev``) serves the whole module: starting one takes about a second."""

from __future__ import annotations

import os
import socket
import stat
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from helpers import DevServer, get
from pyworker.storage.kv_store import KeyValueStore
from reliability_helpers import write_soak_project

SECRET = "s3cr3t-token-8f2b1c"
CLIENT_TIMEOUT_S = 1.0


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevServer]:
    """``pyworker dev`` on the soak worker, a secret in ``.dev.vars``, a 1 s client timeout, no --ip."""
    project = write_soak_project(tmp_path_factory.mktemp("security") / "project")
    (project / ".dev.vars").write_text(f"API_TOKEN={SECRET}\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYWORKER_CLIENT_TIMEOUT", str(CLIENT_TIMEOUT_S))
        server = DevServer(project, ["--no-reload", "--log-level", "debug"])
    server.project = project  # type: ignore[attr-defined]
    try:
        server.wait_ready()
        get(f"{server.url}/inc?name=first")  # state files exist from here on
        yield server
    finally:
        server.stop()


def _exchange(server: DevServer, data: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes on a new connection; the first bytes of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(data)
        return sock.recv(65536)


def _listeners(port: int) -> list[str]:
    """Local addresses listening on ``port``, from /proc/net/tcp and tcp6 (hex, as the kernel writes them)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.rpartition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def test_dev_listens_on_loopback_only_by_default(dev: DevServer) -> None:
    """Without --ip the only listening socket is 127.0.0.1 (0100007F), no IPv6 or wildcard one."""
    assert _listeners(dev.port) == ["0100007F"]
    assert f"Ready on http://127.0.0.1:{dev.port}" in dev.output


def test_dev_warns_when_listening_on_all_interfaces(run_dev: Callable[..., DevServer], tmp_path: Path) -> None:
    """--ip 0.0.0.0 works, with a warning that the network can reach the server."""
    server = run_dev(write_soak_project(tmp_path / "project"), "--ip", "0.0.0.0", "--no-reload")
    assert _listeners(server.port) == ["00000000"]
    assert "[wrangler:warn] Listening on 0.0.0.0: other machines on your network can reach this server." in server.output
    assert f"Ready on http://localhost:{server.port}" in server.output


@pytest.mark.parametrize("path", ["/cdn-cgi/explorer", "/cdn-cgi/handler/scheduled"])
def test_dev_local_endpoints_refuse_foreign_host_header(dev: DevServer, path: str) -> None:
    """DNS rebinding: a raw request whose Host names another machine gets 403 and the reason."""
    answer = _exchange(dev, f"GET {path} HTTP/1.1\r\nHost: attacker.example:{dev.port}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 403 Forbidden")
    assert f"its Host is 'attacker.example:{dev.port}'".encode() in answer


def test_dev_local_endpoints_refuse_foreign_origin(dev: DevServer) -> None:
    """A page elsewhere posting to the scheduled handler is refused even with a local Host."""
    request = f"POST /cdn-cgi/handler/scheduled HTTP/1.1\r\nHost: 127.0.0.1:{dev.port}\r\n" \
              "Origin: http://attacker.example\r\nContent-Length: 0\r\n\r\n"  # fmt: skip
    answer = _exchange(dev, request.encode())
    assert answer.startswith(b"HTTP/1.1 403 Forbidden")
    assert b"its Origin is 'http://attacker.example'" in answer


def test_dev_local_endpoints_serve_localhost(dev: DevServer) -> None:
    """The explorer answers a request addressed to localhost."""
    answer = _exchange(dev, f"GET /cdn-cgi/explorer HTTP/1.1\r\nHost: localhost:{dev.port}\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 200 OK")


def _timed_get(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
    return time.monotonic() - started


def test_dev_slow_headers_time_out_without_delaying_others(dev: DevServer) -> None:
    """Headers that never end: the connection closes after the client timeout; meanwhile others
    are served at once."""
    with socket.create_connection(("127.0.0.1", dev.port), timeout=10) as slow:
        slow.sendall(b"GET /value HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        started = time.monotonic()
        assert max(_timed_get(f"{dev.url}/value?name=other") for _ in range(5)) < CLIENT_TIMEOUT_S * 0.75
        assert slow.recv(1024) == b""  # closed by the server, with no answer
        assert CLIENT_TIMEOUT_S * 0.8 < time.monotonic() - started < CLIENT_TIMEOUT_S + 3


def test_dev_slow_body_gets_408_without_delaying_others(dev: DevServer) -> None:
    """A body that stops halfway: 408 after the client timeout; meanwhile others are served at once."""
    with socket.create_connection(("127.0.0.1", dev.port), timeout=10) as slow:
        slow.sendall(b"POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n0123456789")
        started = time.monotonic()
        assert max(_timed_get(f"{dev.url}/value?name=other") for _ in range(5)) < CLIENT_TIMEOUT_S * 0.75
        answer = slow.recv(65536)
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout"), answer
        assert b"the request body did not arrive within 1 s" in answer
        assert CLIENT_TIMEOUT_S * 0.8 < time.monotonic() - started < CLIENT_TIMEOUT_S + 3


def test_dev_malformed_request_is_logged_in_one_line(dev: DevServer) -> None:
    """aiohttp's parser refuses it with 400; the log says so in one warning line, no traceback."""
    assert _exchange(dev, b"GET /value HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n").startswith(b"HTTP/1.0 400")
    deadline = time.monotonic() + 5
    while "Bad request from 127.0.0.1" not in dev.output and time.monotonic() < deadline:
        time.sleep(0.05)
    line = next(line for line in dev.output.splitlines() if "Bad request from 127.0.0.1" in line)
    assert line.startswith("[wrangler:warn] Bad request from 127.0.0.1: ")
    assert "Traceback" not in dev.output


def test_dev_secrets_stay_out_of_banner_and_logs(dev: DevServer) -> None:
    """A .dev.vars value is shown as (hidden) and never printed, even at --log-level debug and
    when a request fails with a traceback."""
    with pytest.raises(urllib.error.HTTPError):
        get(f"{dev.url}/alarm?name=x&in_ms=not-a-number")  # a 500 with a logged traceback
    assert 'env.API_TOKEN ("(hidden)")' in dev.output
    assert "ValueError" in dev.output
    assert SECRET not in dev.output


def _modes(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode) for path in [root, *root.rglob("*")]}


def test_dev_state_is_readable_by_the_user_only(dev: DevServer) -> None:
    """Every folder pyworker created under the project (.wrangler on down) is 0700, every file 0600:
    object databases with their -wal/-shm files, and the migrations ledger."""
    modes = _modes(dev.project / ".wrangler")  # type: ignore[attr-defined]
    assert any(name.endswith(".sqlite-wal") for name in modes) and any(name.endswith(".json") for name in modes)
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (dev.project / ".wrangler" / name).is_dir() else 0o600)}  # type: ignore[attr-defined]  # fmt: skip
    assert wrong == {}


def test_kv_state_is_readable_by_the_user_only(tmp_path: Path) -> None:
    """A KV namespace's database and value files (blobs) are 0600, in 0700 folders."""
    store = KeyValueStore(tmp_path / "state", "cache")
    store.put("key", b"value", None, None)
    store.close()
    modes = _modes(tmp_path / "state")
    assert len(modes) >= 6  # state, v3, kv, two namespace folders, blobs, files
    assert {name: oct(mode) for name, mode in modes.items()
            if mode != (0o700 if (tmp_path / "state" / name).is_dir() else 0o600)} == {}  # fmt: skip


def test_state_permissions_hold_under_a_permissive_umask(tmp_path: Path) -> None:
    """The modes come from pyworker, not from the umask: umask 000 still gives 0700/0600."""
    old = os.umask(0)
    try:
        store = KeyValueStore(tmp_path / "state", "cache")
        store.put("key", b"value", None, None)
        store.close()
    finally:
        os.umask(old)
    assert {oct(mode) for mode in _modes(tmp_path / "state").values()} == {"0o700", "0o600"}
