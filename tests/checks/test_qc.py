"""QC gates: the project passes every gate, and each gate catches the defect it is named for."""

from pathlib import Path

import pytest
from rdflib import Dataset

from server.checks.qc import gate_files, run_gates
from server.curation.load import Loaded
from tests.conftest import ROOT

GATES = gate_files(ROOT / "queries")

#: A small graph per gate with exactly the defect the gate is named for.
DEFECTS = {
    "nolabels": "msce:x a msc:Cell .",
    "missing-zh-label": 'msce:x rdfs:label "x"@en .',
    "trailing-whitespace": 'msce:x rdfs:label "x "@en .',
    "id-format": "msce:Bad_Slug a msc:Cell .",
    "mapping-not-canonical-iri": "msce:x skos:exactMatch <http://purl.obolibrary.org/obo/CL_2540> .",
    "local-path-in-literal": 'msce:x skos:editorialNote "no term in ../shared/reference/cl.tsv"@en .',
    "markup-in-text": 'msce:x rdfs:label "Ly6C<sup>hi</sup> macrophage"@en .',
}
PREFIXES = """
@prefix msc: <https://w3id.org/msc-liver/ontology/> . @prefix msce: <https://w3id.org/msc-liver/entity/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix np: <http://www.nanopub.org/nschema#> .
"""


def test_gate_names() -> None:
    names = {g.name.removesuffix("-violation.rq") for g in GATES}
    assert names >= set(DEFECTS) | {"assertion-without-provenance"}


def test_project_passes_every_gate(loaded: Loaded) -> None:
    failures = run_gates(loaded, GATES)
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize("gate", sorted(DEFECTS))
def test_gate_catches_its_defect(gate: str) -> None:
    ds = Dataset(default_union=True)
    ds.graph("https://w3id.org/msc-liver/graph/fixture").parse(data=PREFIXES + DEFECTS[gate], format="turtle")
    failures = run_gates(Loaded(ds), [ROOT / "queries" / "qc" / f"{gate}-violation.rq"])
    assert [f.gate for f in failures] == [gate]


def test_assertion_without_provenance_gate(tmp_path: Path) -> None:
    ds = Dataset(default_union=True)
    ds.graph("https://w3id.org/msc-liver/np/s9-01/head").parse(
        data=PREFIXES + "<https://w3id.org/msc-liver/np/s9-01> a np:Nanopublication ; "
        "np:hasAssertion <https://w3id.org/msc-liver/np/s9-01/assertion> ; "
        "np:hasProvenance <https://w3id.org/msc-liver/np/s9-01/provenance> .",
        format="turtle",
    )
    failures = run_gates(Loaded(ds), [ROOT / "queries" / "qc" / "assertion-without-provenance-violation.rq"])
    assert sorted(f.row["missing"] for f in failures) == [
        "'msc:evidenceType'",
        "'msc:quote'",
        "'prov:wasDerivedFrom'",
    ]


@pytest.mark.parametrize(
    ("note", "flagged"),
    [
        ("as verified in ../shared/reference/clinical_trials.tsv", True),
        ("see shared/reference/README.md", True),
        ("copied from /home/curator/notes", True),
        ("read from C:\\data\\cl.owl", True),
        ("no term in CL (cl.tsv)", True),
        ("no term in CL (2026-08-19 release)", False),
        ("ref 7's title (doi:10.1126/scitranslmed.abp8309) disagrees", False),
        ("HGNC 2024-07-23; the 1:1 allocation of 20 patients", False),
    ],
)
def test_local_path_gate(note: str, flagged: bool) -> None:
    ds = Dataset(default_union=True)
    literal = note.replace("\\", "\\\\")
    ds.graph("https://w3id.org/msc-liver/graph/fixture").parse(
        data=PREFIXES + f'msce:x skos:editorialNote "{literal}"@en .', format="turtle"
    )
    failures = run_gates(Loaded(ds), [ROOT / "queries" / "qc" / "local-path-in-literal-violation.rq"])
    assert bool(failures) is flagged, note


