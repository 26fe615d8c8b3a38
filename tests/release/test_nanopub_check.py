"""``msckg nanopub check`` against the Nanopublication Test Suite, nanopub-rs's own check, and our fixtures."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.errors import LoadError
from server.release.nanopubs.check import check_file, check_paths
from server.release.nanopubs.crypto import toolkit_check
from server.release.nanopubs.rdfio import read_quads, to_trig
from tests.release.nanopub_helpers import NANOPUB_DATA

FOLDERS = ["valid/plain", "valid/trusty", "valid/signed", "invalid/plain", "invalid/trusty", "invalid/signed"]


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_file_of_the_test_suite_is_classified_as_the_suite_says(testsuite: Path, folder: str) -> None:
    files = sorted(p for p in (testsuite / folder).iterdir() if p.is_file())
    assert files
    results = check_paths(files)
    wrong = [(f.name, r if isinstance(r, LoadError) else r.lines()) for f, r in zip(files, results, strict=True)
             if isinstance(r, LoadError) or r.valid != folder.startswith("valid")]  # fmt: skip
    assert wrong == []


def test_the_suite_counts(testsuite: Path) -> None:
    counts = {folder: len(check_paths([testsuite / folder])) for folder in FOLDERS}
    assert counts == {"valid/plain": 18, "valid/trusty": 27, "valid/signed": 46,
                      "invalid/plain": 12, "invalid/trusty": 2, "invalid/signed": 3}  # fmt: skip


def test_each_invalid_file_is_refused_for_its_own_defect(testsuite: Path) -> None:
    expected = {
        "assertion_graph_uri_not_matching.trig": "assertion graph",
        "provenance_graph_uri_not_matching.trig": "provenance graph",
        "pubinfo_graph_uri_not_matching.trig": "pubinfo graph",
        "emptya.trig": "assertion graph",
        "extragraph.trig": "belongs to no nanopublication",
        "graphs_uris_equal.trig": "four distinct IRIs",
        "illtyped_datatypes_in_assertion.trig": "ill-typed literal two",
        "noinfolink.trig": "pubinfo graph says nothing",
        "noprovlink.trig": "provenance graph says nothing",
        "valid_invalid1.trig": "mynanopub3#: the head graph needs exactly one np:hasAssertion",
    }
    for name, words in expected.items():
        assert any(words in line for line in check_file(testsuite / "invalid/plain" / name).lines()), name
    assert "trusty hash mismatch" in check_file(testsuite / "invalid/trusty/trusty1.trig").lines()[0]
    assert "not under the nanopublication IRI" in check_file(testsuite / "invalid/trusty/trusty2.trig").lines()[0]
    for name in ("simple1-invalid-rsa.trig", "simple1-invalid-dsa.trig"):
        assert "signature does not verify" in check_file(testsuite / "invalid/signed" / name).lines()[0]


def test_the_toolkits_check_lets_invalid_plain_files_through_that_ours_refuses(testsuite: Path) -> None:
    """nanopub-rs checks only part of the structure (what the issue calls the toolkit missing cases)."""
    accepted = [p.name for p in sorted((testsuite / "invalid/plain").iterdir())
                if toolkit_check(to_trig(read_quads(p), {})) is None]  # fmt: skip
    assert {"assertion_graph_uri_not_matching.trig", "graphs_uris_equal.trig"} <= set(accepted)
    assert all(not check_file(testsuite / "invalid/plain" / name).valid for name in accepted)


def test_our_graph_layout_before_the_nanopub_conventions_is_invalid() -> None:
    report = check_file(NANOPUB_DATA / "old-layout.nq")
    assert not report.valid
    assert any("is not under the nanopublication IRI" in line for line in report.lines())


def test_plain_nanopublications_in_the_release_layout_are_valid() -> None:
    report = check_file(NANOPUB_DATA / "release.trig")
    assert report.valid, report.lines()
    assert [n.kind for n in report.nanopubs] == ["plain", "plain"]


def test_cli_exit_codes(tmp_path: Path, runner: CliRunner) -> None:
    broken = tmp_path / "broken.trig"
    broken.write_text("<a> <b> {", encoding="utf-8")
    valid = runner.invoke(main, ["nanopub", "check", str(NANOPUB_DATA / "release.trig")])
    assert valid.exit_code == 0 and "valid (2 plain)" in valid.output
    invalid = runner.invoke(main, ["nanopub", "check", str(NANOPUB_DATA / "old-layout.nq")])
    assert invalid.exit_code == 1 and "not under the nanopublication IRI" in invalid.output
    unreadable = runner.invoke(main, ["nanopub", "check", str(broken), str(tmp_path / "missing.trig")])
    assert unreadable.exit_code == 2
    assert "broken.trig:1:" in unreadable.output and "missing.trig" in unreadable.output
    assert "Traceback" not in unreadable.output
