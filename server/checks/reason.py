"""OWL reasoning with owlready2 + HermiT, in a fresh ``World`` per run, on the one loaded Dataset.

owlready2 reads N-Triples (not Turtle), so the data graphs are dumped once to a temporary N-Triples file.
HermiT says *that* the graph is inconsistent, not *why*; :func:`explain_clash` then names the individual
and the two disjoint classes it was forced into (asserted type, or the domain/range of a property it uses).
"""

import contextlib
import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from server.checks.profile import require_dl
from server.curation.load import Loaded
from server.errors import InconsistentOntology, ReasonerUnavailable
from server.files import write_atomically
from server.links.sssom import mappings
from server.namespaces import PREFIXES


@dataclass(frozen=True)
class ReasoningResult:
    """A consistent reasoning run: the inferred axioms as an rdflib graph and summary counts."""

    inferred: Graph
    classes: int
    individuals: int


def merged_graph(loaded: Loaded) -> Graph:
    """Return the union of every curated graph (ontology, imports, entities, nanopublications; no computed graph).

    :param loaded: the project's Dataset.
    :returns: one Graph for the reasoner.
    """
    merged = Graph()
    for g in loaded.curated_graphs():
        merged += g
    return merged


def reason(loaded: Loaded) -> ReasoningResult:
    """Check consistency with HermiT and return the inferred axioms.

    :param loaded: the project's Dataset.
    :returns: inferred class and type axioms and counts.
    :raises InconsistentOntology: if the graph is outside OWL 2 DL, inconsistent, or has an unsatisfiable
        class.
    :raises ReasonerUnavailable: if Java or HermiT cannot run.
    """
    return _hermit(merged_graph(loaded), "the ontology and data")


def mapping_merge(loaded: Loaded) -> Graph:
    """Return the merged graph with every SSSOM exactMatch promoted to an OWL equivalence.

    What an integrator does who trusts our mapping set: ``subject owl:equivalentClass object`` for each
    ``skos:exactMatch`` row (an entity, an individual here, is punned into a class for it, as SSSOM's OWL export
    does), and an entity becomes an instance of the class it exactly matches. A mapping that joins two classes
    the ontology keeps apart (a cell and a process, a disease and a quality) then makes a class unsatisfiable or
    the data inconsistent.

    :param loaded: the project's Dataset.
    :returns: a new Graph.
    """
    merged = merged_graph(loaded)
    declared = set(merged.subjects(RDF.type, OWL.Class))
    for m in mappings(loaded):
        if m.predicate != SKOS.exactMatch:
            continue
        if m.subject not in declared:
            merged.add((m.subject, RDF.type, OWL.Class))
            merged.add((m.subject, RDF.type, m.object))
        merged.add((m.object, RDF.type, OWL.Class))
        merged.add((m.subject, OWL.equivalentClass, m.object))
    return merged


def reason_with_mappings(loaded: Loaded) -> ReasoningResult:
    """Run HermiT on :func:`mapping_merge`: the mapping set must be safe to merge.

    :param loaded: the project's Dataset.
    :returns: the reasoning result of the merge (its inferences are not published).
    :raises InconsistentOntology: if the merge is outside OWL 2 DL, inconsistent or has an unsatisfiable class.
    :raises ReasonerUnavailable: if Java or HermiT cannot run.
    """
    return _hermit(mapping_merge(loaded), "the merge with every SSSOM exactMatch as an equivalence")


