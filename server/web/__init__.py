"""The Flask app factory: engine injected, no module-level app, no global mutable state.

Blueprints: ``sparql`` (the SPARQL 1.1 Protocol), ``entities`` (dereferenceable IRIs and their pages), ``ui``
(query page, VoID, health), ``home`` (landing page, references), ``search`` (search and suggestions),
``downloads`` (release files, the dataset and version IRIs). Project errors become responses here and only
here: 400 for bad queries, 403 for updates,
406, 413, 415, 503 for time-outs and a busy pool; anything else is a bug and a 500.

The top layer under the CLI: may import every layer below it (``engine``, ``release``, ``checks``, ``links``,
``curation``, the ground floor).
"""

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from server.config import Settings
from server.engine import QueryEngine
from server.errors import NotAcceptable, QueryAborted, QueryError, QueryTimeout, ServerBusy
from server.release.layout import DUMP_FILE, INFO_FILE, pin_release

READ_ONLY = "The server is read-only: SPARQL Update is not accepted here."


def plain_error(status: int, message: str) -> Response:
    """Return a ``text/plain`` error response (what SPARQL clients show their users).

    :param status: HTTP status.
    :param message: one or more sentences; the parser's message for a syntax error.
    :returns: the response.
    """
    return Response(message.rstrip() + "\n", status=status, mimetype="text/plain")


def _release_info(release: Path) -> dict[str, object]:
    info = release / INFO_FILE
    return json.loads(info.read_text(encoding="utf-8")) if info.is_file() else {}


def create_app(settings: Settings | None = None, engine: QueryEngine | None = None) -> Flask:
    """Build the web app.

    :param settings: limits and the release to serve (default: ``Settings.from_env()``).
    :param engine: the query engine (default: a worker pool over the release's N-Quads dump).
    :returns: the Flask app.
    """
    settings = settings or Settings.from_env()
    # One release for the server's life: build/current may move on, this folder is pinned against pruning.
    settings = replace(settings, release=settings.release.resolve())
    pin = pin_release(settings.release)
    answers: QueryEngine | None = None
    #: Our own pool over the pinned dump: what it answers cannot change while the server runs.
    fixed = engine is None
    if engine is None:
        from server.engine.admission import Admission
        from server.engine.cache import CachingEngine
        from server.engine.pool import WorkerPool

        admission = Admission(settings.max_waiting, settings.long_slots, settings.long_after)
        engine = WorkerPool(settings.release / DUMP_FILE, settings.workers, settings.query_timeout,
                            settings.queue_wait, admission, settings.isolation,
                            settings.worker_memory_mb)  # fmt: skip
        # the release is pinned for the server's life, so an answer stays exact (a remote store may change)
        answers = CachingEngine(engine, settings.result_cache_mb * 2**20) if settings.result_cache_mb > 0 else None
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    release = _release_info(settings.release)
    app.extensions["msckg"] = {
        "settings": settings,
        "engine": engine,
        "answers": answers or engine,
        "release": release,
        "pin": pin,
        "fixed": fixed,
    }
    # answers are tagged (ETag, public max-age) for the pinned release; a remote store can take a new release while
    # this front serves (msckg publish --online), so its answers are not
    from server.engine.remote import RemoteEngine

    remote = isinstance(engine, RemoteEngine)
    tag_base = None if remote else f"{release.get('version', '')}|{settings.release.name}|{settings.public_url}"

    from server.web.downloads import bp as downloads_bp
    from server.web.entities import bp as entities_bp
    from server.web.home import bp as home_bp
    from server.web.paths_view import bp as paths_bp
    from server.web.search import bp as search_bp
    from server.web.sparql import bp as sparql_bp
    from server.web.ui import bp as ui_bp

    for blueprint in (sparql_bp, entities_bp, ui_bp, home_bp, search_bp, downloads_bp, paths_bp):
        app.register_blueprint(blueprint)

    @app.before_request
    def refuse_update() -> Response | None:
        if "update" in request.args:
            return plain_error(403, READ_ONLY)
        return None

    @app.before_request
    def not_modified() -> Response | None:
        """Answer 304 to a client that holds this very answer already (its ``If-None-Match``), unevaluated."""
        tag = _entity_tag(tag_base)
        if tag is not None and request.if_none_match.contains_weak(tag):
            return _cacheable(Response(status=304), tag, settings.max_age)
        return None

    @app.errorhandler(QueryError)
    def query_error(exc: QueryError) -> Response:
        if isinstance(exc, QueryTimeout | ServerBusy | QueryAborted):
            response = plain_error(503, str(exc))
            response.headers["Retry-After"] = "5"
            return response
        if isinstance(exc, NotAcceptable):
            return plain_error(406, str(exc))
        return plain_error(400, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        messages = {413: f"request body larger than {settings.max_body_bytes} bytes"}
        return plain_error(exc.code or 500, messages.get(exc.code or 0, exc.description or exc.name))

    @app.after_request
    def cors(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "Result-Truncated, Result-Row-Limit, Result-Byte-Limit"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "86400"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        tag = _entity_tag(tag_base) if response.status_code == 200 else None
        if tag is not None and "ETag" not in response.headers:
            _cacheable(response, tag, settings.max_age)
        return response

    return app


#: Paths whose answer depends on the release and the request alone (no health, no clock).
_STABLE = ("/sparql", "/.well-known/void", "/entity/", "/ontology/", "/np/", "/chain/", "/agent/", "/dataset/",
           "/graph/")  # fmt: skip


def _entity_tag(base: str | None) -> str | None:
    """Return the weak entity tag of a GET answer that only the release and the request decide, else ``None``.

    ``base`` names the served release (``None``: the release may change under the server, nothing is tagged).

    Weak (``W/``): blank-node labels may differ between two loads of the same release; the answer means the same.
    Queries calling a function with a new value on every evaluation get none.
    """
    from server.engine.cache import VOLATILE

    if base is None or request.method not in ("GET", "HEAD") or not request.path.startswith(_STABLE):
        return None
    if request.path == "/sparql" and VOLATILE.search(request.query_string.decode("latin-1")):
        return None
    key = "|".join((base, request.full_path, request.headers.get("Accept", "")))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _cacheable(response: Response, tag: str, max_age: int) -> Response:
    response.set_etag(tag, weak=True)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Vary"] = "Accept"
    return response


def engine_of(app: Flask) -> QueryEngine:
    """Return what answers the queries of ``app``: its engine, behind the result cache when it has one.

    :param app: the Flask app.
    :returns: the engine.
    """
    engine: QueryEngine = app.extensions["msckg"]["answers"]
    return engine


def settings_of(app: Flask) -> Settings:
    """Return the settings of ``app``.

    :param app: the Flask app.
    :returns: the settings.
    """
    settings: Settings = app.extensions["msckg"]["settings"]
    return settings
