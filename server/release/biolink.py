"""KGX nodes/edges TSV of the assertions, with Biolink Model (4.x) categories, predicates and qualifiers.

Each node's category comes from its class (the nearest class of :data:`CATEGORIES` up its ``rdfs:subClassOf``
chain, through the import modules' upper alignment: a node typed ``CL:0002540`` is a ``biolink:Cell``); each
edge's predicate and qualifiers from :data:`PREDICATES`, keyed by our predicate, and the claim's qualifiers
(species, cell type) become the edge's context qualifiers. Where the Biolink Model has a term for one of our
relations (RO:0002213 is its ``upregulated`` direction, RO:0003307 its ``ameliorates_condition`` …) we use it;
``biolink:related_to`` only where nothing fits.

Predicates and qualifiers, Biolink 4.4 (``original_predicate`` keeps ours on every edge):

=============================  ======================  ====================================================
ours                           biolink predicate       qualifiers / note
=============================  ======================  ====================================================
RO:0002213 positively reg.     regulates               object_direction_qualifier upregulated (≡ RO:0002213)
RO:0002212 negatively reg.     regulates               object_direction_qualifier downregulated (≡ RO:0002212)
RO:0002304, RO:0004032/4034,   affects                 qualified_predicate causes, direction increased
msc:increases
RO:0002305, RO:0004033/4035,   affects                 qualified_predicate causes, direction decreased
msc:decreases
RO:0002264 / RO:0002418        acts_upstream_of_or_within / affects (no direction)
RO:0002566 causally influences affects                 no direction (a molecule acting on another, sign unstated)
RO:0003307 ameliorates cond.   ameliorates_condition
RO:0003304 contributes to c.   contributes_to
msc:increasesExpressionOf      affects                 causes, object_aspect_qualifier abundance, increased
msc:decreasesExpressionOf      affects                 causes, object_aspect_qualifier abundance, decreased
msc:increasesActivityOf        affects                 causes, object_aspect_qualifier activity, increased
msc:decreasesActivityOf        affects                 causes, object_aspect_qualifier activity, decreased
msc:hasNoSignificantEffectOn   affects                 negated true (measured, no significant difference)
msc:treatmentOptionFor         treats_or_applied_or_studied_to_treat
msc:differentiatesInto         develops_from           edge reversed (``develops_into`` is not canonical)
RO:0002202 / RO:0002510        develops_from / transcribed_from
RO:0003001 produced by         produced_by
RO:0004029 disease has feat.   has_phenotype
msc:secretes                   produces                (≡ RO:0003000)
msc:hasCargo                   has_part                (≡ BFO:0000051)
RO:0002206 expressed in        expressed_in
BFO:0000066 occurs in          occurs_in
RO:0000057 has participant     has_participant
RO:0000052 characteristic of   related_to              Biolink's has_attribute is a node property, not an edge
msc:concerns                   related_to              nothing fits "a statement is about"
msc:evaluatesIntervention      related_to              nothing fits "a study evaluates an intervention"
msc:studiesCondition           related_to              nothing fits "a study's patients have a disease"
=============================  ======================  ====================================================
"""

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from server.curation.assertions import Assertion, Labels, assertions, doi_of
from server.curation.load import Loaded
from server.iris import REVIEW, curie_of
from server.namespaces import MSC, shorten

