"""The inferred graph: HermiT's entailed types of the individuals, published beside the claims.

A question about a class ("which signalling pathways …", "which non-coding RNAs …") needs every individual of
the class, also those typed by a subclass. In SPARQL that is ``?x rdf:type/rdfs:subClassOf* C``; Virtuoso 7.2
loses rows of such a path when ``?x`` is bound by a join (docs/deploy.md), and on a large graph the path costs a
closure per row. The build already has the answer: the reasoner entails each individual's super-types
(:func:`server.checks.reason.reason`). Written into the named graph :data:`~server.namespaces.INFERRED_GRAPH`,
a class test becomes the lookup ``?x rdf:type C`` on every store.

Only ``rdf:type`` triples: the release file ``inferred.ttl`` also restates relations with their super-properties,
which would put relations outside the nanopublications' assertion graphs; no query needs them. Nothing in this
graph is a claim of the review, and no curated graph is changed.
"""

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from server.curation.load import Loaded
from server.namespaces import INFERRED_GRAPH

_LABEL = {"en": "inferred graph: entailed types", "zh": "推理图：蕴涵的类型"}
_DESCRIPTION = {
    "en": "Computed by the build: the classes each individual belongs to by the ontology (HermiT's entailments, "
    "beyond the types the curated graphs assert), so that a class test is a plain rdf:type lookup. Not a claim "
    "of the review.",
    "zh": "由构建过程计算得出：依据本体（HermiT 推理蕴涵）每个个体所属的类（在已声明类型之外），"
    "使类的查询成为简单的 rdf:type 查找。并非综述本身的断言。",
}


def inferred_graph(inferred: Graph) -> Graph:
    """Keep the entailed types of a reasoning run, as the named graph the build publishes.

    :param inferred: HermiT's inferred axioms (:attr:`server.checks.reason.ReasoningResult.inferred`).
    :returns: a graph named :data:`~server.namespaces.INFERRED_GRAPH`: its label and description, and every
        entailed ``rdf:type`` triple.
    """
    out = Graph(identifier=INFERRED_GRAPH)
    for lang, text in _DESCRIPTION.items():
        out.add((INFERRED_GRAPH, RDFS.comment, Literal(text, lang=lang)))
    for lang, text in _LABEL.items():
        out.add((INFERRED_GRAPH, RDFS.label, Literal(text, lang=lang)))
    for triple in inferred.triples((None, RDF.type, None)):
        out.add(triple)
    return out


def add_inferred_graph(loaded: Loaded, inferred: Graph) -> None:
    """Add the entailed types to the dataset the build publishes (replacing an earlier inferred graph).

    :param loaded: the project's Dataset.
    :param inferred: HermiT's inferred axioms.
    """
    loaded.dataset.remove_graph(INFERRED_GRAPH)
    target = loaded.dataset.graph(INFERRED_GRAPH)
    target += inferred_graph(inferred)
