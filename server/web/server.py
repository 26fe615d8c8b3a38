"""Run the app under waitress: a production WSGI server with a thread pool (no fork per request)."""

import errno

import waitress

from server.config import Settings
from server.engine import QueryEngine
from server.errors import LoadError, PortInUse
from server.release.layout import DUMP_FILE
from server.web import create_app


def serve(settings: Settings, host: str, port: int, engine: QueryEngine | None = None, source: str = "") -> None:
    """Serve until interrupted.

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
    app = create_app(settings, engine)
    try:
        server = waitress.create_server(app, host=host, port=port, threads=settings.threads, ident="msckg")
    except OSError as exc:
        app.extensions["msckg"]["engine"].close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(f"port {port} is in use; choose another with PORT=… (make serve) or --port") from exc
        raise
    print(f"serving {source or settings.release} on http://{host}:{server.effective_port}/sparql", flush=True)  # noqa: T201
    try:
        server.run()
    finally:
        app.extensions["msckg"]["engine"].close()
