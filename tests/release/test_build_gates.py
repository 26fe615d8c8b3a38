"""The build's stricter gates and its lifecycle: each case an adversarial round found.

Duplicate nanopublication blocks, quotes that are not verbatim, violations named without ``-v``, ``--version``
checked as a date, concurrent and interrupted builds, an unwritable build folder, and a server that keeps
serving its own release while builds go on.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.config import ProjectPaths
from server.release.layout import DUMP_FILE, current_release, is_pinned, pin_release
from tests.release.test_build_atomic import ENGLISH_LABEL_ONLY


def _build(paths: ProjectPaths, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--root", str(paths.root), *extra])
    return result.exit_code, result.output


def _first_block(paths: ProjectPaths) -> tuple[Path, str]:
    """A TriG file of the project and its first graph block, as written."""
    for trig in sorted((paths.instances / "assertions").glob("*.trig")):
        text = trig.read_text(encoding="utf-8")
        found = re.search(r"^\S+ \{\n.*?^\}\n", text, re.MULTILINE | re.DOTALL)
        if found:
            return trig, found.group(0)
    raise AssertionError("no graph block in instances/assertions/")


def test_a_second_block_with_the_same_graph_in_one_file_is_refused(project_copy: ProjectPaths) -> None:
    trig, block = _first_block(project_copy)
    text = trig.read_text(encoding="utf-8")
    trig.write_text(text + "\n" + block, encoding="utf-8")
    line = text.count("\n") + 2
    code, out = _build(project_copy, "--version", "2026-01-02")
    assert code == 2, out
    assert out.startswith(f"msckg: error: {trig}:{line}: a second block for graph <")
    assert "Traceback" not in out and not current_release(project_copy).exists()


def test_a_quote_that_is_not_verbatim_fails_the_build(project_copy: ProjectPaths) -> None:
    for trig in sorted((project_copy.instances / "assertions").glob("*.trig")):
        text = trig.read_text(encoding="utf-8")
        edited = re.sub(r'(msc:quote ")', r"\1（改）", text, count=1)
        if edited != text:
            trig.write_text(edited, encoding="utf-8")
            break
    code, out = _build(project_copy, "--version", "2026-01-02")
    assert code == 1, out
    assert "ledger against" in out and "quote is not a verbatim substring" in out and "（改）" in out
    assert not current_release(project_copy).exists()


def test_shacl_failures_name_file_node_and_shape_without_verbose(project_copy: ProjectPaths) -> None:
    extra = project_copy.instances / "entities" / "zz-broken.ttl"
    extra.write_text(ENGLISH_LABEL_ONLY, encoding="utf-8")
    code, out = _build(project_copy, "--version", "2026-01-02")
    assert code == 1, out
    (line,) = out.splitlines()
    assert "SHACL:" in line and "first: " in line
    assert str(extra) in line and "https://w3id.org/msc-liver/entity/orphan" in line and "Shape" in line


@pytest.mark.parametrize("version", ["2026-13-45", "not a date", "/../../evil", "2026-02-30", "../x"])
def test_version_must_be_a_real_date(project_copy: ProjectPaths, version: str) -> None:
    code, out = _build(project_copy, "--version", version)
    assert code == 2, out
    assert "Invalid value for '--version'" in out and "Traceback" not in out
    assert not (project_copy.build).exists()
    assert not (project_copy.root.parent / "evil").exists()


def test_an_unwritable_build_folder_is_one_line_and_exit_2(project_copy: ProjectPaths) -> None:
    project_copy.build.write_text("not a folder\n", encoding="utf-8")  # root may write anywhere: a file stands in
    code, out = _build(project_copy, "--version", "2026-01-02")
    assert code == 2, out
    assert out.startswith("msckg: error: ") and out.count("\n") == 1 and "Traceback" not in out


def _build_process(paths: ProjectPaths, version: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "server", "build", "--root", str(paths.root), "--version", version],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_concurrent_builds_both_publish_and_stale_tmp_folders_go(project_copy: ProjectPaths) -> None:
    stale = project_copy.build / "releases" / ".2025-01-01-20250101T000000000000.tmp"
    stale.mkdir(parents=True)
    (stale / "half-written.nq").write_text("", encoding="utf-8")
    builds = [_build_process(project_copy, v) for v in ("2026-01-02", "2026-01-03")]
    outcomes = [(b.wait(timeout=600), b.stderr.read() if b.stderr else "") for b in builds]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    assert not list((project_copy.build / "releases").glob(".*.tmp"))
    assert not (project_copy.build / ".current.tmp").exists()
    assert (current_release(project_copy) / DUMP_FILE).is_file()
    assert len(list((project_copy.build / "releases").iterdir())) == 2


def test_ctrl_c_is_exit_130_and_leaves_nothing_half_written(project_copy: ProjectPaths) -> None:
    build = _build_process(project_copy, "2026-01-02")
    time.sleep(2)  # loading, validating
    build.send_signal(signal.SIGINT)
    code = build.wait(timeout=120)
    stderr = build.stderr.read() if build.stderr else ""
    assert code == 130, stderr
    assert stderr.strip().endswith("msckg: interrupted") and "Traceback" not in stderr
    assert not current_release(project_copy).exists()
    assert not list(project_copy.build.glob("releases/.*.tmp"))


def test_a_served_release_is_kept_and_served_whole_after_rebuilds(endpoint_release: Path, tmp_path: Path) -> None:
    """build/current moves on; the server keeps its dump, its downloads, and the folder is not pruned."""
    from server.release.layout import KEEP_RELEASES, publish_release
    from server.web import create_app
    from tests.conftest import make_settings

    build = tmp_path / "build"
    releases = build / "releases"
    old = releases / "2026-01-01-a"
    old.mkdir(parents=True)
    for item in endpoint_release.iterdir():
        if item.is_file():
            (old / item.name).write_bytes(item.read_bytes())
    paths = ProjectPaths(tmp_path)
    (build / "current").symlink_to(old.relative_to(build))
    app = create_app(make_settings(build / "current", workers=1))
    try:
        served = (old / DUMP_FILE).read_bytes()
        assert is_pinned(old)
        for day in range(2, 3 + KEEP_RELEASES + 1):  # more new releases than are kept
            new = releases / f"2026-01-0{day}-b"
            new.mkdir()
            (new / DUMP_FILE).write_text(f"# release {day}\n", encoding="utf-8")
            publish_release(paths, new)
        assert current_release(paths).resolve() != old and old.is_dir()
        client = app.test_client()
        assert client.get(f"/download/{DUMP_FILE}").data == served
        assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).json["boolean"] is True
    finally:
        app.extensions["msckg"]["engine"].close()
        os.close(app.extensions["msckg"]["pin"])
    assert not is_pinned(old)
    pin = pin_release(old)
    assert pin is not None and is_pinned(old)
    os.close(pin)
