"""Run the app under granian: HTTP in Rust (hyper on tokio), the Flask app on a pool of Python threads.

Chosen by measurement (``benchmarks/bench_http.py``, ``docs/performance.md``): with the same Flask app and query
worker pool, granian answers small queries about 1.7 times as fast as waitress did, whose Python event loop and
socket writes took most of the server's own CPU.

Processes: this one is granian's supervisor; it forks one HTTP process, which builds the app (and so its query
worker pool: the isolated store process and the query workers, see :mod:`server.engine.pool`) and answers every
request. One HTTP process, so that requests wait for a query worker in one place (admission control, ``/health``)
and the store is loaded once. The HTTP process dies with the supervisor (``PR_SET_PDEATHSIG``), the store process
with the HTTP process, the query workers with the store process.

Connections: a client gets ``channel_timeout`` seconds to send a request's headers (half-open connections are
closed then and never hold a thread: the waiting is done by tokio, not by Python); up to ``connection_limit``
connections wait to be accepted. SIGTERM and SIGINT stop the server the same way: no new requests, every query
worker killed at once (a request still running gets 503), the HTTP process given ``DRAIN_LIMIT`` seconds to answer,
then killed; exit 0.
"""

import contextlib
import errno
import json
import os
import resource
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

from server.config import Settings
from server.engine import QueryEngine
from server.errors import LoadError, MsckgError, PortInUse, SetupError
from server.release.layout import DUMP_FILE

#: Seconds the HTTP process gets to finish its requests on SIGTERM before it is killed.
DRAIN_LIMIT = 3
#: What the supervisor sends the HTTP process first on SIGTERM or SIGINT: stop the query workers.
STOP_QUERIES = signal.SIGUSR1


def _server_class() -> type:
    """Return granian's supervisor, which first tells the HTTP process to stop its queries when it is stopped."""
    from granian.server import Server

    class Supervisor(Server):  # type: ignore[misc,valid-type]
        def signal_handler_interrupt(self, *args: Any, **kwargs: Any) -> None:
            for worker in list(self.wrks):  # granian's HTTP processes (pinned granian: 2.8)
                with contextlib.suppress(OSError, TypeError):
                    os.kill(worker.inner.pid, STOP_QUERIES)
            super().signal_handler_interrupt(*args, **kwargs)

    return Supervisor


def _raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _check_port(host: str, port: int) -> None:
    """Refuse a port another process listens on (granian binds with ``SO_REUSEPORT``, which would share it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"port {port} is in use; choose another with PORT=… (make serve) or --port") from exc
            raise


def _loader(settings: Settings, engine: QueryEngine | None, report: int, supervisor: int) -> Callable[[], Any]:
    """Return what the HTTP process runs first: build the app, tell the supervisor it is ready or why it failed."""

    def load() -> Any:
        from server.engine.isolation import die_with_parent
        from server.web import create_app

        die_with_parent(supervisor)
        try:
            app = create_app(settings, engine)
            close = getattr(app.extensions["msckg"]["engine"], "close", None)
            if close is not None:  # the supervisor's word on SIGTERM: requests waiting for a query get 503 now
                signal.signal(STOP_QUERIES, lambda signum, frame: close())
        except MsckgError as exc:
            fields = {"kind": type(exc).__name__, "message": str(exc), **getattr(exc, "__dict__", {})}
            os.write(report, json.dumps(fields, default=str).encode()[:65536])
            os._exit(2)
        os.write(report, b'{"kind": "ready"}')
        os.close(report)
        return app

    return load


def serve(settings: Settings, host: str, port: int, engine: QueryEngine | None = None, source: str = "") -> None:
    """Serve until SIGTERM or SIGINT.

    :param settings: limits and the release folder (its pages: examples, VoID, downloads).
    :param host: interface to bind.
    :param port: TCP port.
    :param engine: the query engine (default: the worker pool over the release's dump).
    :param source: what the engine answers from, for the start-up line (default: the release folder).
    :raises LoadError: if the release has no dump to serve (and no engine is given), or cannot be loaded.
    :raises SetupError: if the query workers cannot be isolated.
    :raises PortInUse: if another process holds the port.
    """
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings
    from granian.log import LogLevels

    if engine is None and not (settings.release / DUMP_FILE).is_file():
        raise LoadError(settings.release, None, f"not a release folder (no {DUMP_FILE}); run 'msckg build'")
    _check_port(host, port)
    _raise_open_files(settings.connection_limit + 256)
    readable, report = os.pipe()
    server = _server_class()(
        "msckg", address=host, port=port, interface=Interfaces.WSGI, workers=1, http=HTTPModes.http1,
        blocking_threads=settings.threads, backpressure=settings.connection_limit,
        backlog=max(128, settings.connection_limit),
        http1_settings=HTTP1Settings(header_read_timeout=int(max(1, settings.channel_timeout) * 1000)),
        log_level=LogLevels.critical, workers_kill_timeout=DRAIN_LIMIT,
    )  # fmt: skip
    failure: list[dict[str, Any]] = []

    def announce() -> None:  # the HTTP process says "ready" once its app (and query workers) are up
        try:
            message = json.loads(os.read(readable, 65536))
        except ValueError:  # nothing, or a report cut at the pipe's size
            message = {"kind": "exited"}
        os.close(readable)
        if message["kind"] == "ready":
            print(f"serving {source or settings.release} on http://{host}:{port}/sparql", flush=True)  # noqa: T201
        else:
            failure.append(message)

    waiting = threading.Thread(target=announce, name="msckg-announce", daemon=True)
    waiting.start()
    try:
        server.serve(target_loader=_loader(settings, engine, report, os.getpid()), wrap_loader=False)
    except SystemExit as exit:
        waiting.join(timeout=5)
        if failure:
            found = failure[0]
            if found["kind"] == "LoadError":
                raise LoadError(found["file"], found["line"], found["reason"]) from None
            raise SetupError(found.get("message", "the HTTP process ended before it was ready")) from None
        if exit.code:  # granian's own log is quiet: its failures are ours to say (one line, an exit code)
            raise SetupError("the HTTP process ended unexpectedly; see the messages above") from None
    finally:
        with contextlib.suppress(OSError):
            os.close(report)
