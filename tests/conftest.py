"""Shared fixtures: the real project, a copy of it in a temporary folder, and a CLI runner.

Paths come from ``__file__``; nothing touches the network.
"""

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.config import ProjectPaths, project_paths
from server.curation.load import Loaded, load_project

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: The review's text, as the project ships it.
SOURCE_TEXT = ROOT / "sources" / "qi-2024-review.txt"
#: The external sources' tables: ``MSCKG_REFERENCE``, else ``../shared/reference`` beside the checkout (our CI).
REFERENCE_DIR = Path(os.environ.get("MSCKG_REFERENCE") or ROOT.parent / "shared" / "reference")
REFERENCE_SKIP = f"needs the external sources' tables (not found in {REFERENCE_DIR}; set MSCKG_REFERENCE)"
#: The Nanopublication Test Suite (MIT): ``MSCKG_NANOPUB_TESTSUITE``, else ``../shared/nanopub-testsuite``.
TESTSUITE_DIR = Path(os.environ.get("MSCKG_NANOPUB_TESTSUITE") or ROOT.parent / "shared" / "nanopub-testsuite")


@pytest.fixture(scope="session")
def reference() -> Path:
    """The source tables; a test that asks for them is marked ``reference_tables`` and skips where they are absent."""
    if not (REFERENCE_DIR / "cl.tsv").is_file():
        pytest.skip(REFERENCE_SKIP)
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def testsuite() -> Path:
    """The Nanopublication Test Suite; a test that asks for it is marked ``reference_tables`` and skips without it."""
    if not (TESTSUITE_DIR / "valid" / "plain").is_dir():
        pytest.skip(f"needs the Nanopublication Test Suite (not found in {TESTSUITE_DIR}; set MSCKG_NANOPUB_TESTSUITE)")
    return TESTSUITE_DIR


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the source tables or the test suite, so a run can tell which ones skipped."""
    for item in items:
        if {"reference", "testsuite"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.reference_tables)


_SKIPPED_TABLE_TESTS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember the table tests that skipped."""
    if report.skipped and "reference_tables" in report.keywords:
        _SKIPPED_TABLE_TESTS.append(report.nodeid)


def _tables_required() -> bool:
    return os.environ.get("MSCKG_REQUIRE_REFERENCE") == "1"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Where the tables are required (``MSCKG_REQUIRE_REFERENCE=1``, as our CI sets), a skipped table test fails."""
    if _tables_required() and _SKIPPED_TABLE_TESTS:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say why a run with required tables failed."""
    if _tables_required() and _SKIPPED_TABLE_TESTS:
        terminalreporter.write_line(
            f"MSCKG_REQUIRE_REFERENCE=1, but {len(_SKIPPED_TABLE_TESTS)} source-table test(s) skipped:", red=True
        )
        for name in _SKIPPED_TABLE_TESTS:
            terminalreporter.write_line(f"  {name}")


@pytest.fixture(scope="session")
def paths() -> ProjectPaths:
    return project_paths(ROOT)


@pytest.fixture(scope="session")
def loaded(paths: ProjectPaths) -> Loaded:
    return load_project(paths)


