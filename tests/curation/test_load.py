"""The one loader: file graphs, TriG graphs, and clear errors for bad input."""

from pathlib import Path

import pytest

from server.curation.load import load_files
from server.errors import LoadError
from server.namespaces import MSCG


def test_project_graphs_are_named_after_their_files(loaded) -> None:  # type: ignore[no-untyped-def]
    names = {str(g.identifier) for g in loaded.data_graphs()}
    assert str(MSCG["ontology"]) in names
    assert str(MSCG["references"]) in names
    assert any(n.startswith(str(MSCG["entities/"])) for n in names)
    assert any(n.startswith("https://w3id.org/msc-liver/np/") and n.endswith("/assertion") for n in names)
    for g in loaded.data_graphs():
        assert loaded.source_of(g.identifier) is not None


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> "open .\n', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_files([bad])
    assert info.value.line == 2
    assert str(info.value).startswith(f"{bad}:2: syntax error")


def test_trig_default_graph_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "loose.trig"
    bad.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    with pytest.raises(LoadError, match="outside any GRAPH block"):
        load_files([bad])


def test_graph_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    one, two = tmp_path / "one.trig", tmp_path / "two.trig"
    for f in (one, two):
        f.write_text("<urn:g> { <urn:a> <urn:b> <urn:c> }\n", encoding="utf-8")
    with pytest.raises(LoadError, match="also defined in"):
        load_files([one, two])


def test_unknown_suffix_and_undecodable_file(tmp_path: Path) -> None:
    odd = tmp_path / "data.xyz"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(LoadError, match="unknown file type"):
        load_files([odd])
    binary = tmp_path / "bin.ttl"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(LoadError, match="cannot read"):
        load_files([binary])
