"""Which node a user means: an IRI, our CURIE or slug, an external CURIE (the node's own or its mapping), a label.

``msckg paths`` and ``/api/paths`` take the two ends of a path as people write them: ``CL:0002540``,
``GO:0006954``, ``HGNC:16400`` (matched as the node's own IRI or one of its SKOS mappings, exact ones first),
``msce:bm-msc`` or ``bm-msc``, or an exact label or synonym in English or Chinese (case and spacing aside). Each
reading is tried in that order; the first that finds nodes decides, and finding two is an error that lists both.
A name of something on no causal claim but part of a node that is (the NLRP3 receptor, ``HGNC:16400``, of the
NLRP3 inflammasome) is an error too, listing the nodes that hold it: a path to the whole is not one to the part.
"""

import re

from server.engine.causal import MAPPINGS, CausalGraph, Names
from server.errors import UnknownName
from server.iris import PREFIX_SOURCE, iri_of
from server.namespaces import MSCE, PREFIXES

#: Most candidates an error lists.
MAX_CANDIDATES = 10
_EMPTY = Names()


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _index(graph: CausalGraph) -> dict[str, dict[str, list[str]]]:
    """Return the graph's lookup tables (made once): folded labels and synonyms, and mapping targets per kind."""
    if not graph.name_index:
        tables: dict[str, dict[str, list[str]]] = {"label": {}, "synonym": {}, **{kind: {} for kind in MAPPINGS}}
        for node in sorted(graph.nodes | set(graph.wholes)):
            names = graph.names.get(node, _EMPTY)
            for text in {_fold(v) for v in names.labels.values()}:
                tables["label"].setdefault(text, []).append(node)
            for text in {_fold(v) for v in names.synonyms}:
                tables["synonym"].setdefault(text, []).append(node)
            for kind in MAPPINGS:
                for target in set(names.mappings.get(kind, ())):
                    tables[kind].setdefault(target, []).append(node)
        graph.name_index = tables
    return graph.name_index


def _readings(graph: CausalGraph, name: str) -> list[tuple[str, list[str]]]:
    """Each way of reading ``name``, in order, with the nodes it finds."""
    nodes, index = graph.nodes | graph.wholes.keys(), _index(graph)
    readings: list[tuple[str, list[str]]] = []
    if name.startswith(("http://", "https://")):
        readings.append(("IRI", [name] if name in nodes else []))
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES:
        readings.append(("CURIE", [n for n in [str(PREFIXES[prefix]) + local] if n in nodes]))
    elif colon and prefix.upper() in {p.upper() for p in PREFIX_SOURCE}:
        canonical = next(p for p in PREFIX_SOURCE if p.upper() == prefix.upper())
        target = str(iri_of(f"{canonical}:{local}"))
        readings.append(("external term", [target] if target in nodes else []))
        for kind in MAPPINGS:
            readings.append((f"skos:{kind} of {canonical}:{local}", index[kind].get(target, [])))
    folded = _fold(name)
    if re.fullmatch(r"[a-z0-9][a-z0-9.-]*", folded):
        readings.append(("slug", [n for n in [str(MSCE) + folded] if n in nodes]))
    readings.append(("label", index["label"].get(folded, [])))
    readings.append(("synonym", index["synonym"].get(folded, [])))
    return readings


def resolve(graph: CausalGraph, name: str) -> str:
    """Return the node ``name`` means.

    :param graph: the causal graph (its nodes are the ones a path can start or end at).
    :param name: an IRI, a CURIE, a slug or a label, as a user types it.
    :returns: the node's IRI.
    :raises UnknownName: when no node, or more than one, answers to the name (with the candidates).
    """
    name = name.strip()
    if not name:
        raise UnknownName("an empty name names no node", [])
    for reading, found in _readings(graph, name):
        if found and not set(found) & graph.nodes:
            wholes = sorted({w for part in found for w in graph.wholes.get(part, ())})
            parts = ", ".join(f"{graph.label(n)}" for n in found)
            listed = [(n, graph.label(n)) for n in wholes[:MAX_CANDIDATES]]
            raise UnknownName(f"{name!r} names {parts}, on no causal claim itself: it is part of these nodes", listed)
        found = [n for n in found if n in graph.nodes]
        if len(found) == 1:
            return found[0]
        if found:
            listed = [(n, graph.label(n)) for n in found[:MAX_CANDIDATES]]
            raise UnknownName(f"{name!r} is ambiguous: {len(found)} nodes match it as a {reading}", listed)
    folded = _fold(name)
    index = _index(graph)
    near = sorted({n for table in ("label", "synonym") for text, found in index[table].items() if folded in text
                   for n in found if n in graph.nodes})  # fmt: skip
    listed = [(n, graph.label(n)) for n in near[:MAX_CANDIDATES]]
    raise UnknownName(f"no node of a causal claim is called {name!r}", listed)
