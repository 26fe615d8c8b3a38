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
    from server.release.build import build

    root = tmp_path_factory.mktemp("project")
    for folder in ("ontology", "instances", "shapes", "queries", "sources"):
        shutil.copytree(ROOT / folder, root / folder)
    return build(project_paths(root), version="2026-01-01").release_dir


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
