"""A supervised pool of query workers forked from one loaded store, with admission control and time limits.

The store process and its workers are in :mod:`server.engine.store_process`. This pool, in the server's
process, hands each query to an idle worker (admission: :mod:`server.engine.admission`), stops a query past its
time limit by killing its worker, and keeps the pool whole:

* a supervisor thread restarts the store process if it dies (its workers die with it) and forks workers until
  the pool has ``size`` of them again, logging every failed fork and retrying;
* a worker that dies under a query answers 503 with how it ended (memory limit, crash, killed), and is replaced;
  the query is not retried, since the same query would most likely end the next worker too;
* a worker that ran a long query is replaced after it (its CPU priority was lowered, its memory grown);
* :meth:`WorkerPool.health` says how many workers are alive, for ``/health``.
"""

import contextlib
import logging
import os
import queue
import threading
from pathlib import Path

from server import errors
from server.config import DEFAULT_QUEUE_WAIT, DEFAULT_TIMEOUT
from server.engine import EngineHealth, QueryResult, QuerySpec
from server.engine.admission import Admission
from server.engine.store_process import EXECUTOR, StoreProcess, Worker, read_reply

log = logging.getLogger("msckg.pool")
#: CPU priority (nice) of a worker running a long query: the lowest, so short queries go first (it is also put
#: in the kernel's ``SCHED_IDLE`` class, which runs only when no other process wants the CPU).
LONG_QUERY_NICE = 19


