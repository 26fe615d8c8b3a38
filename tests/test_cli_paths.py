"""``msckg paths`` and ``msckg contradictions`` on the hand-made path fixture's release, and on the real one."""

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from server.cli import main


def test_paths_text_and_json(runner: CliRunner, paths_release: Path) -> None:
    text = runner.invoke(main, ["paths", "agent cell", "疾病评分", "--release", str(paths_release)])
    assert text.exit_code == 0, text.output
    assert "net (stated paths): + (worsening); derived paths: mixed" in text.output
    junction = "! species changes after step 2: Mus musculus (NCBITaxon:10090) -> Homo sapiens (NCBITaxon:9606)"
    assert junction in text.output  # species named for people, the CURIE beside
    assert "contradiction (null result against an effect): mscnp:fx-04" in text.output
    raw = runner.invoke(main, ["paths", "CL:0002540", "msce:target", "--release", str(paths_release), "--format",
                               "json", "--species", "NCBITaxon:10090", "--max-length", "2"])  # fmt: skip
    assert raw.exit_code == 0, raw.output
    body = json.loads(raw.output)
    assert body["net"] == "mixed" and body["limits"]["species"] == "NCBITaxon:10090"
    assert {p["sign"] for p in body["paths"] if p["chain"]} == {"+"}


def test_paths_same_context(runner: CliRunner, paths_release: Path) -> None:
    result = runner.invoke(main, ["paths", "agent", "score", "--same-context", "--format", "json",
                                  "--release", str(paths_release)])  # fmt: skip
    assert result.exit_code == 0 and all(not p["junctions"] for p in json.loads(result.output)["paths"])


def test_unknown_and_ambiguous_names_exit_2_with_candidates(runner: CliRunner, paths_release: Path) -> None:
    ambiguous = runner.invoke(main, ["paths", "twin", "score", "--release", str(paths_release)])
    assert ambiguous.exit_code == 2
    assert "ambiguous" in ambiguous.output and "msce:twin-a" in ambiguous.output and "msce:twin-b" in ambiguous.output
    unknown = runner.invoke(main, ["paths", "agent", "scor", "--release", str(paths_release)])
    assert unknown.exit_code == 2 and "msce:side-score" in unknown.output and "Traceback" not in unknown.output
    bad = runner.invoke(main, ["paths", "agent", "score", "--species", "mouse", "--release", str(paths_release)])
    assert bad.exit_code == 2 and "NCBITaxon" in bad.output
    too_long = runner.invoke(main, ["paths", "agent", "score", "--max-length", "99", "--release", str(paths_release)])
    assert too_long.exit_code == 2
    missing = runner.invoke(main, ["paths", "agent", "score", "--release", str(paths_release / "nope")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_contradictions_csv_to_a_file(runner: CliRunner, paths_release: Path, tmp_path: Path) -> None:
    out = tmp_path / "contradictions.csv"
    result = runner.invoke(main, ["contradictions", "--release", str(paths_release), "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["kind"] for r in rows} == {"opposite signs", "null result against an effect"}
    as_json = runner.invoke(main, ["contradictions", "--release", str(paths_release), "--format", "json"])
    assert len(json.loads(as_json.output)) == 2


def test_paths_on_the_real_release(runner: CliRunner, real_release: Path) -> None:
    result = runner.invoke(main, ["paths", "BM-MSC", "liver inflammation", "--release", str(real_release)])
    assert result.exit_code == 0 and "net (stated paths): -" in result.output
    assert "stated - chain mscc:cd47-hedgehog-nlrp3" in result.output
