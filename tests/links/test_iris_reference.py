"""Every external identifier is real: declared in an import module whose labels match the source tables."""

from pathlib import Path

import pytest
from rdflib import Dataset

from server.curation.load import Loaded
from server.errors import MsckgError
from server.iris import curie_of
from server.links.imports import check_modules, missing_imports, refresh

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def test_every_external_iri_is_in_an_import_module(loaded: Loaded) -> None:
    assert missing_imports(loaded) == []


def test_import_modules_match_the_sources(loaded: Loaded, reference: Path) -> None:
    problems = check_modules(loaded, reference)
    assert not problems, "\n".join(problems)


def test_import_modules_cover_the_main_sources(loaded: Loaded) -> None:
    from server.links.imports import declared_imports

    prefixes = {str(curie_of(i)).split(":")[0] for i in declared_imports(loaded)}
    assert {"CL", "GO", "HGNC", "ECO", "RO", "NCBITaxon", "MONDO", "mirbase.mature"} <= prefixes


def _fixture(turtle: str) -> Loaded:
    ds = Dataset(default_union=True)
    ds.graph("https://w3id.org/msc-liver/graph/entities/fixture").parse(data=turtle, format="turtle")
    return Loaded(ds)


def test_wrong_identifier_is_caught_with_its_name(tmp_path: Path, reference: Path) -> None:
    from server.config import project_paths

    bad = _fixture(
        "<https://w3id.org/msc-liver/entity/x> <http://www.w3.org/2004/02/skos/core#exactMatch> "
        "<http://purl.obolibrary.org/obo/CL_9999999> .\n"
    )
    with pytest.raises(MsckgError, match=r"CL:9999999 \(not in cl\)"):
        refresh(bad, project_paths(tmp_path), reference)
    assert not (tmp_path / "ontology").exists()


def test_label_mismatch_is_named(reference: Path) -> None:
    wrong = _fixture("")
    wrong.dataset.graph("https://w3id.org/msc-liver/graph/imports/cl").parse(
        data=f'<http://purl.obolibrary.org/obo/CL_0002540> <{LABEL}> "hepatocyte" .',
        format="turtle",
    )
    assert check_modules(wrong, reference) == [
        "CL:0002540: import module says 'hepatocyte', cl says 'mesenchymal stem cell of the bone marrow'"
    ]


def test_obsolete_identifier_is_named(reference: Path) -> None:
    wrong = _fixture("")
    wrong.dataset.graph("https://w3id.org/msc-liver/graph/imports/uberon").parse(
        data=f'<http://purl.obolibrary.org/obo/UBERON_0000000> <{LABEL}> "x" .',
        format="turtle",
    )
    assert check_modules(wrong, reference) == ["UBERON:0000000: obsolete in uberon ('obsolete processual entity')"]
