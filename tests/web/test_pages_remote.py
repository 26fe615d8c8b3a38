"""The pages over a remote store (Virtuoso, through the engine protocol): they read the graph with SPARQL only, so
the same pages render, with the same content, over whichever engine serves."""

import re

import pytest

from server.engine.remote import RemoteEngine
from server.web import create_app
from tests.conftest import make_settings

HTML = {"Accept": "text/html"}
PAGES = {
    "/": ["How to cite", "Mechanism chains"],
    "/entity/bm-msc": ["骨髓间充质干细胞", "CL:0002540", "As subject", "As object", "Mus musculus"],
    "/entity/hepatic-stellate-cell": ["As context", "occurs in"],
    "/entity/lin2017-hbv-aclf-rct": ["sample size", "73.2", "55.6"],
    "/np/s2-1-03": ["BM-MSCs通过增加CD47和SIRPα表达", "CD47-mediated hedgehog", "Publication info"],
    "/chain/cd47-hedgehog-nlrp3": ["Steps"],
    "/search?q=%E6%98%9F%E7%8A%B6%E7%BB%86%E8%83%9E": ["hepatic stellate cell"],
}


@pytest.fixture(scope="module")
def remote_client(published_virtuoso, real_release):  # type: ignore[no-untyped-def]
    settings = make_settings(real_release)
    return create_app(settings, RemoteEngine(published_virtuoso.sparql, settings.query_timeout)).test_client()


@pytest.mark.parametrize("path", list(PAGES))
def test_pages_render_over_virtuoso(remote_client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = remote_client.get(path, headers=HTML)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    for part in PAGES[path]:
        assert part in text, f"{path}: {part}"
