"""``msckg serve`` as a process: SIGTERM drains and exits 0, its workers die with it, slow or half-open
clients and bare-LF requests lock nobody out.

Each test starts its own server (``python -m server serve``) on a free port of 127.0.0.1 over the fixture release.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12)) + " }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Served:
    """A ``msckg serve`` process and its base URL."""

    def __init__(self, release: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MSCKG_WORKERS": "2", "MSCKG_QUERY_TIMEOUT": "20", "MSCKG_CHANNEL_TIMEOUT": "3"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server", "serve", "--port", str(self.port), "--release", str(release)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/health", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.process.kill()
        raise RuntimeError(f"msckg serve did not start: {self.process.communicate(timeout=5)}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def served(endpoint_release: Path) -> Iterator[Served]:
    server = Served(endpoint_release)
    yield server
    server.stop()


def test_sigterm_drains_kills_busy_workers_and_exits_0(served: Served) -> None:
    processes = _descendants(served.process.pid)
    assert len(processes) >= 3  # the store process and two workers
    outcome: dict[str, object] = {}

    def slow() -> None:
        try:
            outcome["status"] = requests.post(served.url + "/sparql", data={"query": SLOW}, timeout=30).status_code
        except requests.RequestException as exc:
            outcome["status"] = type(exc).__name__

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(1.0)
    started = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=15) == 0
    assert time.monotonic() - started < 10
    thread.join(timeout=30)
    assert outcome["status"] in (503, "ConnectionError")  # never a query left running to its limit
    deadline = time.monotonic() + 5
    while any(_running(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(p) for p in processes), "a worker outlived the server"


def test_workers_die_with_the_server(served: Served) -> None:
    processes = _descendants(served.process.pid)
    assert len(processes) >= 3
    served.process.kill()
    served.process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(_running(p) for p in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(p) for p in processes), "a worker outlived the server (PR_SET_PDEATHSIG)"


def test_half_open_connections_do_not_lock_out_health(served: Served) -> None:
    """120 clients that connect and send half a request: /health still answers at once; they are closed later."""
    idle = []
    try:
        for _ in range(120):
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            idle.append(sock)
        started = time.monotonic()
        assert requests.get(served.url + "/health", timeout=5).status_code == 200
        assert time.monotonic() - started < 1.0
        time.sleep(5)  # MSCKG_CHANNEL_TIMEOUT=3 here: the server has closed them by now
        idle[0].settimeout(2)
        assert idle[0].recv(1) == b""
    finally:
        for sock in idle:
            sock.close()


def test_a_bare_lf_request_is_answered_at_once(served: Served) -> None:
    """Lines ended by a bare LF never leave the connection waiting for a CRLF (RFC 9112 §2.2 lets the server read
    them as line ends, and hyper does)."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /health HTTP/1.1\nHost: x\n\n")
        answer = sock.recv(200)
    assert answer.startswith((b"HTTP/1.1 200", b"HTTP/1.1 400")), answer
    assert time.monotonic() - started < 1.0


def test_cheap_requests_answer_while_workers_are_all_busy(served: Served) -> None:
    """Both workers busy with queries that cannot finish: /health, VoID and the service description answer."""

    def slow() -> None:
        with contextlib.suppress(requests.RequestException):  # the server stops under it at the end
            requests.post(served.url + "/sparql", data={"query": SLOW}, timeout=30)

    threads = [threading.Thread(target=slow) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    health = requests.get(served.url + "/health", timeout=5).json()
    assert health["busy"] == 2 and health["long_running"] == 2
    for path, accept in (("/health", "application/json"), ("/.well-known/void", "text/turtle"),
                         ("/sparql", "text/turtle")):  # fmt: skip
        conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
        started = time.monotonic()
        conn.request("GET", path, headers={"Accept": accept})
        assert conn.getresponse().status == 200
        assert time.monotonic() - started < 0.5, path
        conn.close()
    served.stop()
    for thread in threads:
        thread.join(timeout=30)
