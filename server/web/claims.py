"""The claims a node takes part in, grouped the way a reader looks for them: by role, then by relation.

A claim is one triple of a nanopublication's assertion graph (triples about the assertion graph itself are its
qualifiers, not claims). A node is in it as the subject, as the object, or as context: named about the claim, in
its provenance graph or as a qualifier in its assertion graph (the species, the model, the cell type, the arm,
the cited paper). Each claim line carries what a biologist weighs it by, read from either graph: the evidence
type (ECO), the species, the modality, the review section; the claim's sign: the relation's own ``msc:sign``
where the ontology states one, else its place under RO's positive and negative regulation relations
(``rdfs:subPropertyOf*``); and, for a signed claim on an outcome with a polarity (``msc:polarity``), whether it is
an improvement or a worsening (*lowers* MELD score, where higher is worse, is an improvement).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from server.namespaces import MSC, OBO
from server.web.rdfview import CHUNK, Label, Term, iri_ref, labels, name_of, named, select, select_in_chunks, values

#: Provenance properties shown on every claim line, by the name the template uses.
FACETS = {"species": str(MSC.species), "evidence": str(MSC.evidenceType), "modality": str(MSC.modality),
          "comparator": str(MSC.comparator), "section": str(MSC.reviewSection)}  # fmt: skip
#: RO relations whose sub-properties raise (+) or lower (−) their object.
SIGNS = {str(OBO.RO_0002213): "+", str(OBO.RO_0002304): "+", str(OBO.RO_0002212): "−", str(OBO.RO_0002305): "−"}
#: How a sign stated on a relation (``msc:sign``) is shown; ``none`` shows no sign, ``0`` no effect.
_STATED = {"+": "+", "-": "−", "−": "−", "0": "0"}
#: An outcome's polarity (``msc:polarity``): +1 when a higher value is better, −1 when it is worse.
POLARITY = {str(MSC.HigherIsBetter): 1, str(MSC.HigherIsWorse): -1}
#: Most claims one page lists (the review's own page has 423 at this release; the rest is reachable by SPARQL).
CLAIM_ROWS = 1000
#: The order roles are shown in, with their headings.
ROLES = {"subject": "As subject", "object": "As object", "context": "As context"}


@dataclass
class Claim:
    """One assertion triple, with the names and provenance a reader needs to weigh it."""

    np: str
    subject: Label
    predicate: Label
    object: Label
    sign: str
    facets: dict[str, list[Label | str]] = field(default_factory=dict)
    #: for a signed claim on an outcome with a polarity: "improvement" or "worsening" (lowers MELD: improvement)
    effect: str = ""


@dataclass
class ClaimGroup:
    """The claims in which a node plays one role through one relation (or, as context, one provenance property)."""

    role: str
    relation: Label
    claims: list[Claim]


def signs(predicates: set[str]) -> dict[str, str]:
    """Read each relation's sign: its own ``msc:sign`` if the ontology states one, else its place under RO.

    :param predicates: relation IRIs.
    :returns: IRI → ``+`` or ``−`` for the relations that have one.
    """
    if not predicates:
        return {}
    pairs = " ".join(f'({iri_ref(k)} "{v}")' for k, v in SIGNS.items())
    rows = select_in_chunks(
        predicates,
        f"""
SELECT DISTINCT ?p ?sign ?stated WHERE {{
  VALUES ?p {{ {CHUNK} }}
  {{ ?p msc:sign ?sign BIND(true AS ?stated) }}
  UNION {{ VALUES (?up ?sign) {{ {pairs} }} ?p rdfs:subPropertyOf* ?up . BIND(false AS ?stated) }}
}}""",
    )
    stated: dict[str, set[str]] = defaultdict(set)
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        (stated if row["stated"].value == "true" else found)[row["p"].value].add(row["sign"].value)
    out = {p: s.pop() for p, s in found.items() if len(s) == 1}
    for p, s in stated.items():  # the ontology's own word wins; "none" (or two words) means no sign
        out.pop(p, None)
        sign = next(iter(s)) if len(s) == 1 else ""
        if sign in _STATED:
            out[p] = _STATED[sign]
    return out


def _facets(assertions: set[str]) -> dict[str, dict[str, list[str]]]:
    """Read the shown provenance properties of many assertion graphs at once."""
    if not assertions:
        return {}
    rows = select_in_chunks(
        assertions,
        f"""
SELECT DISTINCT ?a ?p ?o WHERE {{
  VALUES ?a {{ {CHUNK} }}
  VALUES ?p {{ {values(FACETS.values())} }}
  ?np np:hasAssertion ?a ; np:hasProvenance ?pg .
  {{ GRAPH ?pg {{ ?a ?p ?o }} }} UNION {{ GRAPH ?a {{ ?a ?p ?o }} }}
}}""",
    )
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    names = {v: k for k, v in FACETS.items()}
    for row in rows:
        out[row["a"].value][names[row["p"].value]].append(row["o"].value)
    return out


def claims_of(node: str, limit: int = CLAIM_ROWS) -> tuple[list[ClaimGroup], bool]:
    """Find every claim ``node`` takes part in, grouped by role and relation.

    :param node: the node's IRI.
    :param limit: most claims to list.
    :returns: groups in role order, then by relation label, claims by nanopublication; and whether the page's
        row limit cut the list (the page then says so and points to a query).
    """
    n = iri_ref(node)
    rows = select(
        f"""