#: The knowledge-source id (infores style) of this graph.
INFORES = "infores:msc-liver"
#: Class (CURIE: an OBO class, or one of ours) → Biolink category; a class not listed takes its nearest listed
#: superclass (nodes are typed by OBO classes directly, which the import modules place under their roots).
CATEGORIES: dict[str, str] = {
    "CL:0000000": "biolink:Cell",
    "msc:GeneProduct": "biolink:Protein",
    "GO:0032991": "biolink:MacromolecularComplex",
    "SO:0000704": "biolink:Gene",
    "msc:NonCodingRNA": "biolink:NoncodingRNAProduct",
    "msc:MicroRNA": "biolink:MicroRNA",
    "CHEBI:23367": "biolink:MolecularEntity",
    "msc:ClinicalAnalyte": "biolink:ChemicalEntity",  # a role; albumin is also a GeneProduct, hence also Protein
    "msc:Drug": "biolink:Drug",
    "GO:1903561": "biolink:CellularComponent",  # GO:1903561 extracellular vesicle is a component
    "GO:0005575": "biolink:CellularComponent",
    "UBERON:0001062": "biolink:AnatomicalEntity",
    "GO:0007165": "biolink:Pathway",
    "GO:0008150": "biolink:BiologicalProcess",
    "msc:PathologicalProcess": "biolink:PathologicalProcess",
    "msc:Outcome": "biolink:Attribute",  # a measured quantity (ALT level, liver/body weight ratio), not a finding
    "msc:ClinicalOutcome": "biolink:ClinicalAttribute",
    "MONDO:0000001": "biolink:Disease",
    "HP:0000118": "biolink:PhenotypicFeature",
    "msc:Intervention": "biolink:Treatment",
    "msc:Preconditioning": "biolink:Procedure",
    "msc:LiverTransplantation": "biolink:Procedure",
    "msc:GeneticPerturbation": "biolink:Procedure",
    "msc:AdministrationRoute": "biolink:NamedThing",  # Biolink has no route of administration class
    "msc:ExperimentalModel": "biolink:Study",
    "msc:Study": "biolink:Study",
    "msc:RandomizedControlledTrial": "biolink:ClinicalTrial",
    "msc:StudyArm": "biolink:Cohort",
    "msc:OutcomeMeasurement": "biolink:ClinicalMeasurement",
    "msc:ReviewStatement": "biolink:NamedThing",  # information content entity is abstract in Biolink
    "msc:MechanismChain": "biolink:NamedThing",
    "msc:Publication": "biolink:Publication",
    "msc:JournalArticle": "biolink:Article",
    "msc:ReviewArticle": "biolink:Article",
}
#: Category of a node whose classes reach no entry of :data:`CATEGORIES`.
FALLBACK_CATEGORY = "biolink:NamedThing"


@dataclass(frozen=True)
class PredicateMapping:
    """How one of our predicates is written as a Biolink edge."""

    predicate: str
    qualified_predicate: str = ""
    aspect: str = ""
    direction: str = ""
    negated: bool = False
    reversed: bool = False


_CAUSES = "biolink:causes"
_UP = PredicateMapping("biolink:affects", _CAUSES, direction="increased")
_DOWN = PredicateMapping("biolink:affects", _CAUSES, direction="decreased")
_RELATED = PredicateMapping("biolink:related_to")
#: Our predicate (CURIE) → Biolink edge (see the module's table).
PREDICATES: dict[str, PredicateMapping] = {
    "RO:0002213": PredicateMapping("biolink:regulates", direction="upregulated"),
    "RO:0002212": PredicateMapping("biolink:regulates", direction="downregulated"),
    "RO:0002304": _UP,
    "RO:0002305": _DOWN,
    "RO:0004032": _UP,
    "RO:0004033": _DOWN,
    "RO:0004034": _UP,
    "RO:0004035": _DOWN,
    "RO:0002264": PredicateMapping("biolink:acts_upstream_of_or_within"),
    "RO:0002418": PredicateMapping("biolink:affects"),
    "RO:0002566": PredicateMapping("biolink:affects"),
    "RO:0003307": PredicateMapping("biolink:ameliorates_condition"),
    "RO:0003304": PredicateMapping("biolink:contributes_to"),
    "msc:increases": _UP,
    "msc:decreases": _DOWN,
    "msc:increasesExpressionOf": PredicateMapping("biolink:affects", _CAUSES, "abundance", "increased"),
    "msc:decreasesExpressionOf": PredicateMapping("biolink:affects", _CAUSES, "abundance", "decreased"),
    "msc:increasesActivityOf": PredicateMapping("biolink:affects", _CAUSES, "activity", "increased"),
    "msc:decreasesActivityOf": PredicateMapping("biolink:affects", _CAUSES, "activity", "decreased"),
    "msc:hasNoSignificantEffectOn": PredicateMapping("biolink:affects", negated=True),
    "msc:differentiatesInto": PredicateMapping("biolink:develops_from", reversed=True),
    "msc:secretes": PredicateMapping("biolink:produces"),
    "msc:hasCargo": PredicateMapping("biolink:has_part"),
    "msc:treatmentOptionFor": PredicateMapping("biolink:treats_or_applied_or_studied_to_treat"),
    "RO:0004029": PredicateMapping("biolink:has_phenotype"),
    "RO:0002202": PredicateMapping("biolink:develops_from"),
    "RO:0002510": PredicateMapping("biolink:transcribed_from"),
    "RO:0003001": PredicateMapping("biolink:produced_by"),
    "RO:0002206": PredicateMapping("biolink:expressed_in"),
    "BFO:0000066": PredicateMapping("biolink:occurs_in"),
    "RO:0000057": PredicateMapping("biolink:has_participant"),
    "RO:0000052": _RELATED,
    "msc:concerns": _RELATED,
    "msc:evaluatesIntervention": _RELATED,
    "msc:studiesCondition": _RELATED,
}
#: Assertion modality → Biolink ``knowledge_level``: hedged claims are the authors' predictions, a knowledge-gap
#: statement asserts nothing about its topic.
KNOWLEDGE_LEVELS = {
    "Demonstrated": "knowledge_assertion",
    "NoSignificantDifference": "knowledge_assertion",
    "Suggested": "prediction",
    "KnowledgeGapStatement": "not_provided",
}
NODE_COLUMNS = ("id", "category", "name", "description", "synonym", "xref", "iri", "provided_by")
EDGE_COLUMNS = (
    "id", "subject", "predicate", "object", "qualified_predicate", "object_aspect_qualifier",
    "object_direction_qualifier", "negated", "species_context_qualifier", "anatomical_context_qualifier",
    "has_evidence", "publications", "supporting_text", "knowledge_level", "agent_type", "primary_knowledge_source",
    "original_subject", "original_predicate", "original_object",
)  # fmt: skip
_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)


