"""Fixtures of the web tests: a release made from the hand-made path fixture, a live server on it, the browser."""

from pathlib import Path

import pytest
from rdflib import Dataset

from server.release.layout import DUMP_FILE, INFO_FILE
from server.web import create_app
from tests.conftest import DATA, _start_live, make_settings
from tests.web.test_ui_browser import browser  # noqa: F401 - the headless Chromium, for every browser test

FIXTURE = DATA / "paths" / "fixture.trig"


@pytest.fixture(scope="session")
def paths_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    release = tmp_path_factory.mktemp("paths-release")
    ds = Dataset()
    ds.parse(FIXTURE, format="trig")
    ds.serialize(release / DUMP_FILE, format="nquads", encoding="utf-8")
    (release / INFO_FILE).write_text('{"version": "2026-01-01", "quads": 1}', encoding="utf-8")
    return release


@pytest.fixture(scope="session")
def paths_server(paths_release: Path):  # type: ignore[no-untyped-def]
    """A live server on the real worker pool over the fixture release."""
    app = create_app(make_settings(paths_release, workers=2, query_timeout=5.0))
    server = _start_live(app)
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["msckg"]["engine"].close()
