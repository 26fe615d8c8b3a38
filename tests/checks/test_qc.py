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
