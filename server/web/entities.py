"""Every minted IRI dereferences: an HTML page for people, Turtle / JSON-LD / N-Triples / RDF-XML for machines.

``https://w3id.org/msc-liver/<path>`` is served at ``/<path>`` (the w3id redirect points here), the ontology IRI
itself at ``/ontology``. The HTML page depends on what the node is, read from the graph: a nanopublication (its
four graphs in words), a named graph (its triples), a chain (its steps), anything else an entity page (header
card, claims by role and relation, arms, members and subclasses, links in). All data are escaped by the
templates; every link to one of our IRIs is local (:func:`server.web.rdfview.href`).
"""

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from server.engine import QuerySpec
from server.engine.evidence import summarize
from server.engine.formats import GRAPH_FORMATS, negotiate
from server.engine.paths_report import short, summary_json
from server.iris import iri_of, legacy_graph, nanopub_graph, source_of
from server.namespaces import BASE, ONTOLOGY_IRI
from server.web import engine_of
from server.web.claims import ROLES, claims_of
from server.web.diagram import Diagram, draw
from server.web.entity_view import arms, card, incoming, members, not_computed
from server.web.nanopub_view import chain, graph_part, nanopub
from server.web.paths_view import causal_graph_of, edges_about
from server.web.rdfview import href, iri_ref, labels, minted, select, short_name

bp = Blueprint("entities", __name__)

#: Above this many claims a page opens with every group collapsed (its summary line still counts and names).
OPEN_LIMIT = 30
#: A reference's properties a nanopublication page leaves to the reference's own page.
_REFERENCE_HIDDEN = ("http://purl.org/dc/terms/bibliographicCitation", "http://purl.org/spar/cito/cites",
                     "http://purl.org/dc/terms/isReferencedBy")  # fmt: skip
#: Most triples a graph page lists (the formats give the whole graph).
GRAPH_ROWS = 500


bp.add_app_template_global(href, "href")
bp.add_app_template_global(short_name, "short_name")
bp.add_app_template_global(minted, "minted")


@bp.app_context_processor
def _release_info() -> dict[str, object]:
    return {"release_info": current_app.extensions["msckg"]["release"]}


def _describe_query(node: str, is_graph: bool) -> str:
    if is_graph:
        return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}"
    # computed routes and entailed types are not facts about the node: each computed graph's own page gives them
    return (
        f"CONSTRUCT {{ {node} ?p ?o . ?s ?q {node} }} WHERE {{ "
        f"{{ GRAPH ?g {{ {node} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?q {node} }} }} FILTER({not_computed('?g')}) }}"
    )


def wants_html() -> bool:
    """Tell whether the client prefers a page to RDF (and asked for no ``format``).

    :returns: ``True`` for a browser.
    """
    best = request.accept_mimetypes.best_match(["text/html", *[f.media_type for f in GRAPH_FORMATS]])
    return best == "text/html" and not request.args.get("format")


def rdf_description(iri: str, is_graph: bool = False) -> Response:
    """Answer with the node's triples (or the graph's) in the format the client asked for.

    :param iri: the node or graph IRI.
    :param is_graph: describe the named graph's content rather than the node.
    :returns: the response; 404 when there is nothing to say.
    """
    fmt = negotiate(GRAPH_FORMATS, request.headers.get("Accept"), request.args.get("format"))
    result = engine_of(current_app).query(QuerySpec(_describe_query(_node(iri), is_graph), accept=fmt.media_type))
    if not result.body.strip() or result.body.strip() in (b"[]", b"{}"):
        abort(404)
    response = Response(result.body, mimetype=fmt.media_type)
    response.headers["Content-Type"] = f"{fmt.media_type}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    return response


def _node(iri: str) -> str:
    try:
        return iri_ref(iri)
    except ValueError:
        abort(404)


def _page(html: str) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


def entity_page(iri: str) -> Response:
    """Render the page of any node: header card, arms, members, claims, links in.

    :param iri: the node's IRI.
    :returns: the page; 404 when the graph knows nothing of the node.
    """
    _node(iri)
    head, (groups, cut) = card(iri), claims_of(iri)
    links = incoming(iri, everywhere=not groups)
    found = members(iri)
    if head is None and not groups and not links and not found.members and not found.subclasses:
        abort(404)
    total = sum(len(g.claims) for g in groups)
    diagram, evidence = mechanism(iri)
    counts = [(role, sum(len(g.claims) for g in groups if g.role == role)) for role in ROLES]
    return _page(render_template(
        "entity.html", iri=iri, card=head, groups=groups, total=total, roles=ROLES,
        role_counts=[(r, n) for r, n in counts if n], open_groups=total <= OPEN_LIMIT, cut=cut,
        incoming=links, incoming_count=sum(len(n) for _, n in links), members=found, arms=arms(iri),
        steps=chain(iri) if iri.startswith(BASE + "chain/") else [], diagram=diagram, evidence=evidence,
        short=short,
    ))  # fmt: skip


