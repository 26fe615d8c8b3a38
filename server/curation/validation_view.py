"""The validation view: one Graph in which the named-graph structure of the Dataset is explicit.

pySHACL validates one graph at a time, but the rules of a nanopublication cross graphs: the provenance
graph describes the assertion graph, the head points to graphs that must exist, and a chain step's subject
must appear in an earlier step's graph. The view therefore holds

* the union of every data graph (what the SPARQL endpoint serves as its default graph), so per-node rules
  (labels, domain and range of assertion predicates, provenance fields) see entity, reference and claim
  triples together; and
* a description of every nanopublication graph (``np/<id>/head``, ``/assertion``, ``/provenance``,
  ``/pubinfo``): its kind (``mscsh:AssertionGraph``, also ``np:Assertion``, the category of a claim's qualifiers …),
  ``mscsh:tripleCount``, and one ``mscsh:subject``, ``mscsh:predicate`` and ``mscsh:object`` triple per
  distinct term the graph uses (an assertion graph's statements about itself, its qualifiers, give only their
  predicate), so graph membership becomes plain triples that
  core SHACL shapes can test; plus ``mscsh:localId`` (the ``s2-1-03`` of ``np/s2-1-03/assertion``) of every
  nanopublication graph and of every ``mscnp:`` head a graph describes, so that "the four graphs share the
  head's id" is an ``sh:equals`` constraint instead of a SPARQL query per head.

The ontology and its imports are not copied: :func:`ontology_graph` hands them to pySHACL as ``ont_graph``.
"""

from rdflib import Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF

from server.curation.load import SHAPES_GRAPH_PREFIX, Loaded
from server.iris import file_graph, nanopub_graph
from server.namespaces import MSCNP, MSCSH, NP

#: The class each part of a nanopublication (``np/<id>/<part>``) gets in the view.
GRAPH_KINDS: dict[str, URIRef] = {
    "head": MSCSH.HeadGraph,
    "assertion": MSCSH.AssertionGraph,
    "provenance": MSCSH.ProvenanceGraph,
    "pubinfo": MSCSH.PubinfoGraph,
}
#: Graphs that hold the T-box: the ontology edit file(s) and the import modules.
ONTOLOGY_GRAPH_PREFIXES = (str(file_graph("ontology")), str(file_graph("imports")))


def graph_kind(graph: URIRef) -> URIRef | None:
    """Return the view class of a nanopublication graph.

    :param graph: a named-graph IRI.
    :returns: ``mscsh:HeadGraph``, ``…AssertionGraph``, ``…ProvenanceGraph``, ``…PubinfoGraph``, or ``None``
        for a graph outside the four nanopublication namespaces.

    >>> str(graph_kind(URIRef("https://w3id.org/msc-liver/np/s3-01/provenance")))
    'https://w3id.org/msc-liver/shapes/ProvenanceGraph'
    >>> graph_kind(URIRef("https://w3id.org/msc-liver/graph/entities/cells")) is None
    True
    """
    found = nanopub_graph(str(graph))
    return GRAPH_KINDS[found[1]] if found else None


def local_id(iri: URIRef) -> str | None:
    """Return the nanopublication id an IRI carries.

    :param iri: an IRI.
    :returns: the local name after a nanopublication namespace, or ``None`` outside those namespaces.

    >>> local_id(URIRef("https://w3id.org/msc-liver/np/s2-1-03/pubinfo"))
    's2-1-03'
    >>> local_id(URIRef("https://w3id.org/msc-liver/entity/cd47")) is None
    True
    """
    if found := nanopub_graph(str(iri)):
        return found[0]
    text = str(iri)
    return text[len(MSCNP) :] if text.startswith(str(MSCNP)) else None


def is_ontology_graph(graph: URIRef) -> bool:
    """Tell whether a named graph holds ontology (T-box) triples.

    :param graph: a named-graph IRI.
    :returns: ``True`` for ``graph/ontology…`` and ``graph/imports/…``.
    """
    return str(graph).startswith(ONTOLOGY_GRAPH_PREFIXES)


def ontology_graph(loaded: Loaded) -> Graph:
    """Return the union of the ontology and import graphs (what pySHACL gets as ``ont_graph``).

    :param loaded: the loaded project.
    :returns: a new Graph; empty when the Dataset holds no ontology.
    """
    ontology = Graph()
    for graph in _named_graphs(loaded):
        if is_ontology_graph(URIRef(graph.identifier)):
            ontology += graph
    return ontology


def build_view(loaded: Loaded) -> Graph:
    """Build the validation view of a loaded Dataset.

    :param loaded: the loaded project (or fixture).
    :returns: a new Graph: the union of the data graphs plus the description of every nanopublication
        graph, empty ones included (``mscsh:tripleCount 0``).
    """
    view = Graph()
    for graph in _named_graphs(loaded):
        ident = URIRef(graph.identifier)
        if is_ontology_graph(ident):
            continue
        view += graph
        kind = graph_kind(ident)
        if kind is not None:
            _describe(view, ident, kind, graph)
    return view


def _describe(view: Graph, ident: URIRef, kind: URIRef, graph: Graph) -> None:
    view.add((ident, RDF.type, kind))
    if kind == MSCSH.AssertionGraph:
        view.add((ident, RDF.type, NP.Assertion))
    view.add((ident, MSCSH.tripleCount, Literal(len(graph))))
    for node in (ident, *graph.subjects(unique=True)):
        name = local_id(node) if isinstance(node, URIRef) else None
        if name is not None:
            view.add((node, MSCSH.localId, Literal(name)))
    for s, p, o in graph:
        view.add((ident, MSCSH.predicate, p))
        if s == ident and kind == MSCSH.AssertionGraph:
            continue  # a qualifier of the claim (species, model …) or its statement type: not a node of the claim
        view.add((ident, MSCSH.subject, s))
        view.add((ident, MSCSH.object, o))


def _named_graphs(loaded: Loaded) -> list[Graph]:
    return [
        g
        for g in loaded.dataset.graphs()
        if isinstance(g.identifier, URIRef)
        and g.identifier != DATASET_DEFAULT_GRAPH_ID
        and not str(g.identifier).startswith(SHAPES_GRAPH_PREFIX)
    ]