#: TriG around one nanopublication (s9-01: its assertion and provenance graphs) and entity files, for the curation
#: gates that read which graph a triple is in.
_TRIG = """
@prefix msc: <https://w3id.org/msc-liver/ontology/> . @prefix msce: <https://w3id.org/msc-liver/entity/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix np: <http://www.nanopub.org/nschema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix obo: <http://purl.obolibrary.org/obo/> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://w3id.org/msc-liver/np/s9-01/head> {{ <https://w3id.org/msc-liver/np/s9-01> a np:Nanopublication ;
    np:hasAssertion <https://w3id.org/msc-liver/np/s9-01/assertion> ;
    np:hasProvenance <https://w3id.org/msc-liver/np/s9-01/provenance> . }}
<https://w3id.org/msc-liver/np/s9-01/assertion> {{ {assertion} }}
<https://w3id.org/msc-liver/np/s9-01/provenance> {{ <https://w3id.org/msc-liver/np/s9-01/assertion>
    prov:wasDerivedFrom <https://doi.org/10.1002/hep.30700> . }}
<https://w3id.org/msc-liver/graph/entities/fixture> {{ {entities} }}
"""
_CLAIM = "<https://w3id.org/msc-liver/np/s9-01/assertion>"


def _curation_gate(gate: str, assertion: str, entities: str) -> list[str]:
    ds = Dataset(default_union=True)
    ds.parse(data=_TRIG.format(assertion=assertion, entities=entities), format="trig")
    return [f"{f.gate}: {', '.join(f'{k}={v}' for k, v in f.row.items())}"
            for f in run_gates(Loaded(ds), [ROOT / "queries" / "qc" / f"{gate}-violation.rq"])]  # fmt: skip


@pytest.mark.parametrize(
    ("entities", "unused"),
    [
        # named by the claim, or within links of what it names (a pathway's participant): used
        ('msce:cd47 rdfs:label "CD47"@en . msce:yap1 rdfs:label "YAP1"@en . msce:hippo obo:RO_0000057 msce:yap1 .', []),
        # named by nothing: reported; once retired, not
        ('msce:cd47 rdfs:label "CD47"@en . msce:ptgs2 rdfs:label "PTGS2"@en .', ["msce:ptgs2"]),
        ('msce:cd47 rdfs:label "CD47"@en . msce:ptgs2 rdfs:label "obsolete PTGS2"@en ; owl:deprecated true .', []),
    ],
)
def test_entity_without_use_gate(entities: str, unused: list[str]) -> None:
    found = _curation_gate("entity-without-use", "msce:cd47 obo:RO_0004034 msce:hippo .", entities)
    assert found == [f"entity-without-use: entity={e}" for e in unused]


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("<https://doi.org/10.1002/hep.30700>", False),  # the model of the claim's reference
        ("<https://doi.org/10.3389/fphar.2023.1168545>", True),  # ref 20's model used for ref 10 (s2-1-15…18)
        ("<https://doi.org/10.1002/hep.30700>, <https://doi.org/10.3389/fphar.2023.1168545>", True),  # two studies
    ],
)
def test_model_of_another_reference_gate(source: str, flagged: bool) -> None:
    found = _curation_gate(
        "model-of-another-reference",
        f"msce:bm-msc obo:RO_0004034 msce:hippo . {_CLAIM} msc:experimentalModel msce:liver-injury-mouse-model .",
        f"msce:liver-injury-mouse-model dcterms:source {source} .",
    )
    assert bool(found) is flagged, found


@pytest.mark.parametrize(
    ("species", "flagged"),
    [
        ("obo:NCBITaxon_10090", False),  # the mouse gene in a mouse claim
        ("obo:NCBITaxon_9606", True),  # the mouse gene in a human claim
        ("obo:NCBITaxon_10090, obo:NCBITaxon_9606", True),
        (None, True),  # no species stated: the node is species-neutral
    ],
)
def test_gene_of_another_species_gate(species: str | None, flagged: bool) -> None:
    qualifier = f"{_CLAIM} msc:species {species} ." if species else ""
    found = _curation_gate(
        "gene-of-another-species",
        f"msce:bm-msc msc:increasesExpressionOf msce:cd47 . {qualifier}",
        "msce:cd47 skos:exactMatch <https://identifiers.org/MGI:96617> .",
    )
    assert bool(found) is flagged, found
