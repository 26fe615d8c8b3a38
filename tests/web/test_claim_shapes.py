"""Claims in both shapes the data model allows: qualifiers in the provenance graph (the project's release, tested
elsewhere) or in the assertion graph about the graph itself, and a sign stated on the relation (``msc:sign``) or
read from RO's hierarchy. A qualifier is context, never a claim."""

import re
from pathlib import Path

import pytest
from rdflib import Dataset

from tests.conftest import DATA, make_settings

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE
    from server.web import create_app

    release: Path = tmp_path_factory.mktemp("qualified")
    ds = Dataset()
    ds.parse(DATA / "web" / "qualified.trig", format="trig")
    ds.serialize(release / DUMP_FILE, format="nquads", encoding="utf-8")
    return create_app(make_settings(release), OxigraphEngine.from_dump(release / DUMP_FILE)).test_client()


def text(client, path: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_qualifiers_in_the_assertion_graph_are_context_not_claims(client) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/entity/bm-msc")
    assert "Claims (5; 5 as subject)" in body
    macrophage = text(client, "/entity/macrophage")
    assert "As context" in macrophage and "has context cell type" in macrophage
    assert "As object" in macrophage and "touches" in macrophage
    assert "Mus musculus" in body  # the species qualifier is on every claim line


def test_signs_stated_on_the_relation_win(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/np/q-01", headers=HTML).get_data(as_text=True)
    signs = re.findall(r'<p class="claim-sentence"><span class="sign (\w+)".*?<em>([^<]+)</em>', html)
    assert {(relation, sign) for sign, relation in signs} == {
        ("positively regulates", "plus"), ("inhibits", "minus"), ("touches", "none"), ("lowers", "minus"),
        ("has no significant effect on", "zero")}  # fmt: skip
    assert 'id="qualifiers"' in html and "has species" in html


def test_claim_count_leaves_qualifiers_out(client) -> None:  # type: ignore[no-untyped-def]
    assert "claims (assertion triples) 5" in text(client, "/")


def test_a_list_cut_at_the_page_limit_says_so(client) -> None:  # type: ignore[no-untyped-def]
    from server.web.claims import claims_of

    with client.application.app_context():
        groups, cut = claims_of("https://w3id.org/msc-liver/entity/bm-msc", limit=2)
        assert cut and sum(len(g.claims) for g in groups) == 2
        groups, cut = claims_of("https://w3id.org/msc-liver/entity/bm-msc")
        assert not cut and sum(len(g.claims) for g in groups) == 5


def test_a_signed_claim_on_an_outcome_says_whether_it_is_an_improvement(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/np/q-01", headers=HTML).get_data(as_text=True)
    effects = re.findall(r"<em>([^<]+)</em> <a [^>]+>([^<]+)</a> <span class=\"facet effect (\w+)\"", html)
    assert effects == [("lowers", "MELD score", "improvement")]  # sign 0 on survival: no effect to tell
