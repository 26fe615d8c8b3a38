"""A pool of long-lived query worker processes, so that a query past its time limit can really be stopped.

pyoxigraph's ``Store.query`` has no timeout or cancellation, and a thread cannot be killed. Each worker
process loads the release's N-Quads dump once into its own in-memory store and answers queries over a pipe;
a query that runs past the limit has its worker killed (its CPU is freed at once) and replaced in the
background, while the other workers go on answering. No process is started per query.
"""

import contextlib
import multiprocessing as mp
import queue
import threading
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from server import errors
from server.engine import QueryResult, QuerySpec

#: Default wall-clock limit of one query (seconds).
DEFAULT_TIMEOUT = 10.0
#: Default longest wait for a free worker before answering 503 (seconds).
DEFAULT_QUEUE_WAIT = 5.0
#: Longest a new worker may take to load the store (seconds).
STARTUP_LIMIT = 120.0

_CTX = mp.get_context("spawn")


def _worker_main(dump: str, conn: Connection) -> None:
    """Load the store, then answer queries until the pipe closes (runs in the worker process)."""
    from server.engine.oxigraph_engine import execute, load_store, named_graphs

    try:
        store = load_store(Path(dump))
    except errors.MsckgError as exc:
        conn.send(("error", type(exc).__name__, str(exc)))
        return
    graphs = named_graphs(store)
    conn.send(("ready", len(store)))
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
    process: BaseProcess
    conn: Connection

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.close()
        self.process.kill()
        self.process.join(timeout=5)


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
        self.quads = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.replaced = 0
        started = [self._start() for _ in range(max(1, size))]
        for worker in started:
            self._await_ready(worker)
            self._idle.put(worker)

    def _start(self) -> _Worker:
        parent, child = _CTX.Pipe()
        process = _CTX.Process(target=_worker_main, args=(str(self.dump), child), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _await_ready(self, worker: _Worker) -> None:
        if not worker.conn.poll(STARTUP_LIMIT):
            worker.kill()
            raise errors.LoadError(self.dump, None, "query worker did not start in time")
        message = worker.conn.recv()
        if message[0] != "ready":
            worker.kill()
            raise errors.LoadError(self.dump, None, message[2])
        self.quads = message[1]

    def _replace(self) -> None:
        def run() -> None:
            worker = self._start()
            try:
                self._await_ready(worker)
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
        """Stop every worker."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return
