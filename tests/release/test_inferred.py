"""The inferred graph: HermiT's entailed types, published beside the claims and read by no curated export."""

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from server.curation.load import Loaded
from server.namespaces import INFERRED_GRAPH, MSCE, OBO
from server.release.export import render
from server.release.inferred import add_inferred_graph, inferred_graph
from server.release.layout import DUMP_FILE, EDGES_FILE, NODES_FILE

MATERIAL_ENTITY = OBO["BFO_0000040"]


def _entailed() -> Graph:
    """What a reasoning run gives: super-types and a relation restated with its super-property."""
    inferred = Graph()
    inferred.add((MSCE["bm-msc"], RDF.type, MATERIAL_ENTITY))
    # a gene product is a molecular entity: in KGX it would gain biolink:MolecularEntity beside biolink:Protein
    inferred.add((MSCE["pten"], RDF.type, OBO["CHEBI_23367"]))
    inferred.add((MSCE["bm-msc"], OBO["RO_0002410"], MSCE["liver-inflammation"]))
    return inferred


def test_only_types_are_kept_with_the_graphs_own_description() -> None:
    graph = inferred_graph(_entailed())
    assert graph.identifier == INFERRED_GRAPH
    assert (MSCE["bm-msc"], RDF.type, MATERIAL_ENTITY) in graph
    assert not list(graph.triples((None, OBO["RO_0002410"], None)))
    comments = {str(c) for c in graph.objects(INFERRED_GRAPH, RDFS.comment)}
    assert any("Not a claim of the review" in c for c in comments) and any("并非综述" in c for c in comments)
    assert Literal("inferred graph: entailed types", lang="en") in set(graph.objects(INFERRED_GRAPH, RDFS.label))


def test_the_dump_holds_it_and_kgx_does_not_read_it(loaded: Loaded) -> None:
    # KGX reads every type of a node for its categories (the other curated exports read no rdf:type triple)
    curated = (NODES_FILE, EDGES_FILE)
    before = render(loaded, ["kgx"], "2026-01-01")
    add_inferred_graph(loaded, _entailed())
    try:
        after = render(loaded, ["kgx", "nquads"], "2026-01-01")
        assert INFERRED_GRAPH not in {g.identifier for g in loaded.curated_graphs()}
    finally:
        loaded.dataset.remove_graph(INFERRED_GRAPH)
    assert all(after[name] == before[name] for name in curated)
    quad = f"<{MSCE['bm-msc']}> <{RDF.type}> <{MATERIAL_ENTITY}> <{INFERRED_GRAPH}> .".encode()
    assert quad in after[DUMP_FILE].splitlines()


def test_adding_it_again_replaces_it(loaded: Loaded) -> None:
    try:
        add_inferred_graph(loaded, _entailed())
        other = Graph()
        other.add((MSCE["bm-msc"], RDF.type, URIRef(OBO["BFO_0000004"])))
        add_inferred_graph(loaded, other)
        types = set(loaded.dataset.graph(INFERRED_GRAPH).objects(MSCE["bm-msc"], RDF.type))
    finally:
        loaded.dataset.remove_graph(INFERRED_GRAPH)
    assert types == {OBO["BFO_0000004"]}
