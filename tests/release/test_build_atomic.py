"""A build publishes atomically: a failing validation, load or reasoning keeps the last good release."""

from pathlib import Path

from click.testing import CliRunner
from rdflib import Dataset, URIRef
from rdflib.namespace import OWL

from server.cli import main
from server.config import ProjectPaths
from server.namespaces import ONTOLOGY_IRI
from server.release.layout import DATASET_FILE, INFO_FILE, ONTOLOGY_FILE, current_release

#: A SHACL / QC failure: an entity with an English label only.
ENGLISH_LABEL_ONLY = (
    "@prefix msce: <https://w3id.org/msc-liver/entity/> .\n"
    "@prefix msc: <https://w3id.org/msc-liver/ontology/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    'msce:orphan a msc:Cell ; rdfs:label "orphan"@en .\n'
)


def _build(runner: CliRunner, paths: ProjectPaths, version: str) -> tuple[int, str]:
    result = runner.invoke(main, ["build", "--root", str(paths.root), "--version", version])
    return result.exit_code, result.output


def _snapshot(release: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(release.rglob("*")) if p.is_file()}


def test_build_publishes_versioned_release(project_copy: ProjectPaths, runner: CliRunner) -> None:
    code, out = _build(runner, project_copy, "2026-01-02")
    assert code == 0, out
    release = current_release(project_copy)
    assert release.is_symlink()
    assert {p.name for p in release.iterdir()} >= {DATASET_FILE, ONTOLOGY_FILE, INFO_FILE}
    ds = Dataset(default_union=True)
    ds.parse(release / DATASET_FILE, format="trig")
    version_iri = URIRef("https://w3id.org/msc-liver/releases/2026-01-02/msc-liver.owl")
    assert (URIRef(ONTOLOGY_IRI), OWL.versionIRI, version_iri) in ds
    assert not list((project_copy.build / "releases").glob(".*.tmp"))


def test_failed_builds_leave_last_good_release(project_copy: ProjectPaths, runner: CliRunner) -> None:
    code, out = _build(runner, project_copy, "2026-01-02")
    assert code == 0, out
    good = current_release(project_copy).resolve()
    before = _snapshot(good)

    extra = project_copy.instances / "entities" / "zz-broken.ttl"
    extra.write_text(ENGLISH_LABEL_ONLY, encoding="utf-8")
    code, out = _build(runner, project_copy, "2026-01-03")
    assert code == 1, out
    assert current_release(project_copy).resolve() == good
    assert _snapshot(good) == before

    # A load failure: a syntax error, reported with file and line, exit 2.
    extra.write_text("msce:orphan a .\n", encoding="utf-8")
    code, out = _build(runner, project_copy, "2026-01-04")
    assert code == 2, out
    assert "zz-broken.ttl:1" in out
    assert current_release(project_copy).resolve() == good
    assert not list((project_copy.build / "releases").glob(".*.tmp"))