def _hermit(merged: Graph, what: str) -> ReasoningResult:
    if shutil.which("java") is None:
        raise ReasonerUnavailable("HermiT needs Java: no 'java' on PATH")
    require_dl(merged)
    # owlready2 prints a warning for every punned entity typed by itself (the mapping merge makes many) while it
    # loads entities, lazily: its stderr is muted for the whole run; errors reach us as exceptions.
    with tempfile.TemporaryDirectory(prefix="msckg-reason-") as tmp, contextlib.redirect_stderr(io.StringIO()):
        source = Path(tmp) / "merged.nt"
        merged.serialize(source, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology(source.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            clashes = explain_clash(merged)
            detail = "; ".join(clashes) if clashes else "HermiT gave no further detail"
            raise InconsistentOntology(f"{what} are inconsistent: {detail}", clashes) from exc
        except (owlready2.OwlReadyJavaError, OSError) as exc:
            raise ReasonerUnavailable(f"HermiT failed to run: {str(exc).strip()[:500]}") from exc
        unsat = sorted(c.iri for c in world.inconsistent_classes() if c is not owlready2.Nothing)
        if unsat:
            raise InconsistentOntology(f"{what}: unsatisfiable classes: {', '.join(unsat)}", unsat)
        inferred = _inferred_graph(world, merged)
        classes = len(list(onto.classes()))
        individuals = sum(1 for s in set(merged.subjects(RDF.type, None)) if isinstance(world[str(s)], owlready2.Thing))
        world.close()
    return ReasoningResult(inferred, classes, individuals)


def write_inferred(result: ReasoningResult, target: Path) -> None:
    """Write the inferred axioms as Turtle, whole or not at all.

    :param result: a reasoning run.
    :param target: the file (its folder is created).
    :raises OSError: if the file cannot be written.
    """
    write_atomically({target: result.inferred.serialize(format="turtle", encoding="utf-8")})


def _inferred_graph(world: owlready2.World, merged: Graph) -> Graph:
    """Collect what HermiT entails beyond the asserted graph: class assertions and object property assertions.

    Only two kinds of triple: an individual's entailed type (a named class the ontology or an import module
    declares, not owl:Thing) and an asserted relation restated with each declared super-property
    (``msc:increasesExpressionOf`` ⊑ ``RO:0002410``), so that a query for the broader relation finds the narrower
    assertions. Nothing else of owlready2's inference ontology (``rdf:Property`` typing, subclass axioms) is
    kept.
    """
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    classes = {c for c in merged.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    properties = {p for p in merged.subjects(RDF.type, OWL.ObjectProperty) if isinstance(p, URIRef)}
    for subject in {s for s in merged.subjects(RDF.type, None) if isinstance(s, URIRef)}:
        entity = world[str(subject)]
        if not isinstance(entity, owlready2.Thing):
            continue
        for cls in entity.INDIRECT_is_a:
            if isinstance(cls, owlready2.ThingClass) and URIRef(cls.iri) in classes:
                triple = (subject, RDF.type, URIRef(cls.iri))
                if triple not in merged:
                    graph.add(triple)
    for prop_iri in properties:
        prop = world[str(prop_iri)]
        if prop is None:
            continue
        broader = [URIRef(a.iri) for a in prop.ancestors() if a is not prop and URIRef(a.iri) in properties]
        for s, o in merged.subject_objects(prop_iri):
            for sup in broader:
                if (s, sup, o) not in merged:
                    graph.add((s, sup, o))
    return graph


def _superclasses(graph: Graph, cls: URIRef) -> set[URIRef]:
    seen: set[URIRef] = set()
    todo = [cls]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(o for o in graph.objects(current, RDFS.subClassOf) if isinstance(o, URIRef))
    return seen


def _named_classes(graph: Graph, node: object) -> list[URIRef]:
    if isinstance(node, URIRef):
        return [node]
    if isinstance(node, BNode):
        members = [m for lst in graph.objects(node, OWL.unionOf) for m in graph.items(lst)]
        if members:  # a union domain/range forces no single class; skip it
            return []
    return []


def _disjoint_pairs(graph: Graph) -> set[frozenset[URIRef]]:
    pairs: set[frozenset[URIRef]] = set()
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for lst in graph.objects(axiom, OWL.members):
            members = [m for m in graph.items(lst) if isinstance(m, URIRef)]
            pairs.update(frozenset((a, b)) for a in members for b in members if a != b)
    for a, b in graph.subject_objects(OWL.disjointWith):
        if isinstance(a, URIRef) and isinstance(b, URIRef):
            pairs.add(frozenset((a, b)))
    return pairs


def explain_clash(graph: Graph) -> list[str]:
    """Name individuals forced into two disjoint classes by their types and the properties they use.

    :param graph: the merged ontology and data.
    :returns: one sentence per clash, e.g. ``<cd47> is msc:MolecularEntity (rdf:type) and msc:Cell
        (domain of msc:differentiatesInto)``.
    """
    reasons: dict[URIRef, dict[URIRef, str]] = {}

    def note(ind: object, cls: URIRef, why: str) -> None:
        if isinstance(ind, URIRef):
            for sup in _superclasses(graph, cls):
                reasons.setdefault(ind, {}).setdefault(sup, why)

    for ind, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and not str(cls).startswith(str(OWL)):
            note(ind, cls, "rdf:type")
    for prop in graph.subjects(RDF.type, OWL.ObjectProperty):
        for dom in graph.objects(prop, RDFS.domain):
            for cls in _named_classes(graph, dom):
                for s in graph.subjects(prop, None):
                    note(s, cls, f"domain of <{prop}>")
        for rng in graph.objects(prop, RDFS.range):
            for cls in _named_classes(graph, rng):
                for o in graph.objects(None, prop):
                    note(o, cls, f"range of <{prop}>")
    clashes = []
    for pair in sorted(_disjoint_pairs(graph), key=lambda p: sorted(map(str, p))):
        a, b = sorted(pair, key=str)
        for ind, classes in sorted(reasons.items()):
            if a in classes and b in classes:
                clashes.append(f"<{ind}> is <{a}> ({classes[a]}) and <{b}> ({classes[b]}), which are disjoint")
    return clashes
