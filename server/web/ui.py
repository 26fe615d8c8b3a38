"""The query page (YASGUI, bundled locally, no CDN), the VoID description and health."""

import itertools
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from server.namespaces import PREFIXES
from server.web import engine_of, settings_of
from server.web.downloads import void_response

bp = Blueprint("ui", __name__)

#: Where ``make assets`` puts the YASGUI build from its npm package.
ASSETS = Path(__file__).parent / "static" / "vendor" / "yasgui"


def examples(release: Path) -> list[dict[str, str]]:
    """Return the competency questions shipped with the release, as query-page tabs.

    A question's file starts with its question in English, then in Chinese, as ``#`` comment lines (each
    may run over several lines).

    :param release: the release folder.
    :returns: ``name`` (the file's stem), ``title`` (English question), ``title_zh`` and ``query``, in file order.
    """
    found = []
    for path in sorted(release.glob("queries/*.rq")):
        text = path.read_text(encoding="utf-8")
        head = [line[1:].strip() for line in itertools.takewhile(lambda x: x.startswith("#"), text.splitlines())]
        english = list(itertools.takewhile(str.isascii, head))
        chinese = head[len(english) :]
        found.append({"name": path.stem, "title": " ".join(english) or path.stem, "title_zh": " ".join(chinese),
                      "query": text})  # fmt: skip
    return found


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
        prefixes={p: str(ns) for p, ns in PREFIXES.items()},
    )
    return Response(html, mimetype="text/html")


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


@bp.route("/.well-known/void")
def void() -> Response:
    """Describe the dataset in VoID (Turtle, RDF/XML, JSON-LD or N-Triples by Accept; a page for a browser)."""
    return void_response()
