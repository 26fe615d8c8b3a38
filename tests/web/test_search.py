"""Search over the real release: SQLite FTS5 (trigram) finds English and Chinese substrings, ranks exact names
first, and feeds the search box's suggestions and the query editor's completions."""

import re

import pytest

HTML = {"Accept": "text/html"}
HSC = "/entity/hepatic-stellate-cell"


@pytest.fixture(scope="module")
def client(pages_app):  # type: ignore[no-untyped-def]
    return pages_app.test_client()


def hits(client, q: str) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/search", query_string={"q": q}, headers=HTML)
    assert response.status_code == 200
    block = response.get_data(as_text=True).split('<div id="hits">', 1)[1]
    return re.findall(r'<div class="hit"><a href="([^"]+)"', block)


def test_chinese_substring_finds_the_stellate_cell(client) -> None:  # type: ignore[no-untyped-def]
    found = hits(client, "星状细胞")
    assert HSC in found[:3]
    assert "/ontology/HepaticStellateCell" in found


def test_english_word_and_partial_word(client) -> None:  # type: ignore[no-untyped-def]
    assert HSC in hits(client, "stellate")[:5]
    assert HSC in hits(client, "STELL")[:8]


def test_exact_name_ranks_first(client) -> None:  # type: ignore[no-untyped-def]
    assert set(hits(client, "hepatic stellate cell")[:2]) == {HSC, "/ontology/HepaticStellateCell"}
    assert hits(client, "肝星状细胞")[0] in (HSC, "/ontology/HepaticStellateCell")
    assert hits(client, "CD47")[0] == "/entity/cd47"


def test_every_word_must_match(client) -> None:  # type: ignore[no-untyped-def]
    both = hits(client, "stellate activation")
    assert both and all(h in hits(client, "stellate") for h in both)
    assert {"/entity/hsc-activation", "/ontology/StellateCellActivation"} <= set(both)


def test_short_and_full_width_queries(client) -> None:  # type: ignore[no-untyped-def]
    assert "/entity/liver-failure" in hits(client, "肝衰竭")
    assert hits(client, "肝")  # one character: matched with LIKE
    assert hits(client, "ＣＤ４７")[0] == "/entity/cd47"  # full-width letters fold to ASCII


def test_query_text_is_escaped(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/search", query_string={"q": "<script>x</script>"}, headers=HTML).get_data(as_text=True)
    assert "<script>x" not in body


def test_suggestions_for_the_search_box(client) -> None:  # type: ignore[no-untyped-def]
    rows = client.get("/search/complete", query_string={"q": "星状"}).get_json()
    assert any(r["href"] == HSC and r["label_zh"] == "肝星状细胞" for r in rows)
    assert all(not r["href"].startswith("https://w3id.org/") for r in rows)


def test_completions_for_the_query_editor(client) -> None:  # type: ignore[no-untyped-def]
    classes = client.get("/search/complete", query_string={"kind": "class",
                         "q": "https://w3id.org/msc-liver/ontology/Hepatic"}).get_json()  # fmt: skip
    assert "https://w3id.org/msc-liver/ontology/HepaticStellateCell" in [r["iri"] for r in classes]
    properties = client.get("/search/complete", query_string={"kind": "property", "q": "increases"}).get_json()
    assert "https://w3id.org/msc-liver/ontology/increases" in [r["iri"] for r in properties]
    external = client.get("/search/complete", query_string={"kind": "property", "q": "negatively regulates"})
    assert "http://purl.obolibrary.org/obo/RO_0002212" in [r["iri"] for r in external.get_json()]
