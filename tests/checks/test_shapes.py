"""The SHACL gate: each invalid fixture is caught by its own shape, valid fixtures conform, shapes are sound.

Fixtures are loaded with the tiny ``tests/data/fixture-ontology.ttl`` (not the curated ontology) and the
project's real ``shapes/``; the last test validates the curated project itself.
"""

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from server.checks.shacl import ValidationReport, Violation, check_shapes, validate
from server.config import ProjectPaths
from server.curation.load import Loaded, load_files, parse_file
from server.curation.validation_view import build_view, ontology_graph
from server.errors import LoadError
from server.iris import chain, doi, entity, file_graph, nanopub
from server.namespaces import MSCSH
from tests.conftest import DATA, ROOT

INVALID = DATA / "invalid"
VALID = DATA / "valid"
FIXTURE_ONTOLOGY = DATA / "fixture-ontology.ttl"
SHAPE_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
SYNTAX_ERROR = INVALID / "syntax-error.trig"

S901 = nanopub("s9-01")
EXOSOME = entity("bm-msc-exosome")
MIRNA = entity("mir-182-5p")
ARM = entity("fixture-arm")
REFERENCE = doi("10.1002/hep.31831")

#: file stem -> (the shape that must report it, the focus node it must name).
EXPECTED: dict[str, tuple[URIRef, Node]] = {
    "bad-doi-syntax": (MSCSH.ReferenceShape, doi("1002/hep.31831")),
    "cell-where-molecule-belongs": (MSCSH["Policy-msc-hasCargo-object-values"], EXOSOME),
    "chain-steps-disconnected": (MSCSH.ChainConnectedShape, chain("fixture-chain")),
    "citation-status-mismatch": (MSCSH.CitedClaimSourceShape, S901.assertion),
    "context-from-title-uncited": (MSCSH.ContextFromTitleCitedShape, S901.assertion),
    "dangling-nanopub-graph": (MSCSH.GraphPointedToShape, nanopub("s9-02").assertion),
    "derivation-not-doi": (MSCSH.ProvDerivationDoiShape, S901.assertion),
    "doi-literal-mismatch": (MSCSH.ReferenceDoiMatchShape, REFERENCE),
    "dose-without-unit": (MSCSH.DoseUnitShape, ARM),
    "duplicate-reference-number": (MSCSH.ReferenceNumberOwnerShape, Literal(8)),
    "empty-assertion-graph": (MSCSH.NanopubAssertionShape, S901.head),
    "entity-not-msc-class": (MSCSH.EntityTypeShape, MIRNA),
    "evidence-not-eco": (MSCSH.ProvEvidenceTypeShape, S901.assertion),
    "experimental-without-species": (MSCSH.ExperimentalEvidenceShape, S901.assertion),
    "follow-up-without-unit": (MSCSH.FollowUpUnitShape, ARM),
    "graph-id-mismatch": (MSCSH.NanopubGraphIdsShape, S901.head),
    "head-two-assertions": (MSCSH.NanopubAssertionShape, S901.head),
    "hedged-without-cue": (MSCSH.HedgeCueRequiredShape, S901.assertion),
    "mapping-curie-literal": (MSCSH.EntityMappingShape, MIRNA),
    "mapping-not-canonical": (MSCSH.EntityMappingShape, EXOSOME),
    "missing-language-tag": (MSCSH.EntityLabelLanguageShape, EXOSOME),
    "missing-zh-label": (MSCSH.EntityChineseLabelShape, MIRNA),
    "no-definition": (MSCSH.EntityDefinitionShape, MIRNA),
    "no-provenance-derivation": (MSCSH.ProvDerivationShape, S901.assertion),
    "null-result-without-comparator": (MSCSH.NullResultComparatorValueShape, S901.assertion),
    "percent-range-reversed": (MSCSH.PercentRangeOrderShape, entity("fixture-arm-survival")),
    "percentage-over-100": (MSCSH.PercentValueShape, entity("fixture-arm-survival")),
    "provenance-describes-other-assertion": (MSCSH.NanopubProvenanceAboutShape, S901.head),
    "quote-without-language": (MSCSH.ProvQuoteShape, S901.assertion),
    "reference-not-in-list": (MSCSH.ProvDerivationListedShape, S901.assertion),
    "sample-size-zero": (MSCSH.SampleSizeValueShape, ARM),
    "species-not-stated-without-note": (MSCSH.SpeciesNotStatedNoteShape, S901.assertion),
    "translation-not-en": (MSCSH.ProvTranslationShape, S901.assertion),
    "two-en-labels": (MSCSH.EntityLabelPerLanguageShape, EXOSOME),
    "undeclared-entity-in-assertion": (MSCSH.AssertionNodeShape, S901.assertion),
    "unknown-property-in-assertion": (MSCSH.AssertionPredicateShape, S901.assertion),
    "wrong-datatype": (MSCSH.SampleSizeValueShape, ARM),
    "year-out-of-range": (MSCSH.ReferenceYearShape, REFERENCE),
}
INVALID_FILES = sorted(p for p in INVALID.glob("*.trig") if p != SYNTAX_ERROR)
VALID_FILES = sorted(VALID.glob("*.trig"))


