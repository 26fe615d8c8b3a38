"""The causal graph of a release, read through any :class:`~server.engine.QueryEngine`: claims, signed edges, names.

Mechanism paths (:mod:`server.engine.paths`) walk this graph. It is read with five SELECT queries, so it comes
the same way from the embedded store, the worker pool (their limits, time-outs and admission control) and a
remote store (``msckg serve --store``):

* every **causal edge**: a triple of an assertion graph whose predicate the relation policy calls causal, with the
  predicate's sign (``+``, ``-``, ``0``, ``none``);
* every **claim** with such an edge: its context (species, model, cell type, intervention form, comparator: in the
  assertion graph, about the claim), its evidence (reference, ECO evidence type, modality, curator note: in the
  provenance graph) and its mechanism chain and step (publication info);
* the **kinds of the models** claims name (animal, in vitro, clinical study), which set a claim's evidence level;
* the **parts** of every node on an edge (``obo:BFO_0000051``, has part: the NLRP3 receptor of the NLRP3
  inflammasome), so that a name of a part leads to the nodes that hold it;
* the **names** of every node on an edge or part of one (labels and synonyms in English and Chinese, external
  mappings, an outcome's polarity), of the causal predicates, and of the claims' species and models.

The claims and names queries ask for every claim's and every node's values by their keys (``VALUES``, which a
store answers from its predicate index) and are filtered here: joined to the edges inside the query they took
minutes on a graph a hundred times this one.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from server.engine import QueryEngine, QuerySpec
from server.errors import QueryError

_JSON = "application/sparql-results+json"
#: The queries are ours and small; their answers may be long (a large graph has many edges).
_ROW_LIMIT = 5_000_000
_BYTE_LIMIT = 2**30

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX np: <http://www.nanopub.org/nschema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX msc: <https://w3id.org/msc-liver/ontology/>
PREFIX obo: <http://purl.obolibrary.org/obo/>
"""

EDGES_QUERY = (
    PREFIXES
    + """SELECT ?np ?s ?p ?o ?sign WHERE {
  ?p msc:relationKind "causal" ; msc:sign ?sign .
  ?np np:hasAssertion ?a .
  GRAPH ?a { ?s ?p ?o }
}"""
)

CLAIMS_QUERY = (
    PREFIXES
    + """SELECT ?np ?k ?v WHERE {
  { VALUES ?k { msc:species msc:experimentalModel msc:contextCellType msc:interventionForm msc:comparator }
    ?np np:hasAssertion ?a . GRAPH ?a { ?a ?k ?v } }
  UNION
  { VALUES ?k { prov:wasDerivedFrom msc:evidenceType msc:modality msc:reviewSection msc:curatorNote }
    ?np np:hasAssertion ?a ; np:hasProvenance ?pr . GRAPH ?pr { ?a ?k ?v } }
  UNION
  { VALUES ?k { msc:partOfChain msc:chainStep } ?np np:hasPublicationInfo ?i . GRAPH ?i { ?np ?k ?v } }
}"""
)

MODEL_KINDS_QUERY = (
    PREFIXES
    + """SELECT DISTINCT ?m ?kind WHERE {
  VALUES ?kind { msc:AnimalModel msc:InVitroModel msc:ClinicalStudy }
  GRAPH ?a { ?a msc:experimentalModel ?m }
  ?m rdf:type/rdfs:subClassOf* ?kind .
}"""
)

#: Every has-part link (filtered here to wholes on an edge).
PARTS_QUERY = PREFIXES + "SELECT ?whole ?part WHERE { ?whole obo:BFO_0000051 ?part }"

#: The names of every node with one (those on an edge, the causal predicates and the chains are kept).
NAMES_QUERY = (
    PREFIXES
    + """SELECT ?n ?k ?v WHERE {
  VALUES ?k { rdfs:label skos:altLabel skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch msc:polarity }
  ?n ?k ?v .
}"""
)

#: SKOS mapping properties, strongest first: a name matched by an earlier one wins.
MAPPINGS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_MSC = "https://w3id.org/msc-liver/ontology/"


