"""The curation ledger: every sentence and citation marker of the review is carried, quotes are verbatim."""

import pytest
from rdflib import Dataset

from server.curation.ledger import build_ledger, project_ledger, reference_dois, split_sentences
from server.curation.load import Loaded
from tests.conftest import ROOT, SOURCE_TEXT

TEXT = SOURCE_TEXT.read_text(encoding="utf-8")


def test_every_marker_appears_once_in_the_body() -> None:
    markers = [n for s in split_sentences(TEXT) for n in s.markers]
    assert sorted(markers) == list(range(1, 26))


def test_reference_list_has_25_dois() -> None:
    assert sorted(reference_dois(TEXT)) == list(range(1, 26))


def test_sentences_keep_raw_offsets() -> None:
    for s in split_sentences(TEXT):
        assert TEXT[s.start : s.end].strip(), s
        assert s.section in {"abstract", "intro", "1", "2", "2.1", "2.2", "2.3", "3", "4"}


def test_project_ledger_has_no_problems(loaded: Loaded) -> None:
    ledger = project_ledger(loaded, SOURCE_TEXT)
    assert not ledger.problems, "\n".join(ledger.problems)


def test_committed_ledger_is_current(loaded: Loaded) -> None:
    committed = (ROOT / "docs" / "curation-ledger.md").read_text(encoding="utf-8")
    assert committed == project_ledger(loaded, SOURCE_TEXT).to_markdown(), "run 'msckg ledger --write'"


def _nanopub(quote: str, section: str, cites: str) -> Loaded:
    ds = Dataset(default_union=True)
    ds.graph("urn:g").parse(
        data=f"""
        @prefix np: <http://www.nanopub.org/nschema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix msc: <https://w3id.org/msc-liver/ontology/> .
        <https://w3id.org/msc-liver/np/t-01> np:hasAssertion <urn:a> .
        <urn:a> msc:quote "{quote}"@zh ; msc:reviewSection "{section}" ; prov:wasDerivedFrom <{cites}> .
        <https://doi.org/10.1002/hep.31831> msc:referenceNumber 8 .
        <https://doi.org/10.1111/jcmm.17698> msc:referenceNumber 9 .
        """,
        format="turtle",
    )
    return Loaded(ds)


@pytest.mark.parametrize(
    ("quote", "cites", "problem"),
    [
        ("BM-MSCs通过增加CD47和SIRPα表达", "https://doi.org/10.1002/hep.31831", None),
        ("BM-MSCs通过增加CD47和SIRPa表达", "https://doi.org/10.1002/hep.31831", "not a verbatim substring"),
        # quotes are plain text: the review's HTML markup (here a citation marker) is not part of them
        ("炎性小体活性,减轻肝脏炎性反应<sup>[8]</sup>", "https://doi.org/10.1002/hep.31831", "not a verbatim"),
        ("炎性小体活性,减轻肝脏炎性反应", "https://doi.org/10.1002/hep.31831", None),
        (
            "BM-MSCs通过增加CD47和SIRPα表达",
            "https://doi.org/10.1111/jcmm.17698",
            "reference [9]) but its sentence",
        ),
    ],
)
def test_ledger_catches_bad_quotes_and_citations(quote: str, cites: str, problem: str | None) -> None:
    ledger = build_ledger(
        _nanopub(quote, "2.1", cites),
        TEXT,
        {"https://doi.org/10.1002/hep.31831": 8, "https://doi.org/10.1111/jcmm.17698": 9},
    )
    own = [p for p in ledger.problems if p.startswith("t-01")]
    if problem is None:
        assert own == [] and ledger.marker_nanopubs[8] == ["t-01"]
    else:
        assert len(own) == 1 and problem in own[0]
    assert "marker [1] has no nanopublication" in ledger.problems