def mechanism(iri: str) -> tuple[Diagram | None, dict[str, object] | None]:
    """Draw the causal claims of an entity (its neighbourhood) or of a chain (its steps), with a chain's evidence.

    :param iri: the node's IRI.
    :returns: the diagram (``None`` when the node takes part in no causal claim) and, for a chain, the summary.
    """
    graph = causal_graph_of(current_app._get_current_object())  # type: ignore[attr-defined]
    edges = edges_about(graph, iri)
    is_chain = iri.startswith(BASE + "chain/")
    diagram = draw(graph, edges, ends=() if is_chain else (iri,))
    evidence = summary_json(summarize(edges, graph.on_pairs(edges)), graph) if is_chain and edges else None
    return diagram, evidence


def _graph_page(iri: str) -> Response:
    part = graph_part(iri)
    if not part.rows:
        abort(404)
    owner = select(f"SELECT ?np WHERE {{ GRAPH ?h {{ ?np ?p {_node(iri)} }} ?np a np:Nanopublication }} LIMIT 1")
    owner_label = labels([owner[0]["np"].value])[owner[0]["np"].value] if owner else None
    # what a graph says of itself (the derived graph: that it is computed, not a claim of the review)
    about = [r["c"] for r in select(f"SELECT ?c WHERE {{ GRAPH {_node(iri)} {{ {_node(iri)} rdfs:comment ?c }} }}")]
    about.sort(key=lambda t: (t.lang != "en", t.lang))
    return _page(render_template("graph.html", part=part, owner=owner_label, about=about, shown=GRAPH_ROWS))


@bp.route("/graph/<any(head, assertion, provenance, pubinfo):part>/<np_id>")
def legacy_nanopub_graph(part: str, np_id: str) -> Response:
    """Answer a nanopublication graph IRI of the former layout with a permanent redirect to its current IRI."""
    current = legacy_graph(f"{BASE}graph/{part}/{np_id}")
    if current is None:
        abort(404)
    query = request.query_string.decode("utf-8")
    target = "/" + current.removeprefix(BASE) + (f"?{query}" if query else "")
    return redirect(target, code=301)  # type: ignore[return-value]


@bp.route("/<any(entity, ontology, np, chain, agent, graph):kind>/<path:rest>")
def dereference(kind: str, rest: str) -> Response:
    """Serve the description of one minted IRI."""
    iri = f"{BASE}{kind}/{rest}"
    _node(iri)
    is_graph = kind == "graph" or nanopub_graph(iri) is not None
    if not wants_html():
        return rdf_description(iri, is_graph)
    if is_graph:
        return _graph_page(iri)
    if kind == "np":
        found = nanopub(iri)
        if found is None:
            abort(404)
        graph = causal_graph_of(current_app._get_current_object())  # type: ignore[attr-defined]
        diagram = draw(graph, graph.by_claim.get(iri, []))
        return _page(render_template("nanopub.html", np=found, hidden=_REFERENCE_HIDDEN, diagram=diagram))
    return entity_page(iri)


@bp.route("/term/<curie>")
def term(curie: str) -> Response:
    """Serve an imported external term (``CL:0000632``): what its source says, our nodes of it, claims, link out."""
    if source_of(curie) is None or ":" not in curie:
        abort(404)
    iri = str(iri_of(curie))
    return entity_page(iri) if wants_html() else rdf_description(iri)


@bp.route("/ontology")
def ontology() -> Response:
    """Serve the ontology IRI: its header (title, version, licence) and what it declares, or its triples."""
    return entity_page(ONTOLOGY_IRI) if wants_html() else rdf_description(ONTOLOGY_IRI)


def _listing(title: str, query: str, note: str) -> Response:
    rows = select(query)
    names = labels({r["x"].value for r in rows} | {r["c"].value for r in rows})
    grouped: dict[str, list[object]] = {}
    for r in sorted(rows, key=lambda r: names[r["x"].value].text.lower()):
        grouped.setdefault(r["c"].value, []).append(names[r["x"].value])
    sections = sorted(((names[c], xs) for c, xs in grouped.items()), key=lambda s: s[0].text.lower())
    return _page(render_template("listing.html", title=title, sections=sections, note=note))


@bp.route("/entity/")
def browse() -> Response:
    """List every curated entity under its most specific class."""
    return _listing(
        "Entities",
        f"""SELECT DISTINCT ?x ?c WHERE {{
  GRAPH ?g {{ ?x a ?c }}
  FILTER(STRSTARTS(STR(?x), "{BASE}entity/") && ?c != owl:NamedIndividual && {not_computed("?g")})
  FILTER NOT EXISTS {{ GRAPH ?h {{ ?x a ?d }} ?d rdfs:subClassOf+ ?c FILTER(?d != ?c && {not_computed("?h")}) }}
}}""",
        "Every node the review names, under the most specific class it is typed by.",
    )


@bp.route("/chain/")
def chains() -> Response:
    """List the mechanism chains."""
    return _listing(
        "Mechanism chains",
        f'SELECT DISTINCT ?x ?c WHERE {{ GRAPH ?g {{ ?x a ?c }} FILTER(STRSTARTS(STR(?x), "{BASE}chain/") && '
        f"{not_computed('?g')}) }}",
        "Multi-step mechanisms: each step is one nanopublication, in the order the review gives.",
    )
