"""HermiT on the merged graph: the project is consistent; broken fixtures fail with the culprit named."""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib.namespace import RDF

from server.checks.reason import reason
from server.cli import main
from server.curation.load import load_files
from server.errors import InconsistentOntology
from server.namespaces import MSC, MSCE, OBO
from tests.conftest import DATA, ROOT


def test_project_is_consistent_and_entailments_are_written(loaded) -> None:  # type: ignore[no-untyped-def]
    result = reason(loaded)
    assert result.classes > 100
    assert result.individuals > 200
    # entailed super-types of an individual …
    assert (MSCE["bm-msc"], RDF.type, MSC["Cell"]) in result.inferred
    assert (MSCE["bm-msc"], RDF.type, MSC["BoneMarrowMSC"]) not in result.inferred  # asserted, not repeated
    # … and super-properties of an asserted relation (msc:increasesExpressionOf ⊑ RO:0002213)
    assert (MSCE["bm-msc"], OBO["RO_0002213"], MSCE["cd47"]) in result.inferred


def test_unsatisfiable_class_is_named() -> None:
    with pytest.raises(InconsistentOntology) as info:
        reason(load_files([DATA / "reason" / "unsatisfiable.ttl"]))
    assert info.value.classes == ["https://w3id.org/msc-liver/ontology/CellThatIsAMolecule"]


def test_category_error_names_individual_and_classes() -> None:
    files = [ROOT / "ontology" / "msc-liver.ttl", DATA / "reason" / "category-error.trig"]
    with pytest.raises(InconsistentOntology) as info:
        reason(load_files(files))
    message = str(info.value)
    assert "entity/cd47" in message
    assert "ontology/Cell>" in message and "ontology/MolecularEntity>" in message
    assert "domain of <https://w3id.org/msc-liver/ontology/differentiatesInto>" in message


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
    with pytest.raises(InconsistentOntology, match="not in the OWL 2 DL profile: Cannot pun between properties: .*ontology/p"):
        reason(load_files([bad]))
