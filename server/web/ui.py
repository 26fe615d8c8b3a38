"""The people-facing pages: the YASGUI query page (assets bundled locally, no CDN), VoID, health, downloads."""

import json
from functools import lru_cache
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from server.engine.formats import GRAPH_FORMATS, negotiate
from server.release.layout import DATASET_FILE, DUMP_FILE, ONTOLOGY_FILE, SHAPES_FILE, VOID_FILE
from server.web import engine_of, settings_of
from server.web.describe import void_description

bp = Blueprint("ui", __name__)

#: Release files anyone may download.
DOWNLOADS = (DATASET_FILE, DUMP_FILE, ONTOLOGY_FILE, VOID_FILE, SHAPES_FILE)
#: Where ``make assets`` puts the YASGUI build from its npm package.
ASSETS = Path(__file__).parent / "static" / "vendor" / "yasgui"


def examples(release: Path) -> list[dict[str, str]]:
    """Return the competency questions shipped with the release, as query-page tabs.

    :param release: the release folder.
    :returns: ``name``/``query`` pairs in file order.
    """
    return [{"name": p.stem, "query": p.read_text(encoding="utf-8")} for p in sorted(release.glob("queries/*.rq"))]


def query_page() -> Response:
    """Render the query page.

    :returns: the HTML response.
    """
    settings = settings_of(current_app)
    html = render_template(
        "query.html",
        endpoint=settings.public_url + "sparql",
        endpoint_path=url_for("sparql.sparql"),
        settings=settings,
        examples=examples(settings.release),
        assets=(ASSETS / "yasgui.min.js").is_file(),
    )
    return Response(html, mimetype="text/html")


@bp.route("/")
def home() -> BaseResponse:
    """Send people to the query page."""
    return redirect(url_for("sparql.sparql"))


@bp.route("/health")
def health() -> Response:
    """Say whether queries can be answered now (503 when no query worker is alive) and which release is served."""
    info = current_app.extensions["msckg"]["release"]
    document: dict[str, object] = {"status": "ok", "version": info.get("version", "unknown"),
                                   "quads": info.get("quads", 0)}  # fmt: skip
    status = 200
    check = getattr(engine_of(current_app), "health", None)
    if check is not None:
        state = check()
        document.update(workers=state.workers, busy=state.busy, **state.detail)
        if not state.ok:
            document["status"], status = "unavailable: no query worker is alive", 503
    return Response(json.dumps(document) + "\n", status=status, mimetype="application/json")


@lru_cache(maxsize=16)
def _void(release: Path, root: str, media_type: str) -> bytes:
    return void_description(release, root, media_type)


@bp.route("/.well-known/void")
def void() -> Response:
    """Describe the dataset in VoID (Turtle, RDF/XML, JSON-LD or N-Triples by Accept), made once per release."""
    fmt = negotiate(GRAPH_FORMATS[:4], request.headers.get("Accept"), request.args.get("format"))
    settings = settings_of(current_app)
    body = _void(settings.release, settings.public_url, fmt.media_type)
    response = Response(body)
    response.headers["Content-Type"] = f"{fmt.media_type}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/download/<name>")
def download(name: str) -> Response:
    """Serve a file of the release (dump, ontology, VoID, shapes)."""
    if name not in DOWNLOADS:
        return Response(f"no such file: {name}\n", status=404, mimetype="text/plain")
    return send_from_directory(settings_of(current_app).release, name)
