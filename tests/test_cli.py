"""The CLI: --help everywhere, --version, exit codes, one-line errors and no tracebacks for bad input."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from server import __version__
from server.cli import main
from tests.conftest import ROOT

COMMANDS = ["build", "validate", "reason", "stats", "fmt", "paths", "contradictions"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage: main" in result.output or "Usage: msckg" in result.output


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_unknown_command_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["frobnicate"])
    assert result.exit_code == 2


def test_stats_counts_the_project(runner: CliRunner) -> None:
    result = runner.invoke(main, ["stats", "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "nanopublications per reference:" in result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines()[:2])
    assert int(lines["nanopublications"]) > 50
    assert "labels per language:" in result.output and " zh\n" in result.output


def test_bad_file_gives_one_line_and_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "user.trig"
    bad.write_text("<urn:g> { <urn:a> <urn:b> }\n", encoding="utf-8")
    result = runner.invoke(main, ["validate", "--root", str(ROOT), str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith(f"msckg: error: {bad}:1: syntax error")
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_missing_file_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["validate", "--root", str(ROOT), str(tmp_path / "nope.trig")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_fmt_check_on_project_passes(runner: CliRunner) -> None:
    result = runner.invoke(main, ["fmt", "--check", "--root", str(ROOT)])
    assert result.exit_code == 0, result.output


def test_fmt_check_names_unformatted_file(runner: CliRunner, tmp_path: Path) -> None:
    messy = tmp_path / "x.ttl"
    messy.write_text("<urn:b> <urn:p> <urn:o> . <urn:a> <urn:p> <urn:o> .\n", encoding="utf-8")
    result = runner.invoke(main, ["fmt", "--check", str(messy)])
    assert result.exit_code == 1
    assert f"would reformat {messy}" in result.output


def test_validate_user_file_outside_the_repo(runner: CliRunner, tmp_path: Path) -> None:
    from tests.conftest import DATA

    good, bad = tmp_path / "mine.trig", tmp_path / "broken.trig"
    good.write_bytes((DATA / "valid" / "minimal.trig").read_bytes())
    bad.write_bytes((DATA / "invalid" / "percentage-over-100.trig").read_bytes())
    ok = runner.invoke(main, ["validate", "--root", str(ROOT), str(good)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("Conforms: True")
    failed = runner.invoke(main, ["validate", "--root", str(ROOT), "--format", "json", str(bad)])
    assert failed.exit_code == 1
    assert "PercentValueShape" in failed.output and str(bad) in failed.output


def test_a_busy_port_is_one_line_and_exit_2(endpoint_release: Path) -> None:
    """``msckg serve`` on a taken port says so in one line and exits 2 (1 would mean the data do not conform)."""
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "server", "serve", "--port", str(port), "--release", str(endpoint_release)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        f"msckg: error: port {port} is in use; choose another with PORT=… (make serve) or --port\n"
    )


def test_no_java_is_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    """The reasoner needs Java; without it ``msckg reason`` says so and exits 2, not 1 (not a data problem)."""
    result = runner.invoke(main, ["reason", "--root", str(ROOT), "--output", str(tmp_path / "x.ttl")],
                           env={"PATH": str(tmp_path)})  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.output == "msckg: error: HermiT needs Java: no 'java' on PATH\n"
