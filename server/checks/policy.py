"""The relation policy: which predicate may join which categories, with which sign, read from the ontology.

Each relation the graph uses carries, in ``ontology/msc-liver.ttl``, the annotations ``msc:relationKind``
("causal", "non-causal", "qualifier"), ``msc:sign`` ("+", "-", "0", "none") and the classes allowed as its
subject and object (``msc:subjectCategory``, ``msc:objectCategory``). The release carries them, so a path engine
composes signs and a page shows them without a second table; this module turns them into SHACL shapes, so the
policy that is published is the one that is enforced (docs/data-model.md, relation policy).
"""

from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from server.curation.load import Loaded
from server.curation.validation_view import ontology_graph
from server.namespaces import MSC, MSCSH, shorten

#: Signs a relation may carry.
SIGNS = ("+", "-", "0", "none")
#: Kinds of relation.
KINDS = ("causal", "non-causal", "qualifier")


@dataclass(frozen=True)
class Rule:
    """The policy of one predicate."""

    predicate: URIRef
    kind: str
    sign: str
    subjects: tuple[URIRef, ...]
    objects: tuple[URIRef, ...]


def read_policy(ontology: Graph) -> dict[URIRef, Rule]:
    """Read the policy annotations of every relation.

    :param ontology: the ontology and its import modules.
    :returns: rules by predicate, for every subject that has an ``msc:relationKind``.
    :raises ValueError: naming a relation whose kind or sign is not one of the allowed values.
    """
    rules: dict[URIRef, Rule] = {}
    for predicate, kind in ontology.subject_objects(MSC.relationKind):
        if not isinstance(predicate, URIRef):
            continue
        sign = str(ontology.value(predicate, MSC.sign, default=Literal("none")))
        if str(kind) not in KINDS or sign not in SIGNS:
            raise ValueError(f"{shorten(str(predicate))}: relation kind {kind!r} / sign {sign!r} not allowed")
        rules[predicate] = Rule(
            predicate=predicate,
            kind=str(kind),
            sign=sign,
            subjects=_classes(ontology, predicate, MSC.subjectCategory),
            objects=_classes(ontology, predicate, MSC.objectCategory),
        )
    return rules


def _classes(ontology: Graph, predicate: URIRef, annotation: URIRef) -> tuple[URIRef, ...]:
    return tuple(sorted(c for c in ontology.objects(predicate, annotation) if isinstance(c, URIRef)))


def _label(ontology: Graph, iri: URIRef) -> str:
    english = [str(x) for x in ontology.objects(iri, RDFS.label) if isinstance(x, Literal) and x.language == "en"]
    plain = [str(x) for x in ontology.objects(iri, RDFS.label) if isinstance(x, Literal) and x.language is None]
    name = (english or plain or [""])[0]
    return f"{shorten(str(iri))} ({name})" if name else shorten(str(iri))


def _constrain(shapes: Graph, ontology: Graph, shape: URIRef, role: str, classes: tuple[URIRef, ...]) -> None:
    """Say that the shape's values are members of one of the classes, with a message naming them."""
    allowed = ", ".join(_label(ontology, c) for c in classes)
    message = f"Relation policy: {role} must be one of {allowed} (docs/data-model.md)."
    shapes.add((shape, SH.severity, SH.Violation))
    shapes.add((shape, SH.message, Literal(message, lang="en")))
    _any_class(shapes, shape, classes)


def _any_class(shapes: Graph, shape: URIRef | BNode, classes: tuple[URIRef, ...]) -> None:
    if len(classes) == 1:
        shapes.add((shape, SH["class"], classes[0]))
        return
    alternatives: list[Node] = []
    for cls in classes:
        alt = BNode()
        shapes.add((alt, SH["class"], cls))
        alternatives.append(alt)
    head = BNode()
    Collection(shapes, head, alternatives)
    shapes.add((shape, SH["or"], head))


def policy_shapes(ontology: Graph) -> Graph:
    """Turn the policy into SHACL: per predicate, a subject shape and an object shape; plus the list of predicates.

    :param ontology: the ontology and its import modules.
    :returns: a shapes graph (``mscsh:Policy…`` shapes).
    """
    shapes = Graph()
    shapes.bind("sh", SH)
    rules = read_policy(ontology)
    for rule in sorted(rules.values(), key=lambda r: str(r.predicate)):
        name = shorten(str(rule.predicate)).replace(":", "-").replace("<", "").replace(">", "")
        what = _label(ontology, rule.predicate)
        if rule.subjects:
            node = MSCSH[f"Policy-{name}-subject"]
            shapes.add((node, RDF.type, SH.NodeShape))
            shapes.add((node, SH.targetSubjectsOf, rule.predicate))
            _constrain(shapes, ontology, node, f"the subject of {what}", rule.subjects)
        if rule.objects:
            node, prop = MSCSH[f"Policy-{name}-object"], MSCSH[f"Policy-{name}-object-values"]
            shapes.add((node, RDF.type, SH.NodeShape))
            shapes.add((node, SH.targetSubjectsOf, rule.predicate))
            shapes.add((node, SH.property, prop))
            shapes.add((prop, RDF.type, SH.PropertyShape))
            shapes.add((prop, SH.path, rule.predicate))
            _constrain(shapes, ontology, prop, f"the object of {what}", rule.objects)
    covered = BNode()
    Collection(shapes, covered, [RDF.type, *sorted(rules)])  # rdf:type: a claim typed as a review statement
    listed = MSCSH.AssertionPredicateShape
    shapes.add((listed, RDF.type, SH.PropertyShape))
    shapes.add((listed, SH.path, MSCSH.predicate))
    shapes.add((listed, SH["in"], covered))
    shapes.add((listed, SH.severity, SH.Violation))
    shapes.add(
        (
            listed,
            SH.message,
            Literal(
                "The assertion graph uses a predicate the relation policy does not cover (ontology/msc-liver.ttl: "
                "msc:relationKind, msc:sign, msc:subjectCategory, msc:objectCategory; docs/data-model.md): use one of "
                "the policy's relations, or add one to the ontology with its policy first.",
                lang="en",
            ),
        )
    )
    shapes.add((MSCSH.AssertionGraphShape, SH.property, listed))
    for deprecated in ontology.subjects(OWL.deprecated, Literal(True)):
        if isinstance(deprecated, URIRef) and (deprecated, RDF.type, OWL.ObjectProperty) in ontology:
            node = MSCSH[f"Deprecated-{shorten(str(deprecated)).replace(':', '-')}"]
            shapes.add((node, RDF.type, SH.PropertyShape))
            shapes.add((node, SH.targetSubjectsOf, deprecated))
            shapes.add((node, SH.path, deprecated))
            shapes.add((node, SH.maxCount, Literal(0)))
            shapes.add((node, SH.severity, SH.Violation))
            shapes.add(
                (
                    node,
                    SH.message,
                    Literal(
                        f"{_label(ontology, deprecated)} is obsolete: use the relation its comment names.", lang="en"
                    ),
                )
            )
    return shapes


def project_shapes(loaded: Loaded) -> Graph:
    """Return the shapes of ``shapes/`` together with the shapes generated from the relation policy.

    :param loaded: the project (or a fixture with the project's ontology).
    :returns: one shapes graph, what validation uses and the release publishes.
    """
    shapes = loaded.shapes_graph()
    shapes += policy_shapes(ontology_graph(loaded))
    return shapes
