"""``/api/paths`` and ``/paths``: how does X affect Y, as JSON and as a page with a form, a diagram and the evidence.

The causal graph is read through the app's engine (the worker pool's time-out and admission control, or the
remote store's) and kept: for the server's life over its own pinned release, for :data:`GRAPH_TTL` seconds over
any other engine (a remote store may be republished); each request then searches it in this process under the
same limits as a query: at most ``workers`` searches at once, at most ``max_waiting`` waiting (then 503), each
stopped at the query time-out (503), its paths capped (the answer says so).
"""

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from server.config import DEFAULT_MAX_PATHS, DEFAULT_PATH_LENGTH, MAX_PATH_LENGTH
from server.engine.admission import Admission
from server.engine.causal import CausalGraph, Edge, load_causal_graph
from server.engine.evidence import contradictions
from server.engine.names import resolve
from server.engine.paths import Options, PathsResult
from server.engine.paths_report import answer, as_json, contradiction_json, contradictions_csv, short, species_iri
from server.errors import QueryAborted, QueryError, QueryTimeout, ServerBusy, UnknownName
from server.web import engine_of, settings_of
from server.web.diagram import MAX_EDGES, draw, local_href

bp = Blueprint("paths", __name__)

#: Seconds the causal graph read from the store is reused (a remote store may be republished meanwhile).
GRAPH_TTL = 60.0


@dataclass
class _State:
    """Per app: the causal graph read last, and the gate of searches."""

    admission: Admission
    slots: threading.BoundedSemaphore
    graph: CausalGraph | None = None
    read_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _state(app: Flask) -> _State:
    extensions = app.extensions["msckg"]
    with _STATE_LOCK:
        if "paths" not in extensions:
            settings = settings_of(app)
            admission = Admission(settings.max_waiting, settings.long_slots, settings.long_after)
            extensions["paths"] = _State(admission, threading.BoundedSemaphore(max(1, settings.workers)))
    state: _State = extensions["paths"]
    return state


_STATE_LOCK = threading.Lock()


def causal_graph_of(app: Flask) -> CausalGraph:
    """Return the app's causal graph, read once through its engine (again after :data:`GRAPH_TTL` over a remote one).

    :param app: the Flask app.
    :returns: the graph.
    """
    state = _state(app)
    with state.lock:
        stale = not app.extensions["msckg"].get("fixed") and time.monotonic() - state.read_at > GRAPH_TTL
        if state.graph is None or stale:
            state.graph = load_causal_graph(engine_of(app))
            state.read_at = time.monotonic()
        return state.graph


def _options(args: Any) -> Options:
    def number(name: str, default: int) -> int:
        value = args.get(name, "").strip()
        if not value:
            return default
        if not value.isdigit():
            raise QueryError(f"'{name}' must be a whole number, not {value!r}")
        return int(value)

    species = args.get("species", "").strip()
    settings = settings_of(current_app)
    return Options(
        max_length=number("max_length", DEFAULT_PATH_LENGTH),
        same_context=args.get("same_context", "").lower() in ("1", "true", "on", "yes"),
        species=species_iri(species) if species else None,
        max_paths=number("max_paths", DEFAULT_MAX_PATHS),
        timeout=settings.query_timeout,
    )


