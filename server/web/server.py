"""Run the app under waitress: a production WSGI server with a thread pool (no fork per request).

Connections: up to ``connection_limit`` at once (the soft limit on open files is raised to fit), each closed
after ``channel_timeout`` seconds idle or half-sent, checked every second, so that slow or half-open clients
cannot lock others out; a request whose lines end in a bare LF is answered 400 at once instead of waiting for a
CRLF that never comes. SIGTERM and SIGINT stop the server the same way: no new requests, every query worker
killed (a request still running gets 503), exit 0.
"""

import errno
import re
import resource
import signal
from types import FrameType

import waitress
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.utilities import BadRequest

from server.config import Settings
from server.engine import QueryEngine
from server.errors import LoadError, PortInUse
from server.release.layout import DUMP_FILE
from server.web import create_app

_BARE_LF = re.compile(rb"(?<!\r)\n")


class _CrlfParser(HTTPRequestParser):  # type: ignore[misc]
    """waitress's parser, refusing a header block with a bare LF (waitress would wait for CRLF CRLF forever)."""

    def received(self, data: bytes) -> int:
        """Take bytes of a request; refuse a bare LF in its header block (400).

        :param data: bytes received.
        :returns: how many were consumed.
        """
        completed = bool(getattr(self, "completed", False))
        if self.body_rcv is None and not completed and _BARE_LF.search(self.header_plus + data):
            self.parse_header(b"GET / HTTP/1.0\r\n")
            self.error = BadRequest("HTTP lines must end in CRLF; a bare LF was sent")
            self.completed = True
            return len(data)
        consumed: int = super().received(data)
        return consumed


class _Channel(HTTPChannel):  # type: ignore[misc]
    parser_class = _CrlfParser


def _raise_open_files(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(settings: Settings, host: str, port: int, engine: QueryEngine | None = None, source: str = "") -> None:
    """Serve until SIGTERM or SIGINT.

    :param settings: limits and the release folder (its pages: examples, VoID, downloads).
    :param host: interface to bind.
    :param port: TCP port (0 picks a free one).
    :param engine: the query engine (default: the worker pool over the release's dump).
    :param source: what the engine answers from, for the start-up line (default: the release folder).
    :raises LoadError: if the release has no dump to serve (and no engine is given).
    :raises PortInUse: if another process holds the port.
    """
    if engine is None and not (settings.release / DUMP_FILE).is_file():
        raise LoadError(settings.release, None, f"not a release folder (no {DUMP_FILE}); run 'msckg build'")
    _raise_open_files(settings.connection_limit + 256)
    app = create_app(settings, engine)
    chosen = app.extensions["msckg"]["engine"]

    def close() -> None:
        stop_engine = getattr(chosen, "close", None)
        if stop_engine is not None:
            stop_engine()

    try:
        server = waitress.create_server(
            app, host=host, port=port, threads=settings.threads, ident="msckg",
            connection_limit=settings.connection_limit, channel_timeout=int(max(1, settings.channel_timeout)),
            cleanup_interval=1,
        )  # fmt: skip
    except OSError as exc:
        close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} is in use; choose another with PORT=… (make serve) or --port") from exc
        raise
    server.channel_class = _Channel

    def stop(signum: int, frame: FrameType | None) -> None:
        close()  # requests waiting on a worker answer 503 now, not after waitress's shutdown wait
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    where = source or settings.release
    print(f"serving {where} on http://{host}:{server.effective_port}/sparql", flush=True)  # noqa: T201
    try:
        server.run()
    finally:
        close()
        server.close()
