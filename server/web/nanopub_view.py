"""What a nanopublication page and a chain page show: all four graphs in words, and a chain's steps in order.

A nanopublication page reads the head graph for the other three graph names, then each graph: the claim (the
assertion triples, named, and what the assertion graph says about itself: its qualifiers), the provenance (the
quote and its translation first, then the reference with its title and DOI, then every other property under its
label: evidence, species, model, context, notes), and the publication info (curator, date, licence, chain and
step). A chain page lists its nanopublications by step.
"""

from dataclasses import dataclass, field

from rdflib.namespace import PROV

from server.namespaces import MSC
from server.web.claims import Claim, claims_in
from server.web.entity_view import Card, Fact, card
from server.web.rdfview import Label, Term, iri_ref, labels, name_of, named, select

_QUOTE, _TRANSLATION = str(MSC.quote), str(MSC.quoteTranslation)
_SOURCE = str(PROV.wasDerivedFrom)
_CHAIN, _STEP = str(MSC.partOfChain), str(MSC.chainStep)


@dataclass
class GraphPart:
    """One named graph of a nanopublication: its IRI and its triples as (subject, fact) pairs."""

    iri: str
    rows: list[tuple[Label, Fact]] = field(default_factory=list)


@dataclass
class Nanopub:
    """Everything a nanopublication page shows."""

    iri: str
    head: GraphPart
    claims: list[Claim]
    assertion: str
    qualifiers: list[Fact]  # what the assertion graph says about itself (species, model, cell type …)
    quotes: list[Term]
    translations: list[Term]
    references: list[tuple[str, Card | None]]  # (cited IRI, its description when the graph has one)
    provenance: GraphPart
    pubinfo: GraphPart
    chain: Label | None = None
    step: str = ""
    neighbours: list[tuple[str, str]] = field(default_factory=list)  # (step, nanopublication IRI)


def graph_part(graph: str) -> GraphPart:
    """Read one named graph, every node and predicate named.

    :param graph: the graph IRI.
    :returns: its triples, sorted.
    """
    rows = select(f"SELECT DISTINCT ?s ?p ?o WHERE {{ GRAPH {iri_ref(graph)} {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o")
    iris = {r[k].value for r in rows for k in ("s", "p", "o") if r[k].is_iri}
    names = labels(iris)
    part = GraphPart(graph)
    for r in rows:
        o = r["o"]
        fact = Fact(named(r["p"].value, names), o, names[o.value] if o.is_iri else None)
        part.rows.append((name_of(r["s"], names), fact))
    return part


def nanopub(iri: str) -> Nanopub | None:
    """Read a nanopublication's four graphs.

    :param iri: the nanopublication IRI (its head node).
    :returns: the page's content, or ``None`` when no head graph names it.
    """
    heads = select(f"""
SELECT ?h ?a ?pg ?pi WHERE {{
  GRAPH ?h {{ {iri_ref(iri)} np:hasAssertion ?a ; np:hasProvenance ?pg ; np:hasPublicationInfo ?pi }}
}} LIMIT 1""")
    if not heads:
        return None
    head = heads[0]
    provenance, pubinfo = graph_part(head["pg"].value), graph_part(head["pi"].value)
    kept = [(s, f) for s, f in provenance.rows if f.predicate.iri not in (_QUOTE, _TRANSLATION)]
    quotes = [f.value for _, f in provenance.rows if f.predicate.iri == _QUOTE]
    translations = [f.value for _, f in provenance.rows if f.predicate.iri == _TRANSLATION]
    sources = sorted({f.value.value for _, f in provenance.rows if f.predicate.iri == _SOURCE})
    provenance.rows = kept
    found = Nanopub(
        iri=iri,
        head=graph_part(head["h"].value),
        claims=claims_in([iri]).get(iri, []),
        assertion=head["a"].value,
        qualifiers=[f for s, f in graph_part(head["a"].value).rows if s.iri == head["a"].value],
        quotes=quotes,
        translations=translations,
        references=[(s, card(s)) for s in sources],
        provenance=provenance,
        pubinfo=pubinfo,
    )
    for _, fact in pubinfo.rows:
        if fact.predicate.iri == _CHAIN and fact.name is not None:
            found.chain = fact.name
        elif fact.predicate.iri == _STEP:
            found.step = fact.value.value
    if found.chain is not None:
        found.neighbours = [(s, n) for s, n in chain_steps(found.chain.iri)]
    return found


def chain_steps(chain: str) -> list[tuple[str, str]]:
    """List the nanopublications of a mechanism chain by step.

    :param chain: the chain IRI.
    :returns: (step, nanopublication IRI) pairs in step order.
    """
    rows = select(f"""
SELECT DISTINCT ?np ?step WHERE {{
  GRAPH ?pi {{ ?np msc:partOfChain {iri_ref(chain)} OPTIONAL {{ ?np msc:chainStep ?step }} }}
}}""")
    steps = [(r["step"].value if "step" in r else "", r["np"].value) for r in rows]
    return sorted(steps, key=lambda s: (int(s[0]) if s[0].isdigit() else 1_000_000, s[1]))


@dataclass
class ChainStep:
    """One step of a chain: its number, nanopublication and claims."""

    step: str
    np: str
    claims: list[Claim]


def chain(iri: str) -> list[ChainStep]:
    """Read a mechanism chain's steps, each with its claims.

    :param iri: the chain IRI.
    :returns: the steps in order (empty for a node that is no chain).
    """
    steps = chain_steps(iri)
    found = claims_in([n for _, n in steps])
    return [ChainStep(step, np, found.get(np, [])) for step, np in steps]
