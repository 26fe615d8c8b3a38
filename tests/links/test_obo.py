"""``msckg imports refresh --from DIR`` reads a downloaded OBO release as well as the TSV tables."""

from pathlib import Path

import pytest

from server.errors import LoadError
from server.links.imports import read_source_table, source_version
from server.links.obo import read_obo
from tests.conftest import DATA

OBO_DIR = DATA / "identifiers" / "obo"


def test_obo_terms_become_source_terms() -> None:
    terms = read_source_table(OBO_DIR, "go")
    apoptosis = terms["GO:0006915"]
    assert apoptosis.label == "apoptotic process"
    assert apoptosis.definition == 'A programmed cell death process "with" a fixture definition.'
    assert apoptosis.synonyms == ("programmed cell death by apoptosis",)  # NARROW and RELATED are not names
    assert apoptosis.categories == ("biological_process",)
    assert not apoptosis.obsolete and not apoptosis.is_property
    assert terms["GO:0000001"].obsolete
    assert terms["part_of"].is_property


def test_only_the_wanted_terms_are_kept() -> None:
    assert set(read_source_table(OBO_DIR, "go", {"GO:0006915"})) == {"GO:0006915"}


def test_the_version_is_the_files_data_version() -> None:
    assert source_version(OBO_DIR, "go") == "go.obo data-version: releases/2099-01-01"


def test_an_unreadable_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "go.obo"
    bad.write_text('data-version: x\n\n[Term]\nid: GO:1\nname: n\ndef: "unterminated [GOC:x]\n', encoding="utf-8")
    with pytest.raises(LoadError, match=r"go.obo:6: unreadable def value"):
        read_obo(bad)
