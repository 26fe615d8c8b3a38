"""What an entity page shows, read from the graph with SPARQL: the header card, links in, class members, study arms.

Nothing here knows which classes exist: the card sorts a node's own triples by what the predicate is for (names,
definitions, types, mappings, everything else under the predicate's label), a class page is any node with
members or subclasses, a trial page any node with arms (``msc:armOf``). When the model gains a property, the
page shows it under its label without a change here.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from server.namespaces import COMPUTED_GRAPHS, MSC, MSCNP, OBO, OBOINOWL
from server.web.rdfview import Label, Term, iri_ref, labels, named, select, values

_NAMES = {str(RDFS.label), str(DCTERMS.title), str(FOAF.name)}
_SYNONYMS = {str(SKOS.altLabel), str(OBOINOWL.hasExactSynonym), str(OBOINOWL.hasRelatedSynonym)}
_DEFINITIONS = {str(SKOS.definition), str(OBO.IAO_0000115), str(DCTERMS.description), str(RDFS.comment)}
_TYPES = {str(RDF.type)}
_MAPPINGS = {str(SKOS[m]) for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")}


@dataclass
class Fact:
    """One property of a node: the predicate's name and the value (with its name when it is a node)."""

    predicate: Label
    value: Term
    name: Label | None = None


@dataclass
class Card:
    """The head of a page: names, definition, types, mappings and the node's other properties."""

    iri: str
    names: list[Term] = field(default_factory=list)
    synonyms: list[Term] = field(default_factory=list)
    definitions: list[Term] = field(default_factory=list)
    types: list[Label] = field(default_factory=list)
    mappings: list[Fact] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    @property
    def other_names(self) -> list[Term]:
        """Labels in languages other than English and Chinese (shown with their language)."""
        return [t for t in self.names if t.lang not in ("en", "zh", "")]

    @property
    def title(self) -> str:
        """The English name (the first one), for the page title."""
        english = [t.value for t in self.names if t.lang in ("en", "")]
        return english[0] if english else (self.names[0].value if self.names else self.iri)

    def name(self, lang: str) -> str:
        """Return the name in one language.

        :param lang: ``en`` or ``zh``.
        :returns: the first label in that language, or ``""``.
        """
        found = [t.value for t in self.names if t.lang == lang or (lang == "en" and t.lang == "")]
        return found[0] if found else ""


def not_computed(graph: str) -> str:
    """Write a filter that keeps a graph variable off the graphs the build computes.

    Routes, net effects and entailed super-types are not what the curators said about a node: each computed
    graph has its own page.

    :param graph: the variable, e.g. ``?g``.
    :returns: the filter expression.
    """
    return f"{graph} NOT IN ({', '.join(f'<{g}>' for g in sorted(COMPUTED_GRAPHS))})"


def outside_nanopubs(graph: str) -> str:
    """Write a filter that keeps a graph variable off the claims' graphs and the computed graphs.

    Claims are shown as claims; computed routes, net effects and entailed types are not facts about a node.

    :param graph: the variable, e.g. ``?g``.
    :returns: the filter expression.
    """
    return f'!STRSTARTS(STR({graph}), "{MSCNP}") && {not_computed(graph)}'


def card(node: str) -> Card | None:
    """Read the header card of a node from its own triples.

    :param node: the node's IRI.
    :returns: the card, or ``None`` when the graph says nothing about the node.
    """
    rows = select(f"""
SELECT DISTINCT ?p ?o WHERE {{ GRAPH ?g {{ {iri_ref(node)} ?p ?o }} FILTER({outside_nanopubs("?g")}) }}
ORDER BY ?p ?o""")
    if not rows:
        return None
    names = labels({r["p"].value for r in rows} | {r["o"].value for r in rows if r["o"].is_iri})
    out = Card(node)
    for row in rows:
        p, o = row["p"].value, row["o"]
        if p in _NAMES and not o.is_iri:
            out.names.append(o)
        elif p in _SYNONYMS and not o.is_iri:
            out.synonyms.append(o)
        elif p in _DEFINITIONS and not o.is_iri:
            out.definitions.append(o)
        elif p in _TYPES and o.is_iri and o.value != str(OWL.NamedIndividual):
            out.types.append(names[o.value])
        elif p in _MAPPINGS and o.is_iri:
            out.mappings.append(Fact(named(p, names), o, names[o.value]))
        else:
            out.facts.append(Fact(named(p, names), o, names.get(o.value) if o.is_iri else None))
    out.names.sort(key=lambda t: (t.lang != "en", t.lang))
    out.definitions.sort(key=lambda t: (t.lang != "en", t.lang))
    out.facts.sort(key=lambda f: f.predicate.text.lower())
    return out


