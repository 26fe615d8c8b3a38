"""No socket can be opened from a query worker: SERVICE sent straight to the engine, guard disabled, reaches nothing.

A listener on 127.0.0.1 stands for an internal service. Each query that once bypassed the regex guard is run by
real workers (forks of the real store process) whose executor has no guard: the engine reads SERVICE in every
one of them and tries to open a socket, the kernel refuses it (``EACCES`` from the seccomp filter), and the
listener sees no connection. The same queries on workers without isolation do reach the listener: the test
can tell the difference.
"""

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.engine import QuerySpec
from server.engine.pool import WorkerPool
from server.release.layout import DUMP_FILE

UNGUARDED = "tests.engine.unguarded_executor:execute"


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it is offered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()  # the engine's HTTP client then fails at once

    def close(self) -> None:
        self._stop = True
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def bypasses(port: int) -> list[str]:
    """The three spellings that got SERVICE past the regex guard, and the plain one."""
    target = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c #c\rSERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX l: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICEl:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ OPTIONAL {{ ?a ?b ?c FILTER(?a<'x>') }} "
        f"SERVICE <{target}> {{ ?s ?p ?o FILTER(?o != 'z') }} }}",
    ]


def test_no_socket_from_a_worker_whatever_the_query(endpoint_release: Path, listener: Listener) -> None:
    pool = WorkerPool(endpoint_release / DUMP_FILE, size=1, timeout=10.0, executor=UNGUARDED)
    try:
        assert "seccomp: no socket()" in pool.health().detail["isolation"]  # type: ignore[operator]
        for query in bypasses(listener.port):
            with pytest.raises(RuntimeError, match=r"Permission denied \(os error 13\)"):
                pool.query(QuerySpec(query, format="json"))
    finally:
        pool.close()
    assert listener.connections == 0


def test_without_isolation_the_same_queries_do_connect(endpoint_release: Path, listener: Listener) -> None:
    """The control: the engine really calls out on each of these spellings when nothing stops it."""
    pool = WorkerPool(endpoint_release / DUMP_FILE, size=1, timeout=10.0, isolation=False, executor=UNGUARDED)
    try:
        for count, query in enumerate(bypasses(listener.port), start=1):
            with pytest.raises(RuntimeError):
                pool.query(QuerySpec(query, format="json"))
            assert listener.connections == count, query
    finally:
        pool.close()


def _status(pid: int, field: str) -> str:
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        return next(line.split(":", 1)[1].strip() for line in handle if line.startswith(field + ":"))


def test_store_process_and_workers_run_filtered_in_their_own_network(endpoint_release: Path) -> None:
    pool = WorkerPool(endpoint_release / DUMP_FILE, size=2, timeout=5.0)
    try:
        pids = [pool._store.process.pid or 0, *pool.worker_pids()]
        assert len(pids) == 3
        for pid in pids:
            assert _status(pid, "Seccomp") == "2"  # SECCOMP_MODE_FILTER
            assert _status(pid, "NoNewPrivs") == "1"
        ours = os.readlink("/proc/self/ns/net")
        if "network namespace" in " ".join(pool.health().detail["isolation"]):  # type: ignore[arg-type]
            assert all(os.readlink(f"/proc/{pid}/ns/net") != ours for pid in pids)
    finally:
        pool.close()
