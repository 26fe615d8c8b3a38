"""The store process: it loads the release once, off the network, and forks the query workers.

pyoxigraph's ``Store.query`` has no timeout or cancellation, and a thread cannot be killed, so queries run in
worker processes. One *store process* (spawned, single-threaded) cuts itself off the network
(:mod:`server.engine.isolation`), loads the release's N-Quads dump once and then forks a worker on request:
workers share the loaded store copy-on-write, a new one is ready in milliseconds whatever the graph's size.

Lifecycle: the store process and each worker ask the kernel to kill them when their parent dies
(``PR_SET_PDEATHSIG``), so no query runs on without the server. Each worker caps its own address space
(``RLIMIT_AS``: what it had at the fork plus ``memory_mb``), so a query that blows up memory ends that worker
alone. The store process reaps its workers and tells the server how one ended (``status`` requests).
"""

import contextlib
import multiprocessing as mp
import os
import pickle
import resource
import select
import signal
import struct
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import recv_handle, send_handle
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from server import errors

#: Longest the store process may take to load the store (seconds).
STARTUP_LIMIT = 600.0
#: Longest a fork of the store process may take to answer (seconds).
FORK_LIMIT = 30.0

_CTX = mp.get_context("spawn")


def _address_space_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    return 0


def _reap(statuses: dict[int, int]) -> None:
    """Collect the exit status of every worker that has ended (they are our children)."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        statuses[pid] = status
        if len(statuses) > 1000:
            statuses.pop(next(iter(statuses)))


def _status_of(pid: int, statuses: dict[int, int]) -> int | None:
    deadline = time.monotonic() + 1.0
    while pid not in statuses and time.monotonic() < deadline:
        _reap(statuses)
        time.sleep(0.01)
    return statuses.pop(pid, None)


#: What a worker runs for each query (``module:function``, taking store, graphs and spec like ``execute``).
EXECUTOR = "server.engine.oxigraph_engine:execute"


def _store_main(dump: str, control: Connection, parent: int, isolation: bool, memory_mb: int, executor: str) -> None:
    """Isolate, load the store, then serve fork and status requests on ``control`` (runs in the store process)."""
    from server.engine.isolation import die_with_parent, isolate
    from server.engine.oxigraph_engine import load_store, named_graphs

    die_with_parent(parent)
    try:
        layers = isolate() if isolation else []
        store = load_store(Path(dump))
    except errors.MsckgError as exc:
        control.send(("error", type(exc).__name__, str(exc)))
        return
    graphs, quads = named_graphs(store), len(store)
    control.send(("ready", quads, layers))
    statuses: dict[int, int] = {}
    while True:
        try:
            request = control.recv()
            _reap(statuses)
            if request[0] == "status":
                control.send(("status", _status_of(request[1], statuses)))
                continue
            fd = recv_handle(control)
        except (EOFError, OSError):
            return
        pid = os.fork()
        if pid == 0:
            control.close()
            _worker_main(store, graphs, quads, Connection(fd), memory_mb, executor)
        os.close(fd)
        control.send(("forked", pid))


def _worker_main(
    store: ox.Store, graphs: set[str], quads: int, conn: Connection, memory_mb: int, executor: str
) -> None:
    """Set a worker's limits, answer queries, exit (runs in a fork of the store process)."""
    from server.engine.isolation import die_with_parent

    die_with_parent(os.getppid())
    if memory_mb > 0:
        limit = _address_space_kib() * 1024 + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    try:
        _serve(store, graphs, quads, conn, memory_mb, executor)
    finally:
        os._exit(0)


def _serve(store: ox.Store, graphs: set[str], quads: int, conn: Connection, memory_mb: int, executor: str) -> None:
    """Answer queries until the pipe closes.

    Nothing here scans the store before the first query: oxigraph's reads update reference counts in the
    quads they visit, which makes the kernel copy those pages, so a scan would unshare the whole store at once.
    """
    import importlib

    module, _, name = executor.partition(":")
    execute = getattr(importlib.import_module(module), name)
    conn.send(("ready", quads))
    while True:
        try:
            spec = conn.recv()
        except EOFError:
            return
        try:
            result = execute(store, graphs, spec)
        except errors.MsckgError as exc:
            reply(conn, ("error", type(exc).__name__, str(exc)))
        except MemoryError:  # Python's side ran out; the worker leaves, so that its memory goes with it
            reply(conn, ("error", "QueryAborted", memory_message(memory_mb)))
            return
        except Exception:  # a bug: report it whole, keep serving
            reply(conn, ("bug", "", traceback.format_exc()))
        else:
            reply(conn, ("ok", result.media_type, result.truncated, result.kind, result.truncated_by), result.body)


def reply(conn: Connection, header: tuple[object, ...], body: bytes = b"") -> None:
    """Send a worker's answer as one message: the header's length, the pickled header, the body's raw bytes.

    One write and one read per answer (the body is not pickled): the pipe hop is on every query's path.

    :param conn: the worker's end of its pipe.
    :param header: ``("ok", media type, truncated, kind, truncated by)``, or ``("error" | "bug", class, message)``.
    :param body: the serialized result.
    """
    head = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    conn.send_bytes(struct.pack("!I", len(head)) + head + body)


def read_reply(data: bytes) -> tuple[tuple[Any, ...], bytes]:
    """Split a message of :func:`reply` into its header and body.

    :param data: the message.
    :returns: the header tuple and the body.
    """
    (size,) = struct.unpack_from("!I", data)
    return pickle.loads(data[4 : 4 + size]), data[4 + size :]  # noqa: S301 - from our own worker's pipe


