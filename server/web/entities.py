"""Every minted IRI dereferences: an HTML page for people, Turtle / JSON-LD / N-Triples / RDF-XML for machines.

``https://w3id.org/msc-liver/<path>`` is served at ``/<path>`` (the w3id redirect points here). The page of
an entity lists its labels, types, mappings (linked to the external ontology pages) and every assertion
about it with its quote, reference and evidence. All data are escaped by the templates.
"""

import json
import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from server.engine import QuerySpec
from server.engine.evidence import summarize
from server.engine.formats import GRAPH_FORMATS, negotiate
from server.engine.paths_report import short, summary_json
from server.iris import legacy_graph, nanopub_graph
from server.namespaces import BASE, shorten
from server.web import engine_of
from server.web.diagram import Diagram, draw, local_href
from server.web.paths_view import causal_graph_of, edges_about

bp = Blueprint("entities", __name__)

_JSON = "application/sparql-results+json"
_OBO_PAGE = "http://purl.obolibrary.org/obo/"


def _select(query: str) -> list[dict[str, str]]:
    result = engine_of(current_app).query(QuerySpec(query, accept=_JSON, row_limit=2000))
    rows: list[dict[str, Any]] = json.loads(result.body)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} | {f"{k}_lang": v.get("xml:lang", "") for k, v in row.items()}
            for row in rows]  # fmt: skip


#: What an IRI cannot hold (RFC 3987: controls, space, and ``<>"{}|^`\``): such a path names nothing of ours.
_NOT_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|^`\\]')


def _iri_literal(iri: str) -> str:
    if _NOT_IRI.search(iri):
        abort(404)
    return f"<{iri}>"


def _describe_query(node: str, is_graph: bool) -> str:
    if is_graph:
        return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}"
    return f"CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} }} WHERE {{ {{ {node} ?p ?o }} UNION {{ ?s ?q {node} }} }}"


def _facts_query(node: str, is_graph: bool) -> str:
    if is_graph:
        return f"SELECT ?s ?p ?o WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o"
    return f"SELECT ?p ?o WHERE {{ {node} ?p ?o }} ORDER BY ?p ?o"


def _assertions_query(node: str) -> str:
    return f"""
PREFIX np: <http://www.nanopub.org/nschema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX msc: <https://w3id.org/msc-liver/ontology/>
SELECT DISTINCT ?np ?s ?p ?o ?quote ?translation ?ref ?evidence ?section WHERE {{
  ?np np:hasAssertion ?a ; np:hasProvenance ?prov .
  GRAPH ?a {{ ?s ?p ?o FILTER(?s = {node} || ?o = {node}) }}
  GRAPH ?prov {{
    ?a msc:quote ?quote ; msc:quoteTranslation ?translation ; prov:wasDerivedFrom ?ref ;
       msc:evidenceType ?evidence ; msc:reviewSection ?section .
  }}
}} ORDER BY ?np"""


def _link(iri: str) -> str:
    return iri if iri.startswith(("http://", "https://")) else ""


def mechanism(iri: str, kind: str) -> tuple[Diagram | None, dict[str, object] | None]:
    """Draw the causal claims of an entity (its neighbourhood) or of a chain (its steps), with a chain's evidence.

    :param iri: the node's IRI.
    :param kind: the first path segment of its IRI (``entity``, ``chain`` …).
    :returns: the diagram (``None`` when the node takes part in no causal claim) and, for a chain, the summary.
    """
    if kind not in ("entity", "chain"):
        return None, None
    graph = causal_graph_of(current_app._get_current_object())  # type: ignore[attr-defined]
    edges = edges_about(graph, iri)
    diagram = draw(graph, edges, ends=(iri,) if kind == "entity" else ())
    evidence = summary_json(summarize(edges, graph.edges)) if kind == "chain" and edges else None
    return diagram, evidence


@bp.route("/graph/<any(head, assertion, provenance, pubinfo):part>/<np_id>")
def legacy_nanopub_graph(part: str, np_id: str) -> Response:
    """Answer a nanopublication graph IRI of the former layout with a permanent redirect to its current IRI."""
    current = legacy_graph(f"{BASE}graph/{part}/{np_id}")
    if current is None:
        abort(404)
    query = request.query_string.decode("utf-8")
    target = "/" + current.removeprefix(BASE) + (f"?{query}" if query else "")
    return redirect(target, code=301)  # type: ignore[return-value]


@bp.route("/<any(entity, ontology, np, chain, agent, dataset, graph):kind>/<path:rest>")
def dereference(kind: str, rest: str) -> Response:
    """Serve the description of one minted IRI."""
    iri = f"{BASE}{kind}/{rest}"
    is_graph = kind == "graph" or nanopub_graph(iri) is not None
    node = _iri_literal(iri)
    best = request.accept_mimetypes.best_match(["text/html", *[f.media_type for f in GRAPH_FORMATS]])
    if best != "text/html" or request.args.get("format"):
        fmt = negotiate(GRAPH_FORMATS, request.headers.get("Accept"), request.args.get("format"))
        query = _describe_query(node, is_graph)
        result = engine_of(current_app).query(QuerySpec(query, accept=fmt.media_type))
        if not result.body.strip() or result.body.strip() in (b"[]", b"{}"):
            abort(404)
        response = Response(result.body, mimetype=fmt.media_type)
        response.headers["Content-Type"] = f"{fmt.media_type}; charset=utf-8"
        response.headers["Vary"] = "Accept"
        return response
    facts = _select(_facts_query(node, is_graph))
    if not facts:
        abort(404)
    labels = [f for f in facts if f["p"].endswith("rdf-schema#label")]
    diagram, evidence = mechanism(iri, kind)
    mappings = [f for f in facts if f["p"].startswith("http://www.w3.org/2004/02/skos/core#") and "Match" in f["p"]]
    html = render_template(
        "entity.html",
        iri=iri,
        curie=shorten(iri),
        labels=labels,
        facts=facts,
        mappings=mappings,
        assertions=_select(_assertions_query(node)),
        shorten=shorten,
        link=_link,
        obo_page=_OBO_PAGE,
        diagram=diagram,
        evidence=evidence,
        href=local_href,
        short=short,
    )
    response = Response(html, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response
