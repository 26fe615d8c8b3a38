"""``msckg nanopub publish`` against a local nanopub test server that verifies what it receives."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.release.layout import SIGNED_FILE
from server.release.nanopubs.check import check_quads
from server.release.nanopubs.crypto import toolkit_check
from server.release.nanopubs.profile import load_profile
from server.release.nanopubs.rdfio import parse_trig
from server.release.nanopubs.sign import sign_release
from tests.release.nanopub_helpers import fixture_release, write_profile


class NanopubTestServer(BaseHTTPRequestHandler):
    """Accepts ``POST`` of one TriG nanopublication, as a nanopub registry does, after verifying it.

    It answers 201 only if the body is ``application/trig``, holds exactly one nanopublication and both
    nanopub-rs's check and ours accept it (trusty hash and signature included); else 400 with the reason.
    """

    received: list[str] = []
    refuse_all = False

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        problem = self._problem(body)
        if not problem:  # recorded before the answer, so a client that has its 201 finds the body here
            type(self).received.append(body)
        self.send_response(400 if problem else 201)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write((problem or "created").encode("utf-8"))

    def _problem(self, body: str) -> str | None:
        if self.refuse_all:
            return "this server takes nothing today"
        if self.headers.get("Content-Type") != "application/trig":
            return f"expected application/trig, got {self.headers.get('Content-Type')}"
        if complaint := toolkit_check(body):
            return f"nanopub-rs: {complaint}"
        report = check_quads(Path("body"), parse_trig(body))
        if len(report.nanopubs) != 1 or not report.valid or report.nanopubs[0].kind != "signed":
            return "; ".join(report.lines())
        return None

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
        """Keep the test output quiet."""


@pytest.fixture
def test_server() -> Iterator[str]:
    NanopubTestServer.received = []
    NanopubTestServer.refuse_all = False
    server = ThreadingHTTPServer(("127.0.0.1", 0), NanopubTestServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def signed_root(tmp_path: Path) -> Path:
    paths = fixture_release(tmp_path / "project")
    sign_release(paths, load_profile(write_profile(tmp_path / "profile")), allow_placeholder=True)
    return paths.root


def test_publish_posts_every_signed_nanopublication(signed_root: Path, test_server: str, runner: CliRunner) -> None:
    args = ["nanopub", "publish", "--root", str(signed_root), "--server", test_server, "--allow-placeholder"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert len(NanopubTestServer.received) == 2
    assert "2 nanopublication(s) sent" in result.output
    assert all("https://w3id.org/np/RA" in body for body in NanopubTestServer.received)


def test_dry_run_sends_nothing(signed_root: Path, test_server: str, runner: CliRunner) -> None:
    args = ["nanopub", "publish", "--root", str(signed_root), "--server", test_server, "--dry-run",
            "--allow-placeholder"]  # fmt: skip
    result = runner.invoke(main, args)
    assert result.exit_code == 0 and result.output.count("would send https://w3id.org/np/RA") == 2
    assert NanopubTestServer.received == []


def test_placeholder_orcids_never_reach_the_network(signed_root: Path, test_server: str, runner: CliRunner) -> None:
    result = runner.invoke(main, ["nanopub", "publish", "--root", str(signed_root), "--server", test_server])
    assert result.exit_code == 1 and "placeholder ORCID iD" in result.output
    assert NanopubTestServer.received == []


def test_a_refusal_by_the_server_is_an_error(signed_root: Path, test_server: str, runner: CliRunner) -> None:
    NanopubTestServer.refuse_all = True
    args = ["nanopub", "publish", "--root", str(signed_root), "--server", test_server, "--allow-placeholder"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "HTTP 400: this server takes nothing today" in result.output


def test_a_tampered_file_is_not_sent(signed_root: Path, test_server: str, runner: CliRunner) -> None:
    signed = signed_root / "build" / "current" / SIGNED_FILE
    signed.write_text(signed.read_text(encoding="utf-8").replace("secrete HGF", "secrete TNF"), encoding="utf-8")
    args = ["nanopub", "publish", "--root", str(signed_root), "--server", test_server, "--allow-placeholder"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1 and "nothing sent" in result.output
    assert NanopubTestServer.received == []


def test_an_unreachable_server_is_a_setup_error(signed_root: Path, runner: CliRunner) -> None:
    args = ["nanopub", "publish", "--root", str(signed_root), "--server", "http://127.0.0.1:9/", "--allow-placeholder"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and "cannot be reached" in result.output