class WorkerPool:
    """Query engine over supervised worker processes with a per-query wall-clock limit.

    :param dump: the release's N-Quads dump.
    :param size: number of worker processes.
    :param timeout: wall-clock limit per query, seconds.
    :param queue_wait: longest wait for a free worker, seconds.
    :param admission: how many may wait, and the long-query lane (default: 2 × size waiting, size // 2 long
        queries after 1 s).
    :param isolation: cut the workers off the network (the server refuses to start if it cannot).
    :param memory_mb: address space a worker may add to the store it shares (0: no limit).
    :param executor: what a worker runs per query (``module:function``; default: the guarded ``execute``).
    :raises LoadError: if the dump cannot be loaded or no worker can be forked.
    :raises SetupError: if isolation is asked for and cannot be installed.
    """

    def __init__(self, dump: Path, size: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 queue_wait: float = DEFAULT_QUEUE_WAIT, admission: Admission | None = None,
                 isolation: bool = True, memory_mb: int = 0, executor: str = EXECUTOR) -> None:  # fmt: skip
        self.dump = dump
        self.size = max(1, size)
        self.timeout = timeout
        self.queue_wait = queue_wait
        self.admission = admission or Admission(2 * self.size, max(1, self.size // 2), 1.0)
        self.isolation = isolation
        self.memory_mb = memory_mb
        self._idle: queue.Queue[Worker | None] = queue.Queue()
        self._busy: set[Worker] = set()
        self._alive = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self.replaced = 0
        self.failed_forks = 0
        self.store_restarts = 0
        self.executor = executor
        self._store = StoreProcess(dump, isolation, memory_mb, executor)
        self.quads = self._store.quads
        try:
            for _ in range(self.size):
                self._add(self._store.fork())
        except errors.MsckgError:
            self.close()
            raise
        self._supervisor = threading.Thread(target=self._supervise, name="msckg-pool-supervisor", daemon=True)
        self._supervisor.start()

    # --- keeping the pool whole ------------------------------------------------------------------------------

    def _add(self, worker: Worker) -> None:
        with self._lock:
            self._alive += 1
        self._idle.put(worker)

    def _retire(self, worker: Worker) -> None:
        """Kill a worker and have the supervisor fork its replacement."""
        worker.kill()
        with self._lock:
            self._alive -= 1
            self.replaced += 1
        self._wake.set()

    def _supervise(self) -> None:
        """Restart a dead store process and fork workers until the pool is whole again."""
        while not self._closed:
            self._wake.wait(0.5)
            self._wake.clear()
            if self._closed:
                return
            if not self._store.alive():
                self._restart_store()
                continue
            while not self._closed and self._alive < self.size:
                try:
                    worker = self._store.fork()
                except errors.MsckgError as exc:
                    if self._closed:  # close() stopped the store process while this fork waited: no failure
                        return
                    with self._lock:
                        self.failed_forks += 1
                    log.error("forking a query worker failed (%d so far): %s; restarting the store process",
                              self.failed_forks, exc)  # fmt: skip
                    self._store.stop()  # its control pipe may be out of step now: start afresh
                    break
                if self._closed:
                    worker.kill()
                    return
                self._add(worker)

    def _restart_store(self) -> None:
        log.error("the store process (pid %s) died; restarting it", self._store.process.pid)
        while True:  # its workers died with it (PR_SET_PDEATHSIG): forget the idle ones
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker is not None:
                self._retire(worker)
        try:
            self._store = StoreProcess(self.dump, self.isolation, self.memory_mb, self.executor)
        except errors.MsckgError as exc:
            log.error("restarting the store process failed: %s", exc)
            return
        with self._lock:
            self.store_restarts += 1

    # --- running a query -------------------------------------------------------------------------------------

    def _take(self) -> Worker:
        with self.admission.wait_turn():
            try:
                worker = self._idle.get(timeout=self.queue_wait)
            except queue.Empty:
                raise errors.ServerBusy(
                    f"all query workers are busy; try again shortly (waited {self.queue_wait:g} s)"
                ) from None
        if worker is None:
            self._idle.put(None)  # let the other waiters see it too
            raise errors.ServerBusy("the server is shutting down")
        with self._lock:
            self._busy.add(worker)
        return worker

    def _wait(self, worker: Worker) -> tuple[bool, bool]:
        """Wait for the worker's answer: (answered in time, counted as long)."""
        first = min(self.admission.long_after, self.timeout)
        if worker.ready(first):
            return True, False
        if first >= self.timeout:
            return False, False
        if not self.admission.enter_long():
            raise self.admission.long_lane_full()
        try:
            with contextlib.suppress(OSError):  # the kernel's idle class: it runs only when nothing else would
                os.sched_setscheduler(worker.pid, os.SCHED_IDLE, os.sched_param(0))
                os.setpriority(os.PRIO_PROCESS, worker.pid, LONG_QUERY_NICE)
            return worker.ready(self.timeout - first), True
        except BaseException:
            self.admission.leave_long()
            raise

    def query(self, spec: QuerySpec) -> QueryResult:
        """Run a query on a free worker, within the time limit.

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        :raises ServerBusy: if too many requests wait already, no worker is free within ``queue_wait``, or the
            query ran long while the long-query lane was full (it is stopped).
        :raises QueryTimeout: if the query runs past ``timeout`` (its worker is killed and replaced).
        :raises QueryAborted: if its worker died under it (out of memory, crashed, killed).
        :raises QueryError: for the query's own errors (syntax, refused, not acceptable).
        :raises RuntimeError: if the worker hit a bug.
        """
        worker = self._take()
        long = False
        try:
            worker.conn.send(spec)
            ready, long = self._wait(worker)
            message, body = read_reply(worker.conn.recv_bytes()) if ready else (None, b"")
        except errors.ServerBusy:
            self._finish(worker, retire=True)
            raise
        except (EOFError, OSError):
            self._finish(worker, retire=True)
            if self._closed:
                raise errors.ServerBusy("the server is shutting down; try again shortly") from None
            raise errors.QueryAborted(self._store.how_ended(worker.pid)) from None
        finally:
            if long:
                self.admission.leave_long()
        if message is None:
            self._finish(worker, retire=True)
            raise errors.QueryTimeout(
                f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
                "narrow it (LIMIT, more specific patterns) and try again"
            )
        self._finish(worker, retire=long or message[1] == "QueryAborted")
        if message[0] == "ok":
            return QueryResult(body, message[1], message[2], message[3], message[4])
        if message[0] == "error":
            cls = getattr(errors, message[1], errors.QueryError)
            if not (isinstance(cls, type) and issubclass(cls, errors.QueryError)):
                cls = errors.QueryError
            raise cls(message[2])
        raise RuntimeError(f"query worker failed:\n{message[2]}")

    def _finish(self, worker: Worker, retire: bool) -> None:
        with self._lock:
            self._busy.discard(worker)
        if retire or self._closed:
            self._retire(worker)
        else:
            self._idle.put(worker)

    # --- state and shutdown ----------------------------------------------------------------------------------

    def health(self) -> EngineHealth:
        """Say whether queries can be answered now.

        :returns: workers alive and busy; isolation, restarts, failed forks, admission counters.
        """
        store_alive = self._store.alive()
        with self._lock:
            alive, busy = (self._alive if store_alive else 0), len(self._busy)
            detail: dict[str, object] = {"isolation": self._store.isolation, "store_restarts": self.store_restarts,
                                         "failed_forks": self.failed_forks, "replaced": self.replaced}  # fmt: skip
        detail.update(self.admission.counts())
        return EngineHealth(ok=alive > 0 and not self._closed, workers=alive, busy=busy, detail=detail)

    def close(self) -> None:
        """Stop every worker, idle or busy (a busy one's request gets 503), and the store process."""
        self._closed = True
        self._wake.set()
        with self._lock:
            busy = list(self._busy)
        for worker in busy:
            worker.kill()
        while True:
            try:
                idle = self._idle.get_nowait()
            except queue.Empty:
                break
            if idle is not None:
                idle.kill()
        self._idle.put(None)  # wakes every request still waiting for a worker
        self._store.stop()

    def worker_pids(self) -> list[int]:
        """Return the pids of the idle workers (for tests and monitoring).

        :returns: process ids.
        """
        return [w.pid for w in list(self._idle.queue) if w is not None]
