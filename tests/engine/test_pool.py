"""The worker pool: workers are forks of one store process, replaced in milliseconds, gone when it closes."""

import os
import time
from pathlib import Path

import pytest

from server.engine import QuerySpec
from server.engine.pool import WorkerPool
from server.errors import LoadError, QueryTimeout
from server.release.layout import DUMP_FILE

#: A cross product of 12 patterns over the fixture (about 20^12 rows to count): far beyond any time limit here.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12)) + " }"


def _parent(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
        return int(handle.read().split(")")[-1].split()[1])


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_workers_are_forks_of_the_store_process(endpoint_release: Path) -> None:
    pool = WorkerPool(endpoint_release / DUMP_FILE, size=2, timeout=1.0)
    try:
        store_pid = pool._store.process.pid
        pids = pool.worker_pids()
        assert len(pids) == 2 and all(_parent(pid) == store_pid for pid in pids)
        assert pool.quads > 0
        assert pool.query(QuerySpec("ASK { ?s ?p ?o }", format="json")).body.endswith(b"true}")
    finally:
        pool.close()
    deadline = time.monotonic() + 5
    while any(_alive(p) for p in [*pids, store_pid]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in [*pids, store_pid])


def test_a_timed_out_worker_is_replaced_by_a_fork_at_once(endpoint_release: Path) -> None:
    pool = WorkerPool(endpoint_release / DUMP_FILE, size=1, timeout=0.5, queue_wait=2.0)
    try:
        (before,) = pool.worker_pids()
        with pytest.raises(QueryTimeout):
            pool.query(QuerySpec(SLOW, format="json"))
        started = time.monotonic()
        assert pool.query(QuerySpec("ASK {}", format="json")).body.endswith(b"true}")
        assert time.monotonic() - started < 1.0  # a fork, not a reload
        assert pool.replaced == 1 and not _alive(before) and pool.worker_pids() != [before]
    finally:
        pool.close()


def test_a_bad_dump_is_named(tmp_path: Path) -> None:
    dump = tmp_path / DUMP_FILE
    dump.write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match=str(dump)):
        WorkerPool(dump, size=1)
    assert os.path.exists(dump)