def load_fixture(path: Path) -> Loaded:
    """Load one fixture with the project's shapes and the fixture ontology (as the ontology graph)."""
    loaded = load_files([path, *SHAPE_FILES], ProjectPaths(ROOT))
    ontology = file_graph("ontology")
    parse_file(loaded.dataset, FIXTURE_ONTOLOGY, ontology)
    loaded.sources[ontology] = FIXTURE_ONTOLOGY
    return loaded


def as_text(node: Node) -> str:
    """How a focus node or value appears in a :class:`Violation`."""
    return str(node) if isinstance(node, URIRef) else node.n3()


def find(report: ValidationReport, shape: URIRef, focus: Node) -> list[Violation]:
    return [v for v in report.results if v.shape == str(shape) and v.focus == as_text(focus)]


def test_every_invalid_fixture_has_an_expectation() -> None:
    assert {p.stem for p in INVALID_FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", INVALID_FILES, ids=[p.name for p in INVALID_FILES])
def test_invalid_fixture_is_caught_by_its_shape(path: Path) -> None:
    shape, focus = EXPECTED[path.stem]
    report = validate(load_fixture(path))
    assert not report.conforms, report.to_text()
    hits = find(report, shape, focus)
    assert hits, f"expected {shape} on {focus}:\n{report.to_text()}"
    assert all(v.severity == "Violation" and v.message for v in hits)
    assert {Path(v.file).name for v in hits if v.file} == {path.name}, "result not traced back to the file"


@pytest.mark.parametrize("path", VALID_FILES, ids=[p.name for p in VALID_FILES])
def test_valid_fixture_conforms(path: Path) -> None:
    report = validate(load_fixture(path))
    assert report.conforms, report.to_text()
    assert all(v.severity != "Violation" for v in report.results)


def test_warning_is_listed_without_failing() -> None:
    report = validate(load_fixture(VALID / "unmapped-entity-warning.trig"))
    assert report.conforms
    assert [(v.severity, v.shape, v.focus) for v in report.results] == [
        ("Warning", str(MSCSH.MappingOrNoteShape), str(MIRNA))
    ]


def test_shapes_pass_shacl_for_shacl() -> None:
    report = check_shapes(load_fixture(VALID / "minimal.trig").shapes_graph())
    assert report.conforms, report.to_text()


def test_shacl_for_shacl_rejects_a_malformed_shape() -> None:
    shapes = load_fixture(VALID / "minimal.trig").shapes_graph()
    shapes.add((MSCSH.EntityDefinitionShape, SH.minCount, Literal("one")))
    report = check_shapes(shapes)
    assert not report.conforms
    assert any(v.focus == str(MSCSH.EntityDefinitionShape) for v in report.results), report.to_text()


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(LoadError) as caught:
        load_files([SYNTAX_ERROR])
    assert caught.value.file == str(SYNTAX_ERROR)
    assert caught.value.line == 6
    assert str(caught.value).startswith(f"{SYNTAX_ERROR}:6: ")


def test_view_states_graph_membership() -> None:
    loaded = load_fixture(VALID / "minimal.trig")
    view = build_view(loaded)
    assertion = S901.assertion
    assert (assertion, RDF.type, MSCSH.AssertionGraph) in view
    assert (assertion, MSCSH.tripleCount, Literal(3)) in view  # the relation and the claim's two qualifiers
    assert (assertion, MSCSH.predicate, URIRef("https://w3id.org/msc-liver/ontology/hasCargo")) in view
    assert (assertion, MSCSH.predicate, URIRef("https://w3id.org/msc-liver/ontology/species")) in view
    assert (assertion, MSCSH.subject, assertion) not in view, "a qualifier of the claim is not a node of the claim"
    assert (assertion, RDF.type, URIRef("http://www.nanopub.org/nschema#Assertion")) in view
    assert (S901.provenance, MSCSH.subject, assertion) in view
    assert (S901.head, MSCSH.localId, Literal("s9-01")) in view
    assert (S901.head_graph, RDF.type, MSCSH.HeadGraph) in view
    cell_class = URIRef("https://w3id.org/msc-liver/ontology/MicroRNA")
    assert (cell_class, None, None) not in view, "the ontology goes to pySHACL as ont_graph, not into the view"
    assert (cell_class, None, None) in ontology_graph(loaded)


def test_empty_graph_held_in_memory_is_rejected() -> None:
    loaded = load_fixture(VALID / "minimal.trig")
    loaded.dataset.graph(S901.assertion).remove((None, None, None))
    assert (S901.assertion, MSCSH.tripleCount, Literal(0)) in build_view(loaded)
    report = validate(loaded)
    assert find(report, MSCSH.NanopubAssertionShape, S901.head), report.to_text()


def test_no_property_has_a_domain_or_range_so_merging_retypes_nothing(loaded: Loaded) -> None:
    """The relation policy is SHACL, not rdfs:domain/range: an integrator's reasoner cannot retype our nodes."""
    ontology = ontology_graph(loaded)
    assert not set(ontology.subject_objects(RDFS.domain)), "rdfs:domain in the ontology"
    assert not set(ontology.subject_objects(RDFS.range)), "rdfs:range in the ontology"
    fixture = load_fixture(INVALID / "cell-where-molecule-belongs.trig")
    assert find(validate(fixture), MSCSH["Policy-msc-hasCargo-object-values"], EXOSOME)


def test_report_renders_as_text_json_and_turtle() -> None:
    report = validate(load_fixture(INVALID / "duplicate-reference-number.trig"))
    text = report.to_text()
    assert text.startswith("Conforms: False (1 violation(s))")
    assert 'focus: "8"^^xsd:integer' in text and "file:  " in text and "path:  ^msc:referenceNumber" in text
    assert "\x1b" not in text
    payload = json.loads(report.to_json())
    assert payload["conforms"] is False
    assert payload["results"][0]["shape"] == str(MSCSH.ReferenceNumberOwnerShape)
    assert payload["results"][0]["graph"] == str(file_graph("references"))
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    assert (None, SH.conforms, Literal(False)) in graph
    assert (None, SH.focusNode, Literal(8)) in graph
    assert (None, SH.sourceShape, MSCSH.ReferenceNumberOwnerShape) in graph


def test_focus_nodes_print_as_curies() -> None:
    text = validate(load_fixture(INVALID / "missing-zh-label.trig")).to_text()
    assert "focus: msce:mir-182-5p" in text and "path:  rdfs:label" in text


def test_curated_project_conforms(loaded: Loaded) -> None:
    if not any(str(g).startswith(str(file_graph("entities"))) for g in loaded.sources):
        pytest.skip("instances/ holds no curated entities yet")
    report = validate(loaded)
    assert report.conforms, report.to_text()
