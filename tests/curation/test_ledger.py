"""The curation ledger: every sentence and citation marker of the review is carried, quotes are verbatim."""

from pathlib import Path

import pytest
from rdflib import Dataset

from server.curation.citations import Continuation, read_continuations, read_retired
from server.curation.ledger import build_ledger, project_ledger, reference_dois, split_sentences
from server.curation.load import Loaded
from server.errors import LoadError
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
            "reference [9]) but its clause is covered by [8]",
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


REFERENCES = {
    "https://doi.org/10.4142/jvs.2021.22.e74": 2,
    "https://doi.org/10.1038/s41598-020-61167-z": 3,
    "https://doi.org/10.1007/s13205-021-02640-y": 6,
    "https://doi.org/10.1002/hep.30700": 10,
    "https://doi.org/10.1038/s41420-021-00584-z": 16,
    "https://doi.org/10.3389/fphar.2023.1168545": 20,
    "https://doi.org/10.1038/s41419-022-05303-9": 21,
}
REVIEW = "https://doi.org/10.16352/j.issn.1001-6325.2024.11.1608"
CONTINUED = Continuation(21, "另外，通过透射电镜发现", "进一步发现 in the marked sentence")


def _claim(quote: str, section: str, cites: str, extra: str = "") -> Loaded:
    """One nanopublication (t-01) with its quote and derivation, the references with their titles, and ``extra``."""
    ds = Dataset(default_union=True)
    references = " ".join(f"<{iri}> msc:referenceNumber {n} ." for iri, n in REFERENCES.items())
    ds.graph("urn:g").parse(
        data=f"""
        @prefix np: <http://www.nanopub.org/nschema#> . @prefix prov: <http://www.w3.org/ns/prov#> .
        @prefix msc: <https://w3id.org/msc-liver/ontology/> . @prefix obo: <http://purl.obolibrary.org/obo/> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <https://w3id.org/msc-liver/np/t-01> np:hasAssertion <urn:a> .
        <urn:a> msc:quote "{quote}"@zh ; msc:reviewSection "{section}" ; prov:wasDerivedFrom <{cites}> . {extra}
        {references}
        <https://doi.org/10.1002/hep.30700> dcterms:title "Hippo signaling … in mouse liver injury" .
        """,
        format="turtle",
    )
    return Loaded(ds)


def _problems(loaded: Loaded, **options: object) -> list[str]:
    ledger = build_ledger(loaded, TEXT, REFERENCES, **options)  # type: ignore[arg-type]
    return [p for p in ledger.problems if p.startswith("t-01") or p.startswith("continuation")]


@pytest.mark.parametrize(
    ("quote", "section", "cites", "problem"),
    [
        # a mid-sentence marker cites the clause before it, not the one after it (s1-16)
        ("不仅如此,BM-MSCs还具有低免疫原性优势", "1", "https://doi.org/10.1007/s13205-021-02640-y", None),
        ("可降低免疫排斥反应", "1", "https://doi.org/10.1007/s13205-021-02640-y", "covered by no marker"),
        ("可降低免疫排斥反应", "1", REVIEW, None),
        # two markers in one sentence: each covers the clauses back to the one before
        ("BM-MSCs是发现最早且应用最多的MSCs", "1", "https://doi.org/10.4142/jvs.2021.22.e74", None),
        ("与脂肪和脐带血来源的MSCs相比", "1", "https://doi.org/10.4142/jvs.2021.22.e74", "covered by [3]"),
        ("与脂肪和脐带血来源的MSCs相比", "1", REVIEW, "an uncited statement, but its clause is covered by [3]"),
        # an unmarked sentence before a marker is the review's own unless declared a continuation (s2-3-09)
        ("BM-MSCs 还可通过激活前列腺素 E 受体 4", "2.3", "https://doi.org/10.3389/fphar.2023.1168545", "no marker"),
        ("BM-MSCs 还可通过激活前列腺素 E 受体 4", "2.3", REVIEW, None),
        ("通过透射电镜发现急性肝衰竭小鼠", "2.3", "https://doi.org/10.1038/s41419-022-05303-9", None),
        ("通过透射电镜发现急性肝衰竭小鼠", "2.3", REVIEW, "covered by [21]; cite that reference"),
        (
            "低免疫原性优势,可降低",
            "1",
            "https://doi.org/10.1007/s13205-021-02640-y",
            "crosses a citation",
        ),
    ],
)
def test_a_citation_is_the_marker_that_covers_its_clause(
    quote: str, section: str, cites: str, problem: str | None
) -> None:
    found = _problems(_claim(quote, section, cites), continuations=[CONTINUED])
    if problem is None:
        assert found == []
    else:
        assert found and any(problem in p for p in found), found


def test_an_undeclared_continuation_is_not_covered() -> None:
    claim = _claim("通过透射电镜发现急性肝衰竭小鼠", "2.3", "https://doi.org/10.1038/s41419-022-05303-9")
    assert any("covered by no marker" in p for p in _problems(claim))