def search(source: str, target: str, options: Options) -> tuple[PathsResult, CausalGraph]:
    """Answer one paths request under the app's limits: a free search slot, the time-out, the path cap.

    :param source: the start, as the user named it.
    :param target: the end, likewise.
    :param options: bounds and filters.
    :returns: the paths and the graph they were found in.
    :raises ServerBusy: when too many searches wait already, or no slot frees within the queue wait.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    graph = causal_graph_of(app)
    state = _state(app)
    settings = settings_of(app)
    with state.admission.wait_turn():
        if not state.slots.acquire(timeout=settings.queue_wait):
            raise ServerBusy(f"every path search stayed busy for {settings.queue_wait:g} s; try again shortly")
    try:
        return answer(graph, source, target, options), graph
    finally:
        state.slots.release()


def _unknown(exc: UnknownName) -> dict[str, Any]:
    return {"error": str(exc), "candidates": [{"iri": iri, "curie": short(iri), "label": label}
                                              for iri, label in exc.candidates]}  # fmt: skip


@bp.route("/api/paths")
def api_paths() -> Response:
    """Answer ``?from=…&to=…`` (``max_length``, ``same_context``, ``species``, ``max_paths``) with the paths as JSON."""
    source, target = request.args.get("from", ""), request.args.get("to", "")
    if not source.strip() or not target.strip():
        raise QueryError("give both ends of the path: /api/paths?from=…&to=…")
    try:
        result, graph = search(source, target, _options(request.args))
    except UnknownName as exc:
        response = jsonify(_unknown(exc))
        response.status_code = 400
        return response
    response = jsonify(as_json(result, graph))
    if result.truncated:
        response.headers["Result-Truncated"] = "true"
    return response


@bp.route("/api/contradictions")
def api_contradictions() -> Response:
    """List every pair of claims that disagree: CSV (``?format=csv`` or ``Accept: text/csv``) or JSON."""
    graph = causal_graph_of(current_app._get_current_object())  # type: ignore[attr-defined]
    wants_csv = request.args.get("format") == "csv" or request.accept_mimetypes.best == "text/csv"
    if wants_csv:
        response = Response(contradictions_csv(graph), mimetype="text/csv")
        response.headers["Content-Disposition"] = "inline; filename=msc-liver-contradictions.csv"
        return response
    return jsonify([contradiction_json(c) for c in contradictions(graph.edges)])


def _choices(graph: CausalGraph) -> list[tuple[str, str]]:
    """Each name the form suggests (English and Chinese labels), with what it names."""
    found = set()
    for node in graph.nodes:
        en, zh = graph.label(node, "en"), graph.label(node, "zh")
        found.add((en, f"{zh} · {short(node)}"))
        if zh != en:
            found.add((zh, f"{en} · {short(node)}"))
    return sorted(found)


def _paths_diagram(result: PathsResult, graph: CausalGraph) -> Any:
    stated = [e for p in result.stated for e in p.steps]
    derived = [e for p in result.derived for e in p.steps]
    edges = list(dict.fromkeys(stated + derived))[:MAX_EDGES]
    only_derived = set(derived) - set(stated)
    return draw(graph, edges, derived=only_derived, ends=(result.source, result.target))


@bp.route("/paths")
def paths_page() -> Response:
    """Show the form, and for ``?from=…&to=…`` the net effect, the diagram, every path with its evidence."""
    source, target = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    graph = causal_graph_of(current_app._get_current_object())  # type: ignore[attr-defined]
    context: dict[str, Any] = {"source": source, "target": target, "choices": _choices(graph), "graph": graph,
                               "max_length": MAX_PATH_LENGTH, "args": request.args, "result": None,
                               "error": None, "candidates": [], "species": _species(graph)}  # fmt: skip
    status = 200
    if source and target:
        try:
            result, graph = search(source, target, _options(request.args))
            context.update(result=result, answer=as_json(result, graph), diagram=_paths_diagram(result, graph))
        except UnknownName as exc:
            candidates = _unknown(exc)["candidates"]
            context.update(error=str(exc), candidates=candidates, failed_end=_failed_end(graph, source))
            status = 400
        except QueryError as exc:
            if isinstance(exc, ServerBusy | QueryTimeout | QueryAborted):
                raise
            context.update(error=str(exc))
            status = 400
    html = render_template("paths.html", short=short, href=local_href, **context)
    return Response(html, status=status, mimetype="text/html")


def _failed_end(graph: CausalGraph, source: str) -> str:
    try:
        resolve(graph, source)
    except UnknownName:
        return "from"
    return "to"


def _species(graph: CausalGraph) -> list[tuple[str, str]]:
    found = {s for claim in graph.claims.values() for s in claim.species}
    return sorted((short(s), graph.label(s)) for s in found)


def edges_about(graph: CausalGraph, node: str) -> list[Edge]:
    """Return the causal claims a node takes part in (its causal neighbourhood), or a chain's steps.

    :param graph: the causal graph.
    :param node: an entity's or a chain's IRI.
    :returns: the edges, in order.
    """
    if node in {c.chain for c in graph.claims.values()}:
        return graph.chain_edges(node)
    return list(dict.fromkeys([*graph.out.get(node, ()), *graph.into.get(node, ())]))