@dataclass(frozen=True)
class Claim:
    """One nanopublication with causal edges: its context and its evidence."""

    nanopub: str
    species: frozenset[str] = frozenset()
    models: frozenset[str] = frozenset()
    cell_types: frozenset[str] = frozenset()
    intervention_forms: frozenset[str] = frozenset()
    comparators: frozenset[str] = frozenset()
    references: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    modality: str | None = None
    section: str | None = None
    curator_note: str | None = None
    chain: str | None = None
    chain_step: int | None = None
    #: Kinds of its models (``msc:AnimalModel``, ``msc:InVitroModel``, ``msc:ClinicalStudy`` IRIs).
    model_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)
class Edge:
    """One causal triple of one claim: a step a path can take (each made once per graph: compared by identity)."""

    subject: str
    predicate: str
    object: str
    sign: str
    claim: Claim


@dataclass
class Names:
    """What a node (or predicate, or chain) is called: labels per language, synonyms, mappings, polarity."""

    labels: dict[str, str] = field(default_factory=dict)
    synonyms: list[str] = field(default_factory=list)
    mappings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    polarity: str | None = None

    def label(self, lang: str = "en") -> str | None:
        """Return the label in ``lang``, else in English, else any.

        :param lang: a language tag.
        :returns: the label, or ``None`` when the node has none.
        """
        return self.labels.get(lang) or self.labels.get("en") or next(iter(self.labels.values()), None)


@dataclass
class CausalGraph:
    """The signed causal edges of a release, indexed both ways, with their claims and the names of their nodes."""

    edges: list[Edge]
    names: dict[str, Names]
    out: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    into: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    claims: dict[str, Claim] = field(default_factory=dict)
    #: Lookup tables of :mod:`server.engine.names` (folded label → nodes …), made on first use.
    name_index: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: The edges of each subject–object pair (where claims may disagree).
    pairs: dict[tuple[str, str], list[Edge]] = field(default_factory=lambda: defaultdict(list))
    #: The IRIs of every node on an edge.
    nodes: set[str] = field(default_factory=set)
    #: The edges of each claim (nanopublication IRI) and of each mechanism chain (chain IRI).
    by_claim: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    by_chain: dict[str, list[Edge]] = field(default_factory=lambda: defaultdict(list))
    #: The nodes on an edge that hold each part (part IRI → wholes), for names of parts.
    wholes: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for edge in self.edges:
            self.out[edge.subject].append(edge)
            self.into[edge.object].append(edge)
            self.pairs[(edge.subject, edge.object)].append(edge)
            self.claims[edge.claim.nanopub] = edge.claim
            self.by_claim[edge.claim.nanopub].append(edge)
            if edge.claim.chain is not None:
                self.by_chain[edge.claim.chain].append(edge)
        self.nodes = set(self.out) | set(self.into)

    def on_pairs(self, edges: list[Edge]) -> list[Edge]:
        """Return every edge on the subject–object pairs of ``edges`` (theirs and other claims' on the same pairs).

        :param edges: some edges (a path's steps, a chain's).
        :returns: the edges of the graph on those pairs.
        """
        found = dict.fromkeys(e for edge in edges for e in self.pairs.get((edge.subject, edge.object), ()))
        return list(found)

    def label(self, iri: str, lang: str = "en") -> str:
        """Return a node's label in ``lang`` (else English), or its IRI's last segment when it has none.

        :param iri: a node, predicate or chain IRI.
        :param lang: a language tag.
        :returns: the label.
        """
        names = self.names.get(iri)
        found = names.label(lang) if names else None
        return found or iri.rstrip("/").rsplit("/", 1)[-1]

    def chain_edges(self, chain: str) -> list[Edge]:
        """Return the edges of one mechanism chain, in step order.

        :param chain: the chain's IRI.
        :returns: its edges.
        """
        edges = self.by_chain.get(chain, [])
        return sorted(edges, key=lambda e: (e.claim.chain_step or 0, e.claim.nanopub, e.subject, e.object))


