"""Every ontology term and every entity has one label per language, a definition and a type."""

from collections import Counter

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from server.curation.load import Loaded
from server.namespaces import MSC, MSCE, OBO

DEFINITION = OBO["IAO_0000115"]
_DECLARATIONS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}


def _union(loaded: Loaded):  # type: ignore[no-untyped-def]
    return loaded.dataset


def _terms(loaded: Loaded) -> list[URIRef]:
    ds = _union(loaded)
    return sorted(
        {s for t in _DECLARATIONS for s in ds.subjects(RDF.type, t) if isinstance(s, URIRef) and s.startswith(MSC)}
    )


def _entities(loaded: Loaded) -> list[URIRef]:
    ds = _union(loaded)
    return sorted({s for s in ds.subjects(RDFS.label, None) if isinstance(s, URIRef) and s.startswith(MSCE)})


def _label_languages(loaded: Loaded, node: URIRef) -> Counter[str]:
    return Counter(o.language or "" for o in _union(loaded).objects(node, RDFS.label) if isinstance(o, Literal))


def test_ontology_has_the_issue_categories(loaded: Loaded) -> None:
    terms = set(_terms(loaded))
    for local in [
        "BoneMarrowMSC",
        "HepaticStellateCell",
        "Ly6CHighMacrophage",
        "MicroRNA",
        "CircularRNA",
        "InflammasomeComplex",
        "Pyroptosis",
        "MacrophagePolarization",
        "MELDScore",
        "CollagenPositiveArea",
        "HBVRelatedACLF",
        "RandomizedControlledTrial",
        "differentiatesInto",
        "hasCargo",
        "secretes",
    ]:
        assert MSC[local] in terms, local


def test_every_term_has_one_label_per_language_and_a_definition(loaded: Loaded) -> None:
    problems = []
    for term in _terms(loaded):
        langs = _label_languages(loaded, term)
        if langs["en"] != 1 or langs["zh"] != 1:
            problems.append(f"{term}: labels {dict(langs)}")
        defs = [d for d in _union(loaded).objects(term, DEFINITION) if isinstance(d, Literal) and d.language == "en"]
        if len(defs) != 1:
            problems.append(f"{term}: {len(defs)} English definitions")
    assert not problems, "\n".join(problems)


def test_every_entity_has_labels_definition_and_type(loaded: Loaded) -> None:
    ds = _union(loaded)
    entities = _entities(loaded)
    assert len(entities) > 100
    problems = []
    for node in entities:
        langs = _label_languages(loaded, node)
        if langs["en"] != 1 or langs["zh"] != 1:
            problems.append(f"{node}: labels {dict(langs)}")
        if not any(isinstance(d, Literal) and d.language == "en" for d in ds.objects(node, SKOS.definition)):
            problems.append(f"{node}: no English skos:definition")
        if not any((t, RDF.type, OWL.Class) in ds and (t, OWL.deprecated, Literal(True)) not in ds
                   for t in ds.objects(node, RDF.type)):  # fmt: skip
            problems.append(f"{node}: not typed by a current class of the ontology or an import module")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("local", ["bm-msc", "hepatic-stellate-cell", "liver-failure"])
def test_chinese_labels_are_chinese(loaded: Loaded, local: str) -> None:
    zh = [o for o in _union(loaded).objects(MSCE[local], RDFS.label) if isinstance(o, Literal) and o.language == "zh"]
    assert zh and all(any("\u4e00" <= ch <= "\u9fff" for ch in str(z)) for z in zh)