def memory_message(memory_mb: int) -> str:
    """Say that a query needed more memory than a worker may use.

    :param memory_mb: the per-worker limit.
    :returns: the message.
    """
    return (
        f"the query needed more memory than one query worker may use ({memory_mb} MiB, MSCKG_WORKER_MEMORY_MB) "
        "and was stopped; narrow it (LIMIT, more specific patterns, no ORDER BY over everything) and try again"
    )


def describe_end(status: int | None, memory_mb: int) -> str:
    """Say how a worker ended, from its wait status.

    :param status: the status ``waitpid`` gave, or ``None`` when unknown.
    :param memory_mb: the per-worker memory limit.
    :returns: a sentence for the client.
    """
    if status is None:
        return "its query worker process ended unexpectedly; try again"
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGABRT:
        return memory_message(memory_mb)  # the engine aborts when an allocation fails
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGSEGV:
        return "the query crashed its worker process (too deeply nested?); try a simpler query"
    if os.WIFSIGNALED(status):
        return f"its query worker process was killed ({signal.Signals(os.WTERMSIG(status)).name}); try again"
    return f"its query worker process exited (code {os.WEXITSTATUS(status)}); try again"


@dataclass(eq=False)
class Worker:
    """A forked worker: its pid (a child of the store process, not ours) and our end of its pipe."""

    pid: int
    conn: Connection

    def __post_init__(self) -> None:
        # registered once: ``Connection.poll`` builds and tears down a selector on every call
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)
        # a handle on this very process: the store process reaps the worker, not us, and once reaped its pid can be
        # handed to any new process (pid_max may be 32768), which a kill by pid would then hit
        self._pidfd: int | None = None
        with contextlib.suppress(ProcessLookupError):
            self._pidfd = os.pidfd_open(self.pid)

    def ready(self, timeout: float) -> bool:
        """Wait until the worker's answer can be read (or its pipe is closed).

        :param timeout: seconds to wait at most.
        :returns: whether something can be read now.
        """
        return bool(self._poller.poll(max(0, int(timeout * 1000))))

    def kill(self) -> None:
        """Kill the worker (through its process handle: never another process that got its pid) and close its pipe."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if self._pidfd is None:
            return  # gone before we could hold it
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
        os.close(self._pidfd)
        self._pidfd = None


class StoreProcess:
    """The spawned process that holds the loaded store and forks workers from it.

    :param dump: the release's N-Quads dump.
    :param isolation: cut the process and its workers off the network (required to succeed when true).
    :param memory_mb: address space each worker may add to what it shares with the store (0: no limit).
    :param executor: what a worker runs per query, ``module:function`` (the tests' isolation proof gives one
        without the guard).
    :raises LoadError: if the dump cannot be loaded.
    :raises SetupError: if isolation is asked for and cannot be installed.
    """

    def __init__(self, dump: Path, isolation: bool = True, memory_mb: int = 0, executor: str = EXECUTOR) -> None:
        import threading

        self.dump = dump
        self.memory_mb = memory_mb
        parent, child = _CTX.Pipe()
        self.executor = executor
        args = (str(dump), child, os.getpid(), isolation, memory_mb, executor)
        self.process: BaseProcess = _CTX.Process(target=_store_main, args=args, daemon=True)
        self.process.start()
        child.close()
        self.control = parent
        self.lock = threading.Lock()
        ready = _expect_ready(parent, dump, STARTUP_LIMIT, self.stop)
        self.quads, self.isolation = int(ready[1]), list(ready[2])

    def alive(self) -> bool:
        """Return whether the store process is running.

        :returns: true while it runs.
        """
        return self.process.is_alive()

    def fork(self) -> Worker:
        """Fork a worker and wait until it is ready.

        :returns: the worker.
        :raises LoadError: if the store process is gone or the worker does not answer.
        """
        ours, theirs = _CTX.Pipe()
        try:
            with self.lock:
                self.control.send(("fork",))
                send_handle(self.control, theirs.fileno(), self.process.pid or 0)
                if not self.control.poll(FORK_LIMIT):
                    raise EOFError("no answer")
                _, pid = self.control.recv()
        except (EOFError, OSError) as exc:
            ours.close()
            raise errors.LoadError(self.dump, None, f"the store process cannot fork a worker: {exc}") from exc
        finally:
            theirs.close()
        worker = Worker(pid, ours)
        _expect_ready(ours, self.dump, FORK_LIMIT, worker.kill)
        return worker

    def how_ended(self, pid: int) -> str:
        """Ask the store process how one of its workers ended.

        :param pid: the worker's pid.
        :returns: a sentence for the client.
        """
        try:
            with self.lock:
                self.control.send(("status", pid))
                status = self.control.recv()[1] if self.control.poll(5.0) else None
        except (EOFError, OSError):
            status = None
        return describe_end(status, self.memory_mb)

    def stop(self) -> None:
        """Stop the store process (its workers die with it: ``PR_SET_PDEATHSIG``)."""
        with contextlib.suppress(OSError):
            self.control.close()
        self.process.kill()
        self.process.join(timeout=5)


def _expect_ready(conn: Connection, dump: Path, limit: float, on_failure: Callable[[], None]) -> tuple[Any, ...]:
    """Wait for a ``("ready", …)`` message; on anything else call ``on_failure`` and raise the error it names."""
    try:
        message = conn.recv() if conn.poll(limit) else ("error", "", "it did not start in time")
    except (EOFError, OSError):
        message = ("error", "", "the process exited before it was ready")
    if message[0] != "ready":
        on_failure()
        if message[1] == "SetupError":
            raise errors.SetupError(str(message[2]))
        raise errors.LoadError(dump, None, f"query worker: {message[2]}")
    return tuple(message)