SELECT DISTINCT ?np ?a ?s ?p ?o ?role ?via WHERE {{
  {{ GRAPH ?a {{ {n} ?p ?o }} BIND({n} AS ?s) BIND("subject" AS ?role) }}
  UNION {{ GRAPH ?a {{ ?s ?p {n} }} FILTER(?s != ?a) BIND({n} AS ?o) BIND("object" AS ?role) }}
  UNION {{
    ?npc np:hasAssertion ?a ; np:hasProvenance ?pg .
    {{ GRAPH ?pg {{ ?a ?via {n} }} }} UNION {{ GRAPH ?a {{ ?a ?via {n} }} }}
    GRAPH ?a {{ ?s ?p ?o FILTER(?s != {n} && ?o != {n}) }}
    FILTER(?s != ?a)
    BIND("context" AS ?role)
  }}
  ?np np:hasAssertion ?a .
}}""",
        limit=limit,
    )
    if not rows:
        return [], False
    built, names = _claims(rows, extra=lambda r: {r["via"].value} if "via" in r else set())
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for r, claim in zip(rows, built, strict=True):
        relation = r["via"].value if r["role"].value == "context" else r["p"].value
        groups[(r["role"].value, relation)].append(claim)
    order = list(ROLES)
    keyed = sorted(groups.items(), key=lambda kv: (order.index(kv[0][0]), named(kv[0][1], names).text.lower()))
    found = [
        ClaimGroup(role, named(relation, names), sorted(cs, key=lambda c: (c.np, c.subject.text, c.object.text)))
        for (role, relation), cs in keyed
    ]
    return found, rows.cut


def claims_in(nanopubs: list[str]) -> dict[str, list[Claim]]:
    """Read the claims of some nanopublications (the triples of their assertion graphs).

    :param nanopubs: nanopublication IRIs.
    :returns: nanopublication IRI → its claims, in subject, relation, object order.
    """
    if not nanopubs:
        return {}
    rows = select(f"""
SELECT DISTINCT ?np ?a ?s ?p ?o WHERE {{
  VALUES ?np {{ {values(nanopubs)} }}
  ?np np:hasAssertion ?a . GRAPH ?a {{ ?s ?p ?o }} FILTER(?s != ?a)
}}""")
    built, _ = _claims(rows, extra=lambda r: set())
    out: dict[str, list[Claim]] = {n: [] for n in nanopubs}
    for claim in built:
        out[claim.np].append(claim)
    for found in out.values():
        found.sort(key=lambda c: (c.subject.text.lower(), c.predicate.text.lower(), c.object.text.lower()))
    return out


def _claims(
    rows: list[dict[str, Term]], extra: Callable[[dict[str, Term]], set[str]]
) -> tuple[list[Claim], dict[str, Label]]:
    """Build one claim per row (``?np ?a ?s ?p ?o``), with labels, signs and provenance facets."""
    facets = _facets({r["a"].value for r in rows})
    sign = signs({r["p"].value for r in rows})
    iris = {r[k].value for r in rows for k in ("s", "p", "o") if r[k].is_iri}
    iris |= {i for r in rows for i in extra(r)}
    iris |= {v for f in facets.values() for k, vs in f.items() if k != "section" for v in vs}
    names = labels(iris)
    polarity = _polarities({r["o"].value for r in rows if r["o"].is_iri})
    out = []
    for r in rows:
        found = facets.get(r["a"].value, {})
        direction = {"+": 1, "−": -1}.get(sign.get(r["p"].value, ""), 0) * polarity.get(r["o"].value, 0)
        out.append(Claim(
            np=r["np"].value,
            subject=name_of(r["s"], names),
            predicate=named(r["p"].value, names),
            object=name_of(r["o"], names),
            sign=sign.get(r["p"].value, ""),
            facets={k: _facet(k, vs, names) for k, vs in found.items()},
            effect={1: "improvement", -1: "worsening"}.get(direction, ""),
        ))  # fmt: skip
    return out, names


def _polarities(nodes: set[str]) -> dict[str, int]:
    """Read the polarity of the outcomes among ``nodes`` (+1 higher is better, −1 higher is worse)."""
    rows = select_in_chunks(nodes, f"SELECT ?o ?polarity WHERE {{ VALUES ?o {{ {CHUNK} }} ?o msc:polarity ?polarity }}")
    return {r["o"].value: POLARITY[r["polarity"].value] for r in rows if r["polarity"].value in POLARITY}


def _facet(name: str, found: list[str], names: dict[str, Label]) -> list[Label | str]:
    """Keep a section as text; name every other facet (a node)."""
    return list(sorted(found)) if name == "section" else [names[v] for v in sorted(found)]