def our_curie(iri: URIRef) -> str:
    """Return the CURIE of any IRI of the graph: the canonical external CURIE, else one of our prefixes.

    :param iri: an IRI.
    :returns: e.g. ``CL:0002540``, ``msce:bm-msc``, ``msc:increases``.

    >>> our_curie(URIRef("http://purl.obolibrary.org/obo/RO_0002213"))
    'RO:0002213'
    """
    return curie_of(str(iri)) or shorten(str(iri)).strip("<>")


class _Graph:
    """What the KGX rows need from the loaded project: classes, labels, definitions, synonyms, mappings."""

    def __init__(self, loaded: Loaded) -> None:
        self.labels = Labels(loaded)
        self.types: dict[URIRef, set[URIRef]] = {}
        self.parents: dict[URIRef, set[URIRef]] = {}
        self.definitions: dict[URIRef, str] = {}
        self.synonyms: dict[URIRef, set[str]] = {}
        self.mappings: dict[URIRef, dict[URIRef, set[URIRef]]] = {}
        for g in loaded.curated_graphs():
            for s, p, o in g:
                if not isinstance(s, URIRef):
                    continue
                if p == RDF.type and isinstance(o, URIRef):
                    self.types.setdefault(s, set()).add(o)
                elif p == RDFS.subClassOf and isinstance(o, URIRef):
                    self.parents.setdefault(s, set()).add(o)
                elif p == SKOS.definition and isinstance(o, Literal) and o.language in ("en", None):
                    self.definitions[s] = str(o)
                elif p == SKOS.altLabel or (p == RDFS.label and isinstance(o, Literal) and o.language != "en"):
                    self.synonyms.setdefault(s, set()).add(str(o))
                elif p in _MAPPINGS and isinstance(o, URIRef):
                    self.mappings.setdefault(s, {}).setdefault(URIRef(str(p)), set()).add(o)

    def categories(self, node: URIRef) -> list[str]:
        found = {c for t in self.types.get(node, set()) if (c := self._category(t))}
        return sorted(found) or [FALLBACK_CATEGORY]

    def _category(self, cls: URIRef, seen: frozenset[URIRef] = frozenset()) -> str | None:
        if (key := our_curie(cls)) in CATEGORIES:
            return CATEGORIES[key]
        for parent in sorted(self.parents.get(cls, set()) - seen):
            if found := self._category(parent, seen | {cls}):
                return found
        return None

    def exact(self, node: URIRef) -> URIRef | None:
        matches = sorted(self.mappings.get(node, {}).get(SKOS.exactMatch, set()))
        return matches[0] if len(matches) == 1 and curie_of(str(matches[0])) else None