def select(engine: QueryEngine, query: str) -> list[dict[str, dict[str, str]]]:
    """Run one of our SELECT queries through ``engine`` and return its JSON bindings.

    :param engine: any query engine (its time-out and admission control apply).
    :param query: the query.
    :returns: the bindings (variable → JSON term).
    :raises QueryError: when the answer was cut (the graph is too large for one answer).
    """
    result = engine.query(QuerySpec(query, accept=_JSON, row_limit=_ROW_LIMIT, byte_limit=_BYTE_LIMIT,
                                    max_length=len(query) + 1))  # fmt: skip
    if result.truncated:
        raise QueryError("the causal graph is too large to read in one answer")
    rows: list[dict[str, dict[str, str]]] = json.loads(result.body)["results"]["bindings"]
    return rows


def _claims(rows: list[dict[str, dict[str, str]]], kinds: dict[str, set[str]]) -> dict[str, Claim]:
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        values[row["np"]["value"]][row["k"]["value"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]].append(row["v"]["value"])
    claims = {}
    for nanopub, v in values.items():
        step = v.get("chainStep")
        models = frozenset(v.get("experimentalModel", ()))
        claims[nanopub] = Claim(
            nanopub=nanopub,
            species=frozenset(v.get("species", ())),
            models=models,
            cell_types=frozenset(v.get("contextCellType", ())),
            intervention_forms=frozenset(v.get("interventionForm", ())),
            comparators=frozenset(v.get("comparator", ())),
            references=tuple(sorted(set(v.get("wasDerivedFrom", ())))),
            evidence=tuple(sorted(set(v.get("evidenceType", ())))),
            modality=min(v["modality"]) if v.get("modality") else None,
            section=min(v["reviewSection"]) if v.get("reviewSection") else None,
            curator_note=" ".join(sorted(v["curatorNote"])) if v.get("curatorNote") else None,
            chain=min(v["partOfChain"]) if v.get("partOfChain") else None,
            chain_step=int(min(step)) if step else None,
            model_kinds=frozenset(k for m in models for k in kinds.get(m, ())),
        )
    return claims


def _names(rows: list[dict[str, dict[str, str]]]) -> dict[str, Names]:
    names: dict[str, Names] = defaultdict(Names)
    for row in rows:
        node, key, value = row["n"]["value"], row["k"]["value"], row["v"]
        entry = names[node]
        if key == _RDFS_LABEL:
            lang = value.get("xml:lang", "")
            entry.labels.setdefault(lang, value["value"])
        elif key == _SKOS + "altLabel":
            entry.synonyms.append(value["value"])
        elif key.startswith(_SKOS):
            entry.mappings[key[len(_SKOS) :]].append(value["value"])
        elif key == _MSC + "polarity":
            entry.polarity = value["value"]
    return dict(names)


def load_causal_graph(engine: QueryEngine) -> CausalGraph:
    """Read the causal graph of the store behind ``engine``.

    :param engine: the query engine (embedded, pool or remote).
    :returns: the graph.
    :raises QueryError: when a query fails or its answer is too large.
    """
    kinds: dict[str, set[str]] = defaultdict(set)
    for row in select(engine, MODEL_KINDS_QUERY):
        kinds[row["m"]["value"]].add(row["kind"]["value"])
    rows = select(engine, EDGES_QUERY)
    causal = {row["np"]["value"] for row in rows}
    claims = _claims([r for r in select(engine, CLAIMS_QUERY) if r["np"]["value"] in causal], kinds)
    edges = []
    for row in rows:
        nanopub = row["np"]["value"]
        claim = claims.get(nanopub) or Claim(nanopub)
        edges.append(Edge(row["s"]["value"], row["p"]["value"], row["o"]["value"], row["sign"]["value"], claim))
    edges.sort(key=lambda e: (e.claim.nanopub, e.subject, e.predicate, e.object))
    nodes = {e.subject for e in edges} | {e.object for e in edges}
    wholes: dict[str, list[str]] = defaultdict(list)
    for row in select(engine, PARTS_QUERY):
        whole, part = row["whole"]["value"], row["part"]["value"]
        if whole in nodes and part not in nodes:
            wholes[part].append(whole)
    named = nodes | {e.predicate for e in edges} | {c.chain for c in claims.values() if c.chain} | set(wholes)
    named |= {x for c in claims.values() for x in c.species | c.models}
    names = _names([r for r in select(engine, NAMES_QUERY) if r["n"]["value"] in named])
    return CausalGraph(edges, names, wholes={part: sorted(set(found)) for part, found in wholes.items()})
