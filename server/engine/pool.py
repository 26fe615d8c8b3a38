"""A pool of query worker processes forked from one loaded store, so that a query past its time limit can be stopped.

pyoxigraph's ``Store.query`` has no timeout or cancellation, and a thread cannot be killed, so queries run in
worker processes. One *store process* (spawned, single-threaded) loads the release's N-Quads dump once and
then forks the workers on request: they share the loaded store's memory copy-on-write, a new worker is ready
in milliseconds whatever the graph's size, and a query that runs past the limit has its worker killed (its
CPU freed at once) and replaced by a fresh fork while the other workers go on answering. No process is
started per query, and the store is never loaded twice.
"""

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path

import pyoxigraph as ox

from server import errors
from server.config import DEFAULT_QUEUE_WAIT, DEFAULT_TIMEOUT
from server.engine import QueryResult, QuerySpec

#: Longest the store process may take to load the store (seconds).
STARTUP_LIMIT = 600.0
#: Longest a fork of the store process may take to answer (seconds).
FORK_LIMIT = 30.0

_CTX = mp.get_context("spawn")


def _store_main(dump: str, control: Connection) -> None:
    """Load the store, then fork a worker for each request on ``control`` (runs in the store process)."""
    from server.engine.oxigraph_engine import load_store, named_graphs

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed workers
    try:
        store = load_store(Path(dump))
    except errors.MsckgError as exc:
        control.send(("error", type(exc).__name__, str(exc)))
        return
    graphs, quads = named_graphs(store), len(store)
    control.send(("ready", quads))
    while True:
        try:
            control.recv()
            fd = recv_handle(control)
        except (EOFError, OSError):
            return
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _serve(store, graphs, quads, Connection(fd))
            os._exit(0)
        os.close(fd)
        control.send(("forked", pid))


def _serve(store: ox.Store, graphs: set[str], quads: int, conn: Connection) -> None:
    """Answer queries until the pipe closes (runs in a worker, a fork of the store process).

    Nothing here scans the store before the first query: oxigraph's reads update reference counts in the
    quads they visit, which makes the kernel copy those pages, so a scan would unshare the whole store at once.
    """
    from server.engine.oxigraph_engine import execute

    conn.send(("ready", quads))
    while True:
        try:
            spec = conn.recv()
        except EOFError:
            return
        try:
            result = execute(store, graphs, spec)
        except errors.MsckgError as exc:
            conn.send(("error", type(exc).__name__, str(exc)))
        except Exception:  # a bug: report it whole, keep serving
            conn.send(("bug", "", traceback.format_exc()))
        else:  # a small header, then the body as raw bytes (not pickled inside a QueryResult)
            conn.send(("ok", result.media_type, result.truncated, result.kind))
            conn.send_bytes(result.body)


@dataclass
class _Worker:
    """A forked worker: its pid (a child of the store process, not ours) and our end of its pipe."""

    pid: int
    conn: Connection

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


class _StoreProcess:
    """The spawned process that holds the loaded store and forks workers from it."""

    def __init__(self, dump: Path) -> None:
        self.dump = dump
        parent, child = _CTX.Pipe()
        self.process: BaseProcess = _CTX.Process(target=_store_main, args=(str(dump), child), daemon=True)
        self.process.start()
        child.close()
        self.control = parent
        self.lock = threading.Lock()
        self.quads = _expect_ready(parent, dump, STARTUP_LIMIT, self.stop)

    def fork(self) -> _Worker:
        """Fork a worker and wait until it is ready.

        :returns: the worker.
        :raises LoadError: if the store process is gone or the worker does not answer.
        """
        ours, theirs = _CTX.Pipe()
        try:
            with self.lock:
                self.control.send("fork")
                send_handle(self.control, theirs.fileno(), self.process.pid or 0)
                if not self.control.poll(FORK_LIMIT):
                    raise EOFError("no answer")
                _, pid = self.control.recv()
        except (EOFError, OSError) as exc:
            ours.close()
            raise errors.LoadError(self.dump, None, f"the store process cannot fork a worker: {exc}") from exc
        finally:
            theirs.close()
        worker = _Worker(pid, ours)
        _expect_ready(ours, self.dump, FORK_LIMIT, worker.kill)
        return worker

    def stop(self) -> None:
        """Stop the store process (its workers keep running until their pipes close)."""
        with contextlib.suppress(OSError):
            self.control.close()
        self.process.kill()
        self.process.join(timeout=5)


