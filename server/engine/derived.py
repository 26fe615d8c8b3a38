"""The derived graph: what the build computes from the claims, so that any SPARQL 1.1 store can answer it by lookup.

Some questions compose the signs of claims along routes of any length (competency questions 01, 02 and 14). In
SPARQL that takes nested zero-or-more property paths or a UNION of explicit steps: the embedded store answers
them, but Virtuoso 7.2 cannot (a nested ``*`` exhausts its transitive memory or crashes it; the UNION does not
finish), and on a graph a thousand times this one they miss their time budgets everywhere. The build therefore
writes their answers' building blocks once, into the named graph :data:`~server.namespaces.DERIVED_GRAPH`:

* **signed routes**: ``x msc:hasPositiveRouteTo y`` when a walk of one or more steps of causal claims with sign
  + or − leads from x to y with an even number of negative steps (``msc:hasNegativeRouteTo``: an odd number);
  claims of every species, context and modality are joined, and steps with sign 0 or none are no part of a route.
  This is the reachability of the signed property path ``((P)|(N/(P)*/N))+``;
* **net effects over stated paths**: one ``msc:NetEffect`` per node and each node it reaches by a path the
  review states (one claim, or one chain's steps in order; simple, up to 6 steps:
  :func:`server.engine.paths.find_paths`), with the composed net as competency question 14 composes it (``+``,
  ``-``, ``0`` when every path is null, ``mixed`` when + and − paths meet; a null path beside a directed one is
  counted, not netted), the numbers of stated, null and hedged paths, the best evidence level a path rests on
  (its weakest claim), and ``prov:wasDerivedFrom`` every nanopublication on those paths.

Nothing in this graph is a claim of the review: it is computed, its triples are never in a nanopublication, and
the entity pages leave it out. Tests check it against the SPARQL formulations it replaces.
"""

from collections import defaultdict, deque
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from server.curation.load import Loaded
from server.engine.causal import CausalGraph, load_causal_graph
from server.engine.evidence import LEVELS, level_of, modality_of
from server.engine.oxigraph_engine import OxigraphEngine, named_graphs
from server.engine.paths import Options, find_paths, net
from server.errors import ValidationFailed
from server.namespaces import DERIVED_GRAPH, MSC
from server.release.export import render
from server.release.layout import DUMP_FILE

#: Evidence level of a path with a claim whose evidence type is not in the table (its weakest: as CQ 14 names it).
NOT_STATED = "not stated"
_LEVELS = (*LEVELS, NOT_STATED)
#: A node reaches few others by stated paths; this bound is never met on the review's graph (checked: a cut
#: answer raises rather than undercounts).
_MAX_STATED = 100_000

_LABEL = {"en": "derived graph: signed routes and net effects", "zh": "派生图：带符号路径与净效应"}
_DESCRIPTION = {
    "en": "Computed by the build from the claims of this release: signed routes and net effects over the paths "
    "the review states. Not a claim of the review; each net effect names the nanopublications it rests on.",
    "zh": "由构建过程根据本版本的断言计算得出：带符号的路径可达性，以及综述所述路径上的净效应。"
    "并非综述本身的断言；每个净效应都注明其所依据的纳米出版物。",
}


def signed_routes(graph: CausalGraph) -> set[tuple[str, str, str]]:
    """Find every pair joined by a walk of signed steps, with the walk's parity.

    :param graph: the causal graph.
    :returns: ``(x, sign, y)`` with sign ``+`` (an even number of negative steps) or ``-`` (odd); a pair
        may have both.

    A breadth-first search over (node, parity) from each node: linear in the edges per start node.
    """
    steps: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for edge in graph.edges:
        if edge.sign in ("+", "-"):
            steps[edge.subject].add((edge.object, int(edge.sign == "-")))
    found: set[tuple[str, str, str]] = set()
    for start in steps:
        seen: set[tuple[str, int]] = set()
        queue = deque([(start, 0)])
        while queue:
            node, parity = queue.popleft()
            for nxt, negative in steps.get(node, ()):
                state = (nxt, parity ^ negative)
                if state not in seen:
                    seen.add(state)
                    queue.append(state)
        found |= {(start, "-" if parity else "+", node) for node, parity in seen}
    return found


def _rank(level: str | None) -> int:
    return _LEVELS.index(level or NOT_STATED)


@dataclass(frozen=True)
class NetEffect:
    """One node's composed effect on another over the paths the review states."""

    source: str
    target: str
    net: str
    #: Stated paths with a sign (+, −, 0): paths ending in an undirected step are left out.
    paths: int
    #: Of those, paths with no significant effect (sign 0): the net leaves them out beside a directed path.
    null_paths: int
    #: Of those, paths with a step the review hedges (modality suggested).
    hedged_paths: int
    level: str
    claims: tuple[str, ...]