def incoming(node: str, everywhere: bool = False) -> list[tuple[Label, list[Label]]]:
    """Find the nodes that point at ``node`` outside the nanopublications (e.g. processes that occur in a cell).

    Types and subclasses are left to :func:`members`; claims to :mod:`server.web.claims`.

    :param node: the node's IRI.
    :param everywhere: look in the nanopublications' graphs too (for a node no claim is about, such as the
        curators, who are named in the publication info).
    :returns: (predicate name, the pointing nodes) per predicate.
    """
    graphs = "true" if everywhere else outside_nanopubs("?g")
    rows = select(f"""
SELECT DISTINCT ?s ?p WHERE {{
  GRAPH ?g {{ ?s ?p {iri_ref(node)} }}
  FILTER({graphs} && isIRI(?s) && ?p NOT IN (rdf:type, rdfs:subClassOf))
}}""")
    names = labels({r["s"].value for r in rows} | {r["p"].value for r in rows})
    grouped: dict[str, list[Label]] = defaultdict(list)
    for row in rows:
        grouped[row["p"].value].append(names[row["s"].value])
    return sorted(((named(p, names), sorted(ss, key=lambda s: s.text.lower())) for p, ss in grouped.items()),
                  key=lambda g: g[0].text.lower())  # fmt: skip


@dataclass
class Members:
    """What a class page lists: its direct subclasses and its members (with the class each is typed by)."""

    subclasses: list[Label]
    members: list[tuple[Label, Label]]


def members(node: str) -> Members:
    """List the subclasses and the members (direct or through a subclass) of a class.

    :param node: the class IRI.
    :returns: subclasses and members, by name.
    """
    n = iri_ref(node)
    subs = select(f"SELECT DISTINCT ?c WHERE {{ ?c rdfs:subClassOf {n} FILTER(isIRI(?c)) }}")
    # asserted types only: each member once, under the class the curators gave it
    rows = select(f"SELECT DISTINCT ?m ?c WHERE {{ ?c rdfs:subClassOf* {n} . "
                  f"GRAPH ?g {{ ?m rdf:type ?c }} FILTER(isIRI(?m) && {not_computed('?g')}) }}")  # fmt: skip
    names = labels({r["c"].value for r in subs + rows} | {r["m"].value for r in rows})
    return Members(
        sorted((names[r["c"].value] for r in subs), key=lambda x: x.text.lower()),
        sorted(((names[r["m"].value], names[r["c"].value]) for r in rows), key=lambda x: x[0].text.lower()),
    )


@dataclass
class Arm:
    """A study arm with its properties and its measurements (the measured outcome, the values)."""

    label: Label
    facts: list[Fact]
    measurements: list[tuple[Label, Label | None, list[Fact]]]


_ARM_SKIP = _NAMES | _DEFINITIONS | _TYPES | {str(SKOS.editorialNote), str(MSC.armOf), str(MSC.hasMeasurement)}


def arms(node: str) -> list[Arm]:
    """Read the arms of a study (``?arm msc:armOf node``) with their numbers and measurements.

    :param node: the study's IRI.
    :returns: the arms by name; empty for anything that has none.
    """
    n = iri_ref(node)
    rows = select(f"""
SELECT DISTINCT ?arm ?p ?o WHERE {{ ?arm msc:armOf {n} ; ?p ?o FILTER(?p NOT IN ({values(_ARM_SKIP, ", ")})) }}""")
    if not rows:
        return []
    found = {r["arm"].value for r in rows}
    measured = select(f"""
SELECT DISTINCT ?arm ?m ?what ?p ?o WHERE {{
  VALUES ?arm {{ {values(found)} }}
  ?arm msc:hasMeasurement ?m . OPTIONAL {{ ?m msc:measures ?what }}
  ?m ?p ?o FILTER(isLiteral(?o) && ?p NOT IN ({values(_ARM_SKIP | _SYNONYMS, ", ")}))
}}""")
    iris = found | {r[k].value for r in rows + measured for k in ("p", "o", "m", "what") if k in r and r[k].is_iri}
    names = labels(iris)
    facts: dict[str, list[Fact]] = defaultdict(list)
    for r in rows:
        o = r["o"]
        facts[r["arm"].value].append(Fact(named(r["p"].value, names), o, names.get(o.value) if o.is_iri else None))
    by_m: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    what: dict[str, str] = {}
    for r in measured:
        by_m[(r["arm"].value, r["m"].value)].append(Fact(named(r["p"].value, names), r["o"]))
        if "what" in r:
            what[r["m"].value] = r["what"].value
    out = []
    for arm in sorted(found, key=lambda a: names[a].text.lower()):
        ms = [(names[m], names[what[m]] if m in what else None, fs) for (a, m), fs in sorted(by_m.items()) if a == arm]
        out.append(Arm(names[arm], sorted(facts[arm], key=lambda f: f.predicate.text.lower()), ms))
    return out
