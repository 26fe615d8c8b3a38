"""The build's identifier gate: a wrong external identifier is refused, named with the label its source gives."""

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.checks.terms import read_rules, term_problems
from server.cli import main
from server.config import ProjectPaths
from server.curation.load import Loaded, load_project
from server.links.imports import refresh
from server.release.layout import current_release
from tests.conftest import DATA

FIXTURES = DATA / "identifiers"


@pytest.fixture
def project(project_copy: ProjectPaths, reference: Path) -> ProjectPaths:
    """The project copy, checked against the real source tables."""
    return replace(project_copy, reference=reference)


def _with(paths: ProjectPaths, fixture: str) -> Loaded:
    shutil.copy(FIXTURES / fixture, paths.instances / "entities" / f"zz-{fixture}")
    return load_project(paths)


def test_the_project_passes_the_gate(loaded: Loaded, paths: ProjectPaths, reference: Path) -> None:
    assert term_problems(loaded, paths.term_kinds, reference) == []


def test_every_rule_names_a_known_use_and_source(paths: ProjectPaths) -> None:
    rules = read_rules(paths.term_kinds)
    assert len(rules) > 20
    assert all(r.why for rs in rules.values() for r in rs)


def test_a_bad_rules_table_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "term-kinds.tsv"
    bad.write_text("use\tsource\tcategories\twhy\nmsc:Cell\tcl\t*\tok\nmsc:Cell\tnowhere\t*\tbad source\n")
    with pytest.raises(ValueError, match=r"term-kinds.tsv:3: unknown use 'msc:Cell' or source 'nowhere'"):
        read_rules(bad)


def test_wrong_identifier_fails_the_build_naming_the_source_label(project: ProjectPaths) -> None:
    """CL:0000236 typed for a hepatocyte: the build says CL calls it 'B cell', and publishes nothing."""
    shutil.copy(FIXTURES / "wrong-identifier.ttl", project.instances / "entities" / "zz-wrong.ttl")
    result = CliRunner().invoke(
        main, ["build", "--root", str(project.root)], env={"MSCKG_REFERENCE": str(project.reference)}
    )
    assert result.exit_code == 1, result.output
    assert "CL:0000236 (cl says 'B cell'): used but in no import module" in result.output
    assert not current_release(project).exists()


def test_wrong_identifier_after_refresh_is_caught_by_its_names(project: ProjectPaths) -> None:
    """Refreshed into the import module, the same identifier fails on names: 'periportal hepatocyte' vs 'B cell'."""
    refresh(_with(project, "wrong-identifier.ttl"), project, project.reference)
    problems = term_problems(load_project(project), project.term_kinds, project.reference)
    assert problems == [
        "msce:fixture-hepatocyte 'periportal hepatocyte' skos:exactMatch CL:0000236 'B cell' [cl]: no name in "
        'common; if they mean the same thing say why in skos:editorialNote "exactMatch: …"@en, else use '
        "skos:closeMatch, broadMatch or narrowMatch"
    ]


def test_wrong_kind_is_caught(project: ProjectPaths) -> None:
    problems = term_problems(_with(project, "wrong-kind.ttl"), project.term_kinds, project.reference)
    assert problems == [
        "msce:fixture-dying-hepatocyte skos:broadMatch GO:0006915 'apoptotic process' [go (biological_process)]: "
        "wrong kind of term here; expected cl"
    ]


def test_unjustified_exact_matches_are_caught(project: ProjectPaths) -> None:
    problems = term_problems(_with(project, "unjustified-exact.ttl"), project.term_kinds, project.reference)
    assert len(problems) == 2, problems
    assert problems[0].startswith(
        "msce:fixture-nlrp3 'NLRP3' skos:exactMatch HGNC:16400 'NLRP3' [hgnc (gene with protein product)]: "
        "an HGNC gene is the human gene"
    )
    assert problems[1].startswith(
        "CL:0000182 'hepatocyte' [cl] is the skos:exactMatch of 2 nodes (msce:fixture-liver-cell, msce:hepatocyte)"
    )


def test_stale_import_module_is_caught_against_the_source(project: ProjectPaths) -> None:
    module = project.ontology / "imports" / "go_import.ttl"
    text = module.read_text(encoding="utf-8")
    module.write_text(text.replace('"biological_process"', '"molecular_function"', 1), encoding="utf-8")
    problems = term_problems(load_project(project), project.term_kinds, project.reference)
    assert len(problems) >= 1
    assert "import module gives category ('molecular_function',), go gives ('biological_process',)" in problems[0]


def test_without_source_tables_the_modules_still_gate_kinds(project_copy: ProjectPaths) -> None:
    problems = term_problems(_with(project_copy, "wrong-kind.ttl"), project_copy.term_kinds, None)
    assert len(problems) == 1 and "wrong kind of term here; expected cl" in problems[0]


def test_committed_modules_are_what_refresh_makes(project: ProjectPaths, paths: ProjectPaths) -> None:
    """Each module carries its source's version, labels, exact synonyms and categories, regenerated identically."""
    counts = refresh(load_project(project), project, project.reference)
    assert counts["hgnc"] == len((paths.ontology / "imports" / "hgnc_terms.tsv").read_text().splitlines()) - 1
    for committed in sorted((paths.ontology / "imports").iterdir()):
        assert (project.ontology / "imports" / committed.name).read_bytes() == committed.read_bytes(), committed.name
    cl = (paths.ontology / "imports" / "cl_import.ttl").read_text(encoding="utf-8")
    assert 'owl:versionInfo "github obophenotype/cell-ontology @ fd61b954f3eba08f5780f2c86eba72913d35b5d4' in cl
