"""HermiT on the merged graph: the project is consistent; broken fixtures fail with the culprit named."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib.namespace import OWL, RDF

from server.checks.reason import reason
from server.cli import main
from server.curation.load import load_files
from server.errors import InconsistentOntology
from server.namespaces import MSCE, OBO
from tests.conftest import DATA, ROOT


def test_project_is_consistent_and_entailments_are_written(loaded) -> None:  # type: ignore[no-untyped-def]
    result = reason(loaded)
    assert result.classes > 100
    assert result.individuals > 200
    # entailed super-types of an individual (CL:0002540 ⊑ CL:0000000 ⊑ BFO material entity) …
    assert (MSCE["bm-msc"], RDF.type, OBO["CL_0000000"]) in result.inferred
    assert (MSCE["bm-msc"], RDF.type, OBO["BFO_0000040"]) in result.inferred
    assert (MSCE["bm-msc"], RDF.type, OBO["CL_0002540"]) not in result.inferred  # asserted, not repeated
    # … and super-properties of an asserted relation (msc:increasesExpressionOf ⊑ RO:0002410)
    assert (MSCE["bm-msc"], OBO["RO_0002410"], MSCE["cd47"]) in result.inferred
    # only class and object property assertions: no rdf:Property, no subclass axioms
    properties = set(loaded.dataset.subjects(RDF.type, OWL.ObjectProperty))
    assert {p for p in result.inferred.predicates()} - properties == {RDF.type}


def test_unsatisfiable_class_is_named() -> None:
    with pytest.raises(InconsistentOntology) as info:
        reason(load_files([DATA / "reason" / "unsatisfiable.ttl"]))
    assert info.value.classes == ["https://w3id.org/msc-liver/ontology/CellThatIsAMolecule"]


def test_category_error_names_individual_and_classes() -> None:
    files = [ROOT / "ontology" / "msc-liver.ttl", *sorted((ROOT / "ontology" / "imports").glob("*.ttl"))]
    with pytest.raises(InconsistentOntology) as info:
        reason(load_files([*files, DATA / "reason" / "category-error.trig"]))
    message = str(info.value)
    assert "entity/cd47" in message
    # the molecule is a continuant, the GO process an occurrent: BFO's disjointness, through the upper alignment
    assert "obo/BFO_0000002> (rdf:type)" in message and "obo/BFO_0000003> (rdf:type)" in message


def test_cli_reason_exit_codes(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "ontology").mkdir()
    shutil.copy(DATA / "reason" / "unsatisfiable.ttl", tmp_path / "ontology" / "msc-liver.ttl")
    result = runner.invoke(main, ["reason", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "unsatisfiable classes: https://w3id.org/msc-liver/ontology/CellThatIsAMolecule" in result.output
    assert "Traceback" not in result.output


def test_cli_reason_writes_inferred_graph(tmp_path: Path, runner: CliRunner) -> None:
    out = tmp_path / "inferred.ttl"
    result = runner.invoke(main, ["reason", "--root", str(ROOT), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("consistent:")
    assert out.stat().st_size > 0


def test_outside_owl2_dl_is_refused_before_hermit(tmp_path: Path) -> None:
    bad = tmp_path / "punned.ttl"
    bad.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://w3id.org/msc-liver/ontology/p> a owl:ObjectProperty, owl:DatatypeProperty .\n",
        encoding="utf-8",
    )
    punned = "not in the OWL 2 DL profile: Cannot pun between properties: .*ontology/p"
    with pytest.raises(InconsistentOntology, match=punned):
        reason(load_files([bad]))