def _candidates(graph: CausalGraph) -> set[tuple[str, str]]:
    """Pairs a stated path may join: reachable within one claim's edges or one chain's (linear in the groups)."""
    pairs: set[tuple[str, str]] = set()
    for group in (*graph.by_claim.values(), *graph.by_chain.values()):
        out: dict[str, set[str]] = defaultdict(set)
        for edge in group:
            out[edge.subject].add(edge.object)
        for start in out:
            seen, queue = {start}, deque([start])
            while queue:
                for nxt in out.get(queue.popleft(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
            pairs |= {(start, node) for node in seen - {start}}
    return pairs


def stated_net_effects(graph: CausalGraph) -> list[NetEffect]:
    """Compose the net effect of each node on each node it reaches by stated paths.

    A stated path lies within one claim or one chain, so only pairs reachable inside one of them are searched
    (:func:`server.engine.paths.find_paths`, stated paths only, its default length limit).

    :param graph: the causal graph.
    :returns: one net effect per pair with a stated path that has a sign, sorted by source and target; paths
        ending in a step without direction (sign ``none``) are left out, as competency question 14 leaves them.
    :raises ValidationFailed: if a pair has more stated paths than the search keeps (never on the review's graph).
    """
    options = Options(max_paths=_MAX_STATED, stated_only=True)
    found = []
    for source, target in sorted(_candidates(graph)):
        result = find_paths(graph, source, target, options)
        if result.truncated:
            raise ValidationFailed(
                f"derived graph: more than {_MAX_STATED} stated paths from {source} to {target}",
                "the net effect would undercount them; raise the bound in server/engine/derived.py",
            )
        stated = [p for p in result.stated if p.sign != "none"]
        if not stated:
            continue
        best = min(max(_rank(level_of(e.claim)) for e in p.steps) for p in stated)
        hedged = sum(any(modality_of(e.claim) == "suggested" for e in p.steps) for p in stated)
        claims = tuple(sorted({e.claim.nanopub for p in stated for e in p.steps}))
        found.append(NetEffect(source, target, net(stated), len(stated), sum(p.sign == "0" for p in stated), hedged,
                               _LEVELS[best], claims))  # fmt: skip
    return found


def derived_graph(graph: CausalGraph) -> Graph:
    """Write the signed routes and stated net effects of a causal graph as the derived named graph.

    :param graph: the causal graph of a release.
    :returns: a graph named :data:`~server.namespaces.DERIVED_GRAPH`.
    """
    out = Graph(identifier=DERIVED_GRAPH)
    for lang, text in _DESCRIPTION.items():
        out.add((DERIVED_GRAPH, RDFS.comment, Literal(text, lang=lang)))
    for lang, text in _LABEL.items():
        out.add((DERIVED_GRAPH, RDFS.label, Literal(text, lang=lang)))
    route = {"+": MSC.hasPositiveRouteTo, "-": MSC.hasNegativeRouteTo}
    for source, sign, target in signed_routes(graph):
        out.add((URIRef(source), route[sign], URIRef(target)))
    for found in stated_net_effects(graph):
        effect = BNode()
        out.add((effect, RDF.type, MSC.NetEffect))
        out.add((effect, MSC.netEffectOf, URIRef(found.source)))
        out.add((effect, MSC.netEffectOn, URIRef(found.target)))
        out.add((effect, MSC.netSign, Literal(found.net)))
        for prop, count in ((MSC.statedPathCount, found.paths), (MSC.nullPathCount, found.null_paths),
                            (MSC.hedgedPathCount, found.hedged_paths)):  # fmt: skip
            out.add((effect, prop, Literal(count, datatype=XSD.integer)))
        out.add((effect, MSC.evidenceLevel, Literal(found.level)))
        for claim in found.claims:
            out.add((effect, PROV.wasDerivedFrom, URIRef(claim)))
    return out


def add_derived_graph(loaded: Loaded) -> None:
    """Compute the derived graph from the loaded claims and add it to the dataset (what the build publishes).

    The claims are read the way every other reader reads them (:func:`load_causal_graph`, over an in-memory
    store of the rendered dump), so the derived graph and the path engine see the same graph.

    :param loaded: the project's Dataset; the derived graph is added (replacing an earlier one).
    """
    dataset: Dataset = loaded.dataset
    dataset.remove_graph(DERIVED_GRAPH)
    body = render(loaded, ["nquads"], "0000-01-01")[DUMP_FILE]
    store = ox.Store()
    store.bulk_load(body, format=ox.RdfFormat.N_QUADS)
    derived = derived_graph(load_causal_graph(OxigraphEngine(store, named_graphs(store))))
    target = dataset.graph(DERIVED_GRAPH)
    target += derived
