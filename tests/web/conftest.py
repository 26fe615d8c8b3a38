"""Fixtures for the page tests: the project's own release, built once, served in-process and on a real port.

The pages are tested on the real release (what a biologist sees), built by the build's library function from a
copy of the project's sources into a temporary folder; the tiny hand-written fixture of the protocol tests has
no claims to group, no trial and no chain.
"""

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, _start_live, make_settings

#: Rows per result on the page-test servers: small, so that the query page's truncation notice can be reached.
PAGE_ROW_LIMIT = 50


@pytest.fixture(scope="session")
def built_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's release, built from a copy of its sources (same bytes as ``msckg build``)."""
    from server.config import project_paths
    from server.engine.derived import add_derived_graph
    from server.release.build import build

    root = tmp_path_factory.mktemp("project")
    for folder in ("ontology", "instances", "shapes", "queries", "sources"):
        shutil.copytree(ROOT / folder, root / folder)
    return build(project_paths(root), version="2026-01-01", derive=add_derived_graph).release_dir


@pytest.fixture(scope="session")
def pages_app(built_release: Path):  # type: ignore[no-untyped-def]
    """The app over the built release with the in-process engine, for Flask test-client page tests."""
    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE
    from server.web import create_app

    engine = OxigraphEngine.from_dump(built_release / DUMP_FILE)
    return create_app(make_settings(built_release, row_limit=PAGE_ROW_LIMIT), engine)


@pytest.fixture(scope="session")
def pages_server(built_release: Path):  # type: ignore[no-untyped-def]
    """A real waitress server over the worker pool and the built release, for the browser."""
    from server.web import create_app

    app = create_app(make_settings(built_release, workers=2, query_timeout=10.0, row_limit=PAGE_ROW_LIMIT))
    server = _start_live(app)
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["msckg"]["engine"].close()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Headless Chromium that resolves no host but 127.0.0.1 and keeps its network log.

    ``--host-resolver-rules`` makes any outside request fail; the performance log lists every request the pages
    send, so a test can also assert that none was even attempted.
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium and driver, "Debian's chromium and chromium-driver are needed (make browser)"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,900", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(driver), options=options)
    yield chrome
    chrome.quit()


def requested_urls(browser) -> list[str]:  # type: ignore[no-untyped-def]
    """Every URL the browser asked for since the last call (the performance log is read and emptied)."""
    import json

    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def outside(urls: list[str]) -> list[str]:
    """The URLs that are not on this machine's loopback server (data: and blob: URLs stay in the page)."""
    from urllib.parse import urlparse

    return [u for u in urls if urlparse(u).scheme not in ("data", "blob") and urlparse(u).hostname != "127.0.0.1"]


@pytest.fixture(scope="session")
def release_rows(built_release: Path):  # type: ignore[no-untyped-def]
    """Ask the built release a SELECT query directly (pyoxigraph, union default graph): tests read what a page
    should show from the graph, so they hold whatever relations and labels the model uses."""
    import pyoxigraph as ox

    from server.release.layout import DUMP_FILE
    from server.web.rdfview import SPARQL_PREFIXES

    store = ox.Store()
    store.load(path=str(built_release / DUMP_FILE), format=ox.RdfFormat.N_QUADS)

    def rows(query: str) -> list[dict[str, str]]:
        result = store.query(SPARQL_PREFIXES + query, use_default_graph_as_union=True)
        names = [v.value for v in result.variables]
        return [{n: s[i].value for i, n in enumerate(names) if s[i] is not None} for s in result]

    return rows


@pytest.fixture(scope="session")
def paths_server(paths_release: Path):  # type: ignore[no-untyped-def]
    """A live server on the real worker pool over the hand-made mechanism-path fixture's release."""
    from server.web import create_app

    app = create_app(make_settings(paths_release, workers=2, query_timeout=5.0))
    server = _start_live(app)
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["msckg"]["engine"].close()