def _expect_ready(conn: Connection, dump: Path, limit: float, on_failure: Callable[[], None]) -> int:
    """Wait for a ``("ready", quads)`` message; on anything else call ``on_failure`` and raise LoadError."""
    try:
        message = conn.recv() if conn.poll(limit) else ("error", "", "it did not start in time")
    except (EOFError, OSError):
        message = ("error", "", "the process exited before it was ready")
    if message[0] != "ready":
        on_failure()
        raise errors.LoadError(dump, None, f"query worker: {message[2]}")
    return int(message[1])


class WorkerPool:
    """Query engine over worker processes with a per-query wall-clock limit.

    :param dump: the release's N-Quads dump.
    :param size: number of worker processes.
    :param timeout: wall-clock limit per query, seconds.
    :param queue_wait: longest wait for a free worker, seconds.
    """

    def __init__(self, dump: Path, size: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 queue_wait: float = DEFAULT_QUEUE_WAIT) -> None:  # fmt: skip
        self.dump = dump
        self.timeout = timeout
        self.queue_wait = queue_wait
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.replaced = 0
        self._store = _StoreProcess(dump)
        self.quads = self._store.quads
        try:
            for _ in range(max(1, size)):
                self._idle.put(self._store.fork())
        except errors.MsckgError:
            self.close()
            raise

    def _replace(self) -> None:
        """Fork a replacement worker in the background (milliseconds: the store is already loaded)."""

        def run() -> None:
            try:
                worker = self._store.fork()
            except errors.MsckgError:
                return
            if self._closed:
                worker.kill()
            else:
                self._idle.put(worker)

        self.replaced += 1
        threading.Thread(target=run, name="msckg-worker-replace", daemon=True).start()

    def query(self, spec: QuerySpec) -> QueryResult:
        """Run a query on a free worker, within the time limit.

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        :raises ServerBusy: if no worker is free within ``queue_wait``.
        :raises QueryTimeout: if the query runs past ``timeout`` (its worker is killed and replaced).
        :raises QueryError: for the query's own errors (syntax, refused, not acceptable).
        :raises RuntimeError: if the worker hit a bug or died.
        """
        try:
            worker = self._idle.get(timeout=self.queue_wait)
        except queue.Empty:
            raise errors.ServerBusy(
                f"all query workers are busy; try again shortly (waited {self.queue_wait:g} s)"
            ) from None
        try:
            worker.conn.send(spec)
            ready = worker.conn.poll(self.timeout)
            message = worker.conn.recv() if ready else None
            body = worker.conn.recv_bytes() if message is not None and message[0] == "ok" else b""
        except (EOFError, OSError) as exc:
            worker.kill()
            self._replace()
            raise RuntimeError(f"query worker died: {exc}") from exc
        if message is None:
            worker.kill()
            self._replace()
            raise errors.QueryTimeout(
                f"the query ran longer than the {self.timeout:g} s limit and was stopped; "
                "narrow it (LIMIT, more specific patterns) and try again"
            )
        self._idle.put(worker)
        if message[0] == "ok":
            return QueryResult(body, message[1], message[2], message[3])
        if message[0] == "error":
            cls = getattr(errors, message[1], errors.QueryError)
            if not (isinstance(cls, type) and issubclass(cls, errors.QueryError)):
                cls = errors.QueryError
            raise cls(message[2])
        raise RuntimeError(f"query worker failed:\n{message[2]}")

    def close(self) -> None:
        """Stop every idle worker and the store process (a busy worker stops when its pipe closes)."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                break
        self._store.stop()

    def worker_pids(self) -> list[int]:
        """Return the pids of the idle workers (for tests and monitoring).

        :returns: process ids.
        """
        return [w.pid for w in list(self._idle.queue)]