@pytest.fixture
def project_copy(tmp_path: Path) -> ProjectPaths:
    """A throw-away copy of the project's source folders, for tests that break or build things."""
    for folder in ("ontology", "instances", "shapes", "queries", "sources"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return project_paths(tmp_path)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


ENDPOINT_FIXTURE = DATA / "endpoint" / "fixture.trig"


@pytest.fixture(scope="session")
def endpoint_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny release folder (N-Quads dump, info, one example query) made from a hand-written fixture."""
    release = fixture_release(tmp_path_factory.mktemp("release"), ENDPOINT_FIXTURE, quads=19)
    (release / "queries").mkdir()
    (release / "queries" / "01-example.rq").write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 5\n", encoding="utf-8")
    return release


PATHS_FIXTURE = DATA / "paths" / "fixture.trig"


@pytest.fixture(scope="session")
def paths_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release folder made from the hand-made mechanism-path fixture (tests/data/paths/fixture.trig)."""
    return fixture_release(tmp_path_factory.mktemp("paths-release"), PATHS_FIXTURE)


def fixture_release(release: Path, fixture: Path, quads: int | None = None) -> Path:
    """Make ``release`` a release folder (N-Quads dump, info) holding a hand-written TriG fixture.

    :param release: the folder.
    :param fixture: the TriG file.
    :param quads: the count ``release.json`` gives (default: the dump's lines).
    :returns: the folder.
    """
    from rdflib import Dataset

    from server.release.layout import DUMP_FILE, INFO_FILE

    ds = Dataset()
    ds.parse(fixture, format="trig")
    ds.serialize(release / DUMP_FILE, format="nquads", encoding="utf-8")
    count = quads if quads is not None else (release / DUMP_FILE).read_bytes().count(b"\n")
    (release / INFO_FILE).write_text(f'{{"version": "2026-01-01", "quads": {count}}}', encoding="utf-8")
    return release


def make_settings(release: Path, **overrides: object):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from server.config import Settings

    return replace(Settings(release=release, workers=1, query_timeout=2.0, queue_wait=2.0), **overrides)


PROTOCOL_LIMITS = {"row_limit": 100, "max_body_bytes": 4096}


@pytest.fixture
def app(endpoint_release: Path):  # type: ignore[no-untyped-def]
    """The Flask app over an in-process engine (no time limit), for protocol tests."""
    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE
    from server.web import create_app

    engine = OxigraphEngine.from_dump(endpoint_release / DUMP_FILE)
    return create_app(make_settings(endpoint_release, **PROTOCOL_LIMITS), engine)


def _start_live(app):  # type: ignore[no-untyped-def]
    import threading

    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def live_server(endpoint_release: Path):  # type: ignore[no-untyped-def]
    """A real waitress server on 127.0.0.1 (free port) over the real worker pool, with a 2 s query limit."""
    from server.web import create_app

    app = create_app(make_settings(endpoint_release, workers=2, query_timeout=2.0))
    server = _start_live(app)
    yield {"url": f"http://127.0.0.1:{server.effective_port}", "app": app}
    server.close()
    app.extensions["msckg"]["engine"].close()


@pytest.fixture(scope="session")
def live_protocol_server(endpoint_release: Path):  # type: ignore[no-untyped-def]
    """A real server with the protocol tests' limits, over the real worker pool."""
    from server.web import create_app

    app = create_app(make_settings(endpoint_release, **PROTOCOL_LIMITS))
    server = _start_live(app)
    yield app, f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["msckg"]["engine"].close()


class LiveClient:
    """The Flask test-client calls the protocol tests make, sent over real HTTP with ``requests``."""

    def __init__(self, base: str) -> None:
        import requests

        self.base = base
        self.session = requests.Session()

    def open(self, method: str, path: str, query_string=None, data=None, content_type=None, headers=None,  # type: ignore[no-untyped-def]
             follow_redirects=False):  # fmt: skip
        """Send one request; like Flask's test client, a redirect is returned, not followed, unless asked."""
        headers = dict(headers or {})
        if content_type:
            headers["Content-Type"] = content_type
        response = self.session.request(method, self.base + path, params=query_string, data=data, headers=headers,
                                        timeout=30, allow_redirects=follow_redirects)  # fmt: skip
        return _LiveResponse(response)

    def get(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.open("POST", path, **kwargs)

    def options(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.open("OPTIONS", path, **kwargs)

    def head(self, path: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.open("HEAD", path, **kwargs)


class _LiveResponse:
    def __init__(self, response) -> None:  # type: ignore[no-untyped-def]
        self.status_code = response.status_code
        self.headers = response.headers
        self.data = response.content
        self.mimetype = response.headers.get("Content-Type", "").split(";")[0]

    def get_data(self, as_text: bool = False):  # type: ignore[no-untyped-def]
        return self.data.decode("utf-8") if as_text else self.data


@pytest.fixture(params=["flask-client", "live-http"])
def client(request, app):  # type: ignore[no-untyped-def]
    """Each protocol test runs twice: through Flask's test client and against the live server."""
    if request.param == "flask-client":
        return app.test_client()
    _, base = request.getfixturevalue("live_protocol_server")
    return LiveClient(base)


@pytest.fixture(scope="session")
def real_release(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real graph as a release folder (N-Quads dump, info, the CQs), rendered the way the build renders it."""
    import json

    from server.checks.reason import reason
    from server.engine.derived import add_derived_graph
    from server.namespaces import COMPUTED_GRAPHS
    from server.release.export import render
    from server.release.inferred import add_inferred_graph
    from server.release.layout import DUMP_FILE, INFO_FILE

    release = tmp_path_factory.mktemp("real-release")
    inferred = reason(loaded).inferred
    # the computed graphs, as the build adds them; taken out again: other tests read the curated data alone
    try:
        add_derived_graph(loaded)
        add_inferred_graph(loaded, inferred)
        body = render(loaded, ["nquads"], "2026-01-01")[DUMP_FILE]
    finally:
        for graph in COMPUTED_GRAPHS:
            loaded.dataset.remove_graph(graph)
    (release / DUMP_FILE).write_bytes(body)
    quads = body.count(b"\n")
    (release / INFO_FILE).write_text(json.dumps({"version": "2026-01-01", "quads": quads}), encoding="utf-8")
    shutil.copytree(ROOT / "queries" / "cq", release / "queries")
    return release


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One throw-away Virtuoso for the session (installed with apt-get when missing), stopped at the end."""
    from tests.stores import Virtuoso, virtuoso_missing

    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"), query_limit=30).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def published_virtuoso(virtuoso, real_release: Path):  # type: ignore[no-untyped-def]
    """The session's Virtuoso with the real release published into it once (bulk loader)."""
    from server.release.publish import Credentials
    from server.release.virtuoso import publish_virtuoso

    publish_virtuoso(real_release, virtuoso.address, Credentials("dba", virtuoso.password), virtuoso.load_dir,
                     lambda line: None)  # fmt: skip
    return virtuoso
