"""Fixtures of the web tests: a live server over the hand-made path fixture's release, the browser."""

from pathlib import Path

import pytest

from server.web import create_app
from tests.conftest import _start_live, make_settings
from tests.web.test_ui_browser import browser  # noqa: F401 - the headless Chromium, for every browser test


@pytest.fixture(scope="session")
def paths_server(paths_release: Path):  # type: ignore[no-untyped-def]
    """A live server on the real worker pool over the fixture release."""
    app = create_app(make_settings(paths_release, workers=2, query_timeout=5.0))
    server = _start_live(app)
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    app.extensions["msckg"]["engine"].close()