def test_a_continuation_must_open_one_sentence_of_its_markers_run() -> None:
    elsewhere = Continuation(20, "BM-MSCs 还可通过激活前列腺素 E 受体 4", "")  # in [20]'s run: accepted
    nowhere = Continuation(21, "BM-MSCs 还可通过激活前列腺素 E 受体 4", "")  # not in [21]'s run
    claim = _claim("可降低免疫排斥反应", "1", REVIEW)
    assert _problems(claim, continuations=[elsewhere]) == []
    assert _problems(claim, continuations=[nowhere]) == [
        "continuation of [21] 'BM-MSCs 还可通过激活前列腺素 E 受体 4': 0 unmarked sentences of that marker's run "
        "open so (expected one)"
    ]


@pytest.mark.parametrize(
    ("extra", "flagged_problem"),
    [
        # the sentence says 小鼠 (s2-3-19): no flag needed
        ("<urn:a> msc:species obo:NCBITaxon_10090 .", False),
        # the sentence does not say rat, and the reference's title does not either
        ("<urn:a> msc:species obo:NCBITaxon_10116 .", True),
    ],
)
def test_a_stated_species_is_written_in_the_covered_sentences(extra: str, flagged_problem: bool) -> None:
    claim = _claim("小鼠肝损伤模型证实", "2.3", "https://doi.org/10.3389/fphar.2023.1168545", extra)
    found = _problems(claim)
    assert bool(found) is flagged_problem, found


def test_a_species_from_the_title_needs_the_flag_and_the_title() -> None:
    quote, ref10 = "BM-MSCs通过促进巨噬细胞中Hippo", "https://doi.org/10.1002/hep.30700"
    mouse, rat = "<urn:a> msc:species obo:NCBITaxon_10090 .", "<urn:a> msc:species obo:NCBITaxon_10116 ."
    flag = " <urn:a> msc:contextFromReferenceTitle true ."
    assert (
        "which neither the sentences its marker covers say (小鼠)" in _problems(_claim(quote, "2.1", ref10, mouse))[0]
    )
    assert _problems(_claim(quote, "2.1", ref10, mouse + flag)) == []
    assert len(_problems(_claim(quote, "2.1", ref10, rat + flag))) == 1  # the title says mouse


def test_a_species_may_come_from_a_declared_species_sentence() -> None:
    """S6 of section 2.2 reports ref 16's study without 小鼠; the background sentence before it that introduces the
    study's mouse macrophages is declared, so the claim may state mouse; undeclared, or declared where no sentence of
    the marker's run opens so, it may not."""
    ref16, mouse = "https://doi.org/10.1038/s41420-021-00584-z", "<urn:a> msc:species obo:NCBITaxon_10090 ."
    claim = _claim("BM-MSCs 可通过激活抗纤维化因子和凋亡通路", "2.2", ref16, mouse)
    run = [Continuation(16, "BM-MSCs 可通过激活抗纤维化因子和凋亡通路", "[16]'s title names it")]
    stated = [Continuation(16, "小鼠巨噬细胞包括", "introduces the study's mouse macrophages")]
    assert _problems(claim, continuations=run, species_sentences=stated) == []
    assert any("states obo:NCBITaxon_10090" in p for p in _problems(claim, continuations=run))
    wrong = [Continuation(16, "肝星状细胞活化是", "not in [16]'s run")]
    found = [p for p in build_ledger(claim, TEXT, REFERENCES, continuations=run, species_sentences=wrong).problems]
    expected = (
        "species sentence of [16] '肝星状细胞活化是': 0 unmarked sentences of that marker's run open so (expected one)"
    )
    assert expected in found
    assert any("states obo:NCBITaxon_10090" in p for p in found)


def test_a_retired_id_is_not_reused() -> None:
    claim = _claim("可降低免疫排斥反应", "1", REVIEW)
    assert _problems(claim, retired={"t-01": "its step is not in the sentence"}) == [
        "t-01: this id is retired (its step is not in the sentence); give the claim a new id"
    ]


def test_the_project_tables_read() -> None:
    assert len(read_continuations(SOURCE_TEXT.parent / "citation-coverage.tsv")) >= 5
    assert [c.marker for c in read_continuations(SOURCE_TEXT.parent / "species-sentences.tsv")] == [16]
    assert "s2-1-26" in read_retired(SOURCE_TEXT.parent / "retired-nanopublications.tsv")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("marker\topening\n15\tx\n", ":1: expected the columns marker, opening, cue"),
        ("marker\topening\tcue\n15\t\twhy\n", ":2: every column needs a value"),
        ("marker\topening\tcue\nfifteen\tx\twhy\n", ":2: marker must be a reference number"),
    ],
)
def test_a_bad_coverage_table_names_its_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "citation-coverage.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match=where):
        read_continuations(path)
