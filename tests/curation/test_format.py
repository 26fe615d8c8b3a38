"""Every source RDF file is in the canonical form that ``msckg fmt`` writes."""

from pathlib import Path

import pytest

from server.config import ProjectPaths
from server.curation.fmt import canonical_text, format_files
from server.curation.load import source_files
from tests.conftest import ROOT

SOURCES = source_files(ProjectPaths(ROOT))


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_source_file_is_canonical(path: Path) -> None:
    assert path.read_text(encoding="utf-8") == canonical_text(path), (
        f"{path.relative_to(ROOT)} is not canonical: run 'msckg fmt' (or 'make fmt')"
    )


def test_there_are_sources() -> None:
    kinds = {p.relative_to(ROOT).parts[0] for p in SOURCES}
    assert kinds == {"ontology", "instances", "shapes"}


def test_fmt_rewrites_and_is_idempotent(tmp_path: Path) -> None:
    messy = tmp_path / "messy.trig"
    messy.write_text(
        "@prefix msce: <https://w3id.org/msc-liver/entity/> .\n"
        "@prefix msc: <https://w3id.org/msc-liver/ontology/> .\n"
        "<https://w3id.org/msc-liver/np/s1-01/assertion> { msce:b msc:secretes msce:z , msce:a . "
        "msce:a msc:differentiatesInto msce:hepatocyte }\n",
        encoding="utf-8",
    )
    assert format_files([messy], check=True) == [messy]
    assert format_files([messy], check=False) == [messy]
    text = messy.read_text(encoding="utf-8")
    assert "<https://w3id.org/msc-liver/np/s1-01/assertion> {" in text
    assert text.index("msce:a msc:differentiatesInto") < text.index("msce:b msc:secretes msce:a, msce:z")
    assert format_files([messy], check=True) == []


def test_fmt_refuses_shared_blank_node(tmp_path: Path) -> None:
    from server.errors import LoadError

    bad = tmp_path / "shared.ttl"
    bad.write_text("_:x <urn:p> <urn:o> . <urn:a> <urn:q> _:x . <urn:b> <urn:q> _:x .\n", encoding="utf-8")
    with pytest.raises(LoadError, match="blank node used 2 times"):
        canonical_text(bad)


def test_fmt_writes_rdf_collections_and_label_comments(tmp_path: Path) -> None:
    src = tmp_path / "onto.ttl"
    src.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix msc: <https://w3id.org/msc-liver/ontology/> .\n"
        'msc:Cell a owl:Class ; rdfs:label "cell"@en .\n'
        "[] a owl:AllDisjointClasses ; owl:members ( msc:Cell msc:MolecularEntity ) .\n",
        encoding="utf-8",
    )
    text = canonical_text(src)
    assert "# Class: msc:Cell (cell)\nmsc:Cell a owl:Class ;" in text
    assert "owl:members ( msc:Cell msc:MolecularEntity )" in text
    assert "_:" not in text
