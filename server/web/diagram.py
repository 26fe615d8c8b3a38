"""Diagrams of mechanisms: a set of causal claims drawn server-side as SVG by Graphviz, inlined in a page.

Why Graphviz (``dot``, Debian's ``graphviz`` package, driven by the ``graphviz`` Python package): mechanisms are
layered, mostly acyclic chains, which ``dot``'s hierarchical layout draws top to bottom with few crossings; the
result is plain SVG in the page, so each edge is a real link (to its nanopublication page) and each node a real
link (to its entity page), with no script, no canvas and nothing fetched at run time; the page prints and a
browser test can count nodes and follow links. A JS library (Cytoscape.js) would have drawn on a canvas, needed
a bundle and a layout plug-in, and shown nothing without scripts.

What the drawing says: each node labelled in English, its Chinese label on hover (and the entity page behind a
click); each edge one claim, green for +, red for −, grey for 0 (no significant effect) and black for no
direction, **dashed** when the step is derived (a join the review did not make) or curator-inferred (ECO:0000305),
linked to its nanopublication page; the two ends of a path drawn bold.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import graphviz
from markupsafe import Markup

from server.engine.causal import CausalGraph, Edge
from server.engine.evidence import curator_inferred, level_of
from server.namespaces import BASE

#: Most edges one diagram draws (beyond, the page lists the claims without a picture).
MAX_EDGES = 150
#: Edge colour per sign.
COLOURS = {"+": "#1a7f37", "-": "#cf222e", "0": "#8c959f", "none": "#24292f"}
#: What an edge's sign is called in its tooltip.
SIGN_WORDS = {"+": "raises (+)", "-": "lowers (−)", "0": "no significant effect (0)", "none": "no direction"}


@dataclass(frozen=True)
class Diagram:
    """A drawn diagram: the SVG to inline, and what it holds (for the page and its tests)."""

    svg: Markup
    nodes: int
    edges: int


def local_href(iri: str) -> str:
    """Return the local path of one of our IRIs (the page the server answers there), other IRIs unchanged.

    :param iri: an IRI.
    :returns: ``/entity/…``, ``/np/…`` for ours.

    >>> local_href("https://w3id.org/msc-liver/np/s2-1-07")
    '/np/s2-1-07'
    """
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


def _node_id(index: int) -> str:
    return f"n{index}"


def dot_source(graph: CausalGraph, edges: Iterable[Edge], derived: Iterable[Edge] = (),
               ends: Iterable[str] = ()) -> tuple[str, int, int]:  # fmt: skip
    """Write the DOT source of a diagram of ``edges``.

    :param graph: the causal graph (labels).
    :param edges: the claims to draw, each one edge (drawn once even if given twice).
    :param derived: the edges that are steps of derived paths (dashed).
    :param ends: nodes to draw bold (a path's two ends).
    :returns: the DOT source, the number of nodes and of edges.
    """
    chosen = list(dict.fromkeys(edges))
    dashed, bold = set(derived), set(ends)
    nodes: dict[str, str] = {}
    for edge in chosen:
        for node in (edge.subject, edge.object):
            nodes.setdefault(node, _node_id(len(nodes)))
    dot = graphviz.Digraph(graph_attr={"rankdir": "TB", "bgcolor": "transparent", "fontname": "Helvetica",
                                       "nodesep": "0.25", "ranksep": "0.45"},
                           node_attr={"shape": "box", "style": "rounded,filled", "fillcolor": "#f6f8fa",
                                      "color": "#57606a", "fontname": "Helvetica", "fontsize": "12"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "10", "arrowsize": "0.7"})  # fmt: skip
    for node, ident in nodes.items():
        en, zh = graph.label(node, "en"), graph.label(node, "zh")
        text = graphviz.escape(en) if zh == en else graphviz.escape(en) + r"\n" + graphviz.escape(zh)
        dot.node(ident, text, URL=local_href(node),
                 tooltip=graphviz.escape(f"{en} · {zh}" if zh != en else en), penwidth="2.5" if node in bold else "1",
                 id=f"node-{ident}", **{"class": "diagram-node"})  # fmt: skip
    for i, edge in enumerate(chosen):
        inferred = curator_inferred(edge.claim)
        style = "dashed" if edge in dashed or inferred else "solid"
        what = ("derived, " if edge in dashed else "") + ("curator-inferred, " if inferred else "")
        tip = (f"{graph.label(edge.predicate)}: {SIGN_WORDS.get(edge.sign, edge.sign)}; {what}"
               f"{edge.claim.nanopub.rsplit('/', 1)[-1]}, {level_of(edge.claim) or 'evidence not stated'}")  # fmt: skip
        colour = COLOURS.get(edge.sign, "#24292f")
        dot.edge(nodes[edge.subject], nodes[edge.object], label=_sign_mark(edge.sign),
                 URL=local_href(edge.claim.nanopub), tooltip=graphviz.escape(tip), color=colour,
                 fontcolor=colour, style=style, id=f"edge-{i}",
                 **{"class": f"diagram-edge sign-{_sign_class(edge.sign)} {style}"})  # fmt: skip
    return dot.source, len(nodes), len(chosen)


def _sign_mark(sign: str) -> str:
    return {"+": "+", "-": "−", "0": "0"}.get(sign, "?")


def _sign_class(sign: str) -> str:
    return {"+": "plus", "-": "minus", "0": "null"}.get(sign, "none")


@lru_cache(maxsize=256)
def _svg(source: str) -> str:
    """Render DOT to SVG with ``dot`` (cached: the same claims draw the same picture)."""
    svg: str = graphviz.pipe("dot", "svg", source.encode("utf-8")).decode("utf-8")
    return svg[svg.index("<svg") :]  # the inline element only (no XML prolog, no DOCTYPE)


def draw(graph: CausalGraph, edges: Iterable[Edge], derived: Iterable[Edge] = (),
         ends: Iterable[str] = ()) -> Diagram | None:  # fmt: skip
    """Draw a diagram of some claims, or nothing when there are none, too many, or no Graphviz on the machine.

    :param graph: the causal graph (labels).
    :param edges: the claims to draw.
    :param derived: the edges that are steps of derived paths (dashed).
    :param ends: nodes to draw bold.
    :returns: the diagram, or ``None``.
    """
    edges = list(dict.fromkeys(edges))
    if not edges or len(edges) > MAX_EDGES or not available():
        return None
    source, nodes, count = dot_source(graph, edges, derived, ends)
    svg = _svg(source)
    svg = re.sub(r"^<svg ", f'<svg class="diagram" role="img" data-nodes="{nodes}" data-edges="{count}" ', svg)
    return Diagram(Markup(svg), nodes, count)  # noqa: S704 - Graphviz writes the SVG; every label is escaped in it


@lru_cache(maxsize=1)
def available() -> bool:
    """Tell whether Graphviz's ``dot`` can be run here.

    :returns: ``True`` when it can.
    """
    try:
        graphviz.version()
    except (graphviz.ExecutableNotFound, graphviz.CalledProcessError, OSError):
        return False
    return True
