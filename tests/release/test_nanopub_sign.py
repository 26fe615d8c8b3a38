"""``msckg nanopub sign`` and ``diff``: trusty, signed versions with a throw-away key; supersedes and retractions."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import URIRef
from rdflib.namespace import DCTERMS

from server.cli import main
from server.errors import SetupError
from server.release.layout import DATASET_FILE, SIGNED_FILE
from server.release.nanopubs.check import check_file
from server.release.nanopubs.collection import split
from server.release.nanopubs.crypto import toolkit_check
from server.release.nanopubs.profile import load_profile
from server.release.nanopubs.rdfio import read_quads, to_trig
from server.release.nanopubs.sign import sign_release
from server.release.nanopubs.versions import diff, history_of
from tests.release.nanopub_helpers import NANOPUB_DATA, fixture_release, keep, make_release, write_profile

S901 = URIRef("https://w3id.org/msc-liver/np/s9-01")
S902 = URIRef("https://w3id.org/msc-liver/np/s9-02")


@pytest.fixture(scope="module")
def profile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_profile(tmp_path_factory.mktemp("nanopub-profile"))


def test_signing_makes_trusty_signed_nanopublications_both_checks_accept(tmp_path: Path, profile_file: Path) -> None:
    paths = fixture_release(tmp_path)
    source = (tmp_path / "build" / "current").resolve()
    result = sign_release(paths, load_profile(profile_file), allow_placeholder=True)
    signed = result.release_dir / SIGNED_FILE
    report = check_file(signed)
    assert report.valid, report.lines()
    assert [n.kind for n in report.nanopubs] == ["signed", "signed"]
    for nanopub in split(read_quads(signed)).values():
        assert str(nanopub.iri).startswith("https://w3id.org/np/RA")
        assert all(str(g).startswith(f"{nanopub.iri}/") for g in nanopub.graphs.values())
        assert toolkit_check(to_trig(nanopub.quads, {})) is None
        assert nanopub.version_of in (S901, S902)
    # literals as the curators wrote them: a CR LF and a zero-padded integer survive signing
    text = signed.read_text(encoding="utf-8")
    assert "\\r\\n" in text or "\r\n" in text
    assert " 012 " in text or '"012"' in text
    # each plain nanopublication names its signed version in its pubinfo graph; the plain ones stay valid
    plain = split(read_quads(result.release_dir / DATASET_FILE))
    versions = {iri: n.about(DCTERMS.hasVersion) for iri, n in plain.items()}
    assert versions == {S901: [dict(result.signed)[S901]], S902: [dict(result.signed)[S902]]}
    assert check_file(result.release_dir / DATASET_FILE).valid
    # a new release folder became current; the signed one came from the built one, left as it was
    assert (tmp_path / "build" / "current").resolve() == result.release_dir
    assert not (source / SIGNED_FILE).exists()


def test_a_changed_claim_supersedes_and_a_retired_one_is_retracted(tmp_path: Path, profile_file: Path) -> None:
    profile = load_profile(profile_file)
    paths = fixture_release(tmp_path)
    first = sign_release(paths, profile, allow_placeholder=True)
    old_file = keep(first.release_dir / SIGNED_FILE, tmp_path / "first.signed.trig")
    old = dict(first.signed)
    # the next release changes s9-01's object and drops s9-02
    text = (NANOPUB_DATA / "release.trig").read_text(encoding="utf-8").replace("msce:hgf", "msce:vegf")
    kept_s901 = text[: text.index("<https://w3id.org/msc-liver/np/s9-02/head>")]
    make_release(tmp_path, "2026-02-01-b", kept_s901)
    second = sign_release(paths, profile, allow_placeholder=True)
    assert [s[0] for s in second.signed] == [S901]
    assert second.superseded == [(old[S901], second.signed[0][1])]
    assert [r[0] for r in second.retracted] == [old[S902]]
    new_file = second.release_dir / SIGNED_FILE
    assert check_file(new_file).valid
    history = split(read_quads(new_file))
    assert old[S901] in history and old[S902] in history  # the old versions stay retrievable
    lines = diff(history_of(old_file), history_of(new_file)).lines()
    assert lines == [
        f"supersedes {old[S901]} with {second.signed[0][1]} ({S901})",
        f"retracts {old[S902]} ({S902})",
        "1 superseded, 1 retracted, 0 added, 0 unchanged",
    ]
    # signing the same content again keeps every signed version
    make_release(tmp_path, "2026-03-01-c", kept_s901)
    third = sign_release(paths, profile, previous=new_file, allow_placeholder=True)
    assert third.signed == [] and third.kept == 1 and third.retracted == []


def test_a_tampered_signed_file_fails_the_check(tmp_path: Path, profile_file: Path) -> None:
    result = sign_release(fixture_release(tmp_path), load_profile(profile_file), allow_placeholder=True)
    signed = result.release_dir / SIGNED_FILE
    tampered = tmp_path / "tampered.trig"
    tampered.write_text(signed.read_text(encoding="utf-8").replace("BM-MSCs secrete HGF", "BM-MSCs secrete HGF!"))
    lines = check_file(tampered).lines()
    assert any("trusty hash mismatch" in line for line in lines)


def test_a_placeholder_orcid_is_refused_without_the_test_flag(tmp_path: Path, profile_file: Path) -> None:
    with pytest.raises(SetupError, match="placeholder ORCID iD"):
        sign_release(fixture_release(tmp_path), load_profile(profile_file))


def test_cli_sign_and_diff(tmp_path: Path, profile_file: Path, runner: CliRunner) -> None:
    root = fixture_release(tmp_path).root
    base = ["nanopub", "sign", "--root", str(root), "--profile", str(profile_file)]
    refused = runner.invoke(main, base)
    assert refused.exit_code == 2 and "placeholder ORCID iD" in refused.output
    done = runner.invoke(main, [*base, "--allow-placeholder"])
    assert done.exit_code == 0, done.output
    assert "2 signed, 0 kept" in done.output
    signed = root / "build" / "current" / SIGNED_FILE
    same = runner.invoke(main, ["nanopub", "diff", str(signed), str(signed)])
    assert same.exit_code == 0 and same.output.strip() == "0 superseded, 0 retracted, 0 added, 2 unchanged"
    missing = runner.invoke(main, ["nanopub", "sign", "--root", str(root), "--profile", str(tmp_path / "none.yml")])
    assert missing.exit_code == 2 and "no nanopub profile" in missing.output