def _ids(graph: _Graph, nodes: Iterable[URIRef]) -> dict[URIRef, str]:
    """Give each node the external CURIE of its exactMatch, unless two nodes would share it."""
    chosen = {n: curie_of(str(e)) if (e := graph.exact(n)) else None for n in nodes}
    counts: dict[str, int] = {}
    for curie in chosen.values():
        if curie:
            counts[curie] = counts.get(curie, 0) + 1
    return {n: c if c and counts[c] == 1 else our_curie(n) for n, c in chosen.items()}


def _clean(text: str) -> str:
    """Make a value safe for KGX TSV (no quoting): no tabs or line breaks, no list delimiter."""
    return " ".join(text.split()).replace("|", "/")


def _join(values: Iterable[str]) -> str:
    return "|".join(_clean(v) for v in values if v)


def kgx_tables(loaded: Loaded) -> tuple[str, str]:
    """Render the assertions as KGX TSV.

    :param loaded: the project's Dataset.
    :returns: ``(nodes_tsv, edges_tsv)``: one node per subject or object of an assertion (plus the cell types
        used as context qualifiers), one edge per assertion triple; sorted, ``|`` between list values.
    :raises KeyError: if an assertion uses a predicate missing from :data:`PREDICATES`.
    """
    graph = _Graph(loaded)
    records = assertions(loaded)
    nodes = sorted({n for a in records for n in (a.subject, a.object, *a.cell_contexts)})
    ids = _ids(graph, nodes)
    node_rows = []
    for node in nodes:
        xrefs = {our_curie(o) for targets in graph.mappings.get(node, {}).values() for o in targets}
        xrefs |= {our_curie(node)}
        node_rows.append(
            [
                ids[node], _join(graph.categories(node)), _clean(graph.labels.get(node)),
                _clean(graph.definitions.get(node, "")), _join(sorted(graph.synonyms.get(node, set()))),
                _join(sorted(xrefs - {ids[node]})), str(node), INFORES,
            ]
        )  # fmt: skip
    edge_rows = [_edge(a, index, ids) for index, a in _numbered(records)]
    return _tsv(NODE_COLUMNS, sorted(node_rows)), _tsv(EDGE_COLUMNS, edge_rows)


def _numbered(records: list[Assertion]) -> list[tuple[int, Assertion]]:
    numbered: list[tuple[int, Assertion]] = []
    previous, index = "", 0
    for a in records:
        index = index + 1 if a.np_id == previous else 1
        previous = a.np_id
        numbered.append((index, a))
    return numbered


def _edge(a: Assertion, index: int, ids: dict[URIRef, str]) -> list[str]:
    ours = our_curie(a.predicate)
    mapping = PREDICATES[ours]
    subject, obj = (ids[a.object], ids[a.subject]) if mapping.reversed else (ids[a.subject], ids[a.object])
    modality = a.modality.removeprefix(str(MSC)) if a.modality else ""
    species = [curie_of(str(s)) or "" for s in a.species]
    publications = [f"doi:{doi}" for doi in dict.fromkeys([doi_of(a.reference), doi_of(REVIEW)]) if doi]
    return [
        f"{our_curie(a.assertion_graph)}#{index}", subject, mapping.predicate, obj, mapping.qualified_predicate,
        mapping.aspect, mapping.direction, "True" if mapping.negated else "",
        species[0] if len(species) == 1 else "", _join(ids[c] for c in a.cell_contexts),
        curie_of(str(a.evidence)) or "" if a.evidence else "", _join(publications), _clean(a.quote),
        KNOWLEDGE_LEVELS.get(modality, "not_provided"), "manual_agent", INFORES,
        our_curie(a.subject), ours, our_curie(a.object),
    ]  # fmt: skip


def _tsv(columns: tuple[str, ...], rows: list[list[str]]) -> str:
    return "".join("\t".join(row) + "\n" for row in [list(columns), *rows])
