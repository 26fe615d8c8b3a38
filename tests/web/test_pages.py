"""The pages over the project's real release, through Flask's test client: every minted IRI dereferences, every
link to one of our IRIs stays on this server, and each page type shows its parts."""

import hashlib
import itertools
import re
from collections import deque
from html import escape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from rdflib import Graph, URIRef
from rdflib import namespace as ns

from server.namespaces import BASE
from server.release.layout import RELEASE_FILES, RELEASE_MEDIA_TYPES, SIGNED_FILE
from server.web.rdfview import href

HTML = {"Accept": "text/html"}
REVIEW = "/references/10.16352/j.issn.1001-6325.2024.11.1608"


class _Page(HTMLParser):
    """The links and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(client, path: str) -> _Page:  # type: ignore[no-untyped-def]
    response = client.get(path, headers=HTML)
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "text/html"
    parsed = _Page()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def text(client, path: str) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", " ".join(page(client, path).text))


@pytest.fixture(scope="module")
def client(pages_app):  # type: ignore[no-untyped-def]
    return pages_app.test_client()


@pytest.mark.parametrize(
    "path",
    [
        "/entity/bm-msc",
        "/ontology/HepaticStellateCell",
        "/ontology/increases",
        "/ontology",
        "/releases/2026-01-01/msc-liver.owl",
        "/dataset",
        "/agent/msckg-curation-team",
        "/np/s2-1-03",
        "/chain/cd47-hedgehog-nlrp3",
        "/np/s2-1-03/assertion",
        "/graph/ontology",
        "/graph/derived",
        "/graph/inferred",
        "/term/CL:0000632",
        "/term/HGNC:1682",
        "/entity/",
        "/chain/",
        "/references/",
        REVIEW,
        "/download/",
        "/.well-known/void",
        "/search?q=stellate",
        "/",
    ],
)
def test_every_minted_iri_and_page_answers_html(client, path: str) -> None:  # type: ignore[no-untyped-def]
    parsed = page(client, path)
    assert not [link for link in parsed.links if link.startswith(BASE)], "a link leaves for the w3id name"


@pytest.mark.parametrize(
    "path", ["/ontology", "/dataset", "/agent/msckg-curation-team", "/releases/2026-01-01/msc-liver.owl"]
)
def test_the_dataset_ontology_version_and_agent_iris_answer_rdf(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert len(graph) > 0


def test_agent_page_names_the_curators_and_what_they_created(client) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/agent/msckg-curation-team")
    assert "MSC-Liver KG curation team" in body
    assert "creator" in body and "mscnp:s2-1-03" in body


def test_external_term_page_shows_its_source_our_nodes_and_the_way_out(client) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/term/CL:0000632")
    assert "hepatic stellate cell" in body and "exact match" in body
    html = client.get("/term/CL:0000632", headers=HTML).get_data(as_text=True)
    assert 'href="http://purl.obolibrary.org/obo/CL_0000632"' in html  # the canonical page, one click away
    assert 'href="/entity/hepatic-stellate-cell"' in html
    assert client.get("/term/FOO:1", headers=HTML).status_code == 404
    assert client.get("/term/CL:9999999", headers=HTML).status_code == 404


def test_other_release_versions_are_not_served(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/releases/1999-01-01/msc-liver.owl", headers=HTML)
    assert response.status_code == 404
    assert "2026-01-01" in response.get_data(as_text=True)


def test_local_links_all_resolve(client) -> None:  # type: ignore[no-untyped-def]
    """Walk the site from the landing page (pages of every type, capped) and follow every local link."""
    seen, queue, checked = set(), deque(["/"]), 0
    while queue and checked < 400:
        path = queue.popleft()
        response = client.get(path, headers=HTML)
        assert response.status_code in (200, 301, 303), f"{path}: {response.status_code}"
        checked += 1
        if response.mimetype != "text/html":
            continue
        parsed = _Page()
        parsed.feed(response.get_data(as_text=True))
        for link in parsed.links:
            assert not link.startswith(BASE), f"{path} links to {link}, a name that does not resolve here"
            url = urlparse(urljoin("http://localhost" + path, link))
            if url.netloc != "localhost" or url.path.startswith("/download/") and url.path != "/download/":
                continue
            local = url.path + (f"?{url.query}" if url.query else "")
            if local not in seen and "format=" not in local:
                seen.add(local)
                queue.append(local)
    assert checked >= 300, f"only {checked} pages reached from /"


def relation_labels(release_rows, node: str, pattern: str) -> set[str]:  # type: ignore[no-untyped-def]
    """English labels of the relations by which ``node`` takes part in claims (``pattern`` binds ?p)."""
    found = release_rows(f"""SELECT DISTINCT ?label WHERE {{
      ?np np:hasAssertion ?a . GRAPH ?a {{ {pattern} }} FILTER(?s != ?a)
      ?p rdfs:label ?label FILTER(lang(?label) = "en") }}""")
    return {r["label"] for r in found}


def test_entity_page_has_card_and_claims_grouped(client, release_rows) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/entity/bm-msc")
    for part in ("bone marrow-derived mesenchymal stem cell", "骨髓间充质干细胞", "A mesenchymal stem cell isolated",
                 "CL:0002540", "mesenchymal stem cell of the bone marrow", "Claims", "As subject", "As object",
                 "Mus musculus", "experimental evidence used in manual assertion"):  # fmt: skip
        assert part in body, part
    as_subject = relation_labels(release_rows, "?s", "msce:bm-msc ?p ?o BIND(msce:bm-msc AS ?s)")
    assert len(as_subject) >= 8 and all(f"{label} (" in body for label in as_subject), as_subject
    assert "obo:RO_0002212" not in body and "RO:0002212" not in body
    html = client.get("/entity/bm-msc", headers=HTML).get_data(as_text=True)
    assert html.count('class="sign minus"') >= 10 and html.count('class="sign plus"') >= 10
    assert 'href="/np/s2-1-03"' in html
    assert 'id="diagram"' in html  # the place the mechanism diagram goes


def test_incoming_links_and_context_are_shown(client, release_rows) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/entity/hepatic-stellate-cell")
    context = release_rows("""SELECT DISTINCT ?label WHERE {
      ?np np:hasAssertion ?a ; np:hasProvenance ?pg .
      { GRAPH ?pg { ?a ?p msce:hepatic-stellate-cell } } UNION { GRAPH ?a { ?a ?p msce:hepatic-stellate-cell } }
      ?p rdfs:label ?label FILTER(lang(?label) = "en") }""")
    assert context and "As context" in body and all(r["label"] in body for r in context)
    assert "Linked from" in body and "occurs in" in body
    assert "星状细胞" in body  # the review's own Chinese synonym


def test_trial_page_shows_arms_numbers_and_registry(client) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/entity/lin2017-hbv-aclf-rct")
    for part in ("Arms (2)", "sample size 56", "sample size 54", "percent value 73.2", "percent value 55.6",
                 "cells/kg", "once weekly for 4 consecutive weeks", "follow-up value 24",
                 "vs standard medical treatment"):  # fmt: skip
        assert part in body, part
    assert "NCT02260375" in text(client, "/entity/casiraghi2021-lt-rct")


def test_class_page_lists_subclasses_and_members(client, release_rows) -> None:  # type: ignore[no-untyped-def]
    # a class of the release with both subclasses and members, ours or an imported one
    found = release_rows("""SELECT ?c (COUNT(DISTINCT ?sub) AS ?subs) WHERE {
      ?sub rdfs:subClassOf ?c . ?m a ?sub FILTER(isIRI(?c) && isIRI(?sub) && STRSTARTS(STR(?m), STR(msce:)))
    } GROUP BY ?c ORDER BY DESC(?subs) ?c LIMIT 1""")
    cls = found[0]["c"]
    subs = release_rows(f"SELECT ?l WHERE {{ ?s rdfs:subClassOf <{cls}> ; rdfs:label ?l FILTER(lang(?l) = 'en') }}")
    html = client.get(href(cls), headers=HTML).get_data(as_text=True)
    body = text(client, href(cls))
    assert "Subclasses" in body and "Members" in body and all(escape(r["l"]) in html for r in subs)
    assert "hepatic stellate cell" in text(
        client, href(release_rows("SELECT ?t WHERE { msce:hepatic-stellate-cell a ?t }")[0]["t"])
    )


def test_nanopublication_page_renders_all_four_graphs(client, release_rows) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/np/s2-1-03")
    relation = relation_labels(release_rows, "?s", "msce:bm-msc ?p msce:cd47 BIND(msce:bm-msc AS ?s)")
    for part in (f"bone marrow-derived mesenchymal stem cell {relation.pop()} CD47",
                 "BM-MSCs通过增加CD47和SIRPα表达", "BM-MSCs increase CD47 and SIRPα expression",
                 "CD47-mediated hedgehog/SMO/GLI1 signaling", "https://doi.org/10.1002/hep.31831",
                 "experimental evidence used in manual assertion", "liver inflammation mouse model", "Mus musculus",
                 "Publication info", "CD47/SIRPα-Hedgehog-NLRP3 anti-inflammatory chain", "Head"):  # fmt: skip
        assert part in body, part
    assert "<sup>" not in body


def test_chain_page_lists_steps_in_order(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/chain/cd47-hedgehog-nlrp3", headers=HTML).get_data(as_text=True)
    steps = re.findall(r"<tr><td>(\d+)</td>", html)
    assert steps and steps == sorted(steps, key=int) and steps[0] == "1"
    assert 'href="/np/s2-1-03"' in html


def test_landing_page(client) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/")
    for part in ("Mechanism of bone marrow-derived mesenchymal stem cells in the treatment of liver failure",
                 "10.16352/j.issn.1001-6325.2024.11.1608", "How to cite", "Mechanism chains", "Clinical trials",
                 "References", "Knowledge gaps", "Competency questions", "2026-01-01", "nanopublications"):  # fmt: skip
        assert part in body, part


def test_downloads_list_every_file_with_size_and_sha256(client, built_release) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/download/", headers=HTML).get_data(as_text=True)
    present = [n for n in RELEASE_FILES if (built_release / n).is_file()]
    assert set(RELEASE_FILES) - set(present) <= {SIGNED_FILE}  # signed by a curator later, not by the build
    for name in present:
        content = (built_release / name).read_bytes()
        assert name in html and hashlib.sha256(content).hexdigest() in html, name
        assert f"{len(content):,} bytes" in html
        served = client.get(f"/download/{name}")
        assert served.data == content and served.mimetype == RELEASE_MEDIA_TYPES[name]
    assert client.get("/dataset/distribution/msc-liver.trig").headers["Location"].endswith("/download/msc-liver.trig")


def test_void_lists_every_file_and_every_dump(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    dataset = URIRef(BASE + "dataset")
    urls = {str(g.value(d, ns.DCAT.downloadURL)) for d in g.objects(dataset, ns.DCAT.distribution)}
    public = client.application.extensions["msckg"]["settings"].public_url
    assert urls == {f"{public}download/{n}" for n in RELEASE_FILES if n not in ("void.ttl", SIGNED_FILE)}
    dumps = {str(d).rsplit("/", 1)[-1] for d in g.objects(dataset, ns.VOID.dataDump)}
    assert dumps == {"msc-liver.trig", "msc-liver.nq", "msc-liver.jsonld", "msc-liver.ttl", "inferred.ttl",
                     "shapes.ttl", "msc-liver.nanopubs.trig"}  # fmt: skip
    for url in urls:
        assert client.get(urlparse(url).path).status_code == 200
    body = text(client, "/.well-known/void")
    assert "Data dumps (7)" in body and "Linksets" in body


def test_query_page_carries_every_question_with_its_title(client, built_release) -> None:  # type: ignore[no-untyped-def]
    body = text(client, "/sparql")
    questions = sorted((built_release / "queries").glob("*.rq"))
    assert len(questions) >= 12
    for path in questions:
        lines = path.read_text(encoding="utf-8").splitlines()
        english = " ".join(line.lstrip("# ") for line in itertools.takewhile(str.isascii, lines))
        assert english in body, english


def test_the_derived_graph_says_on_its_page_that_it_is_no_claim(client) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(page(client, "/graph/derived").text)
    assert "Not a claim of the review" in text and "并非综述本身的断言" in text
    # and an entity's own description leaves the computed routes out, in HTML and in RDF
    assert "Route" not in client.get("/entity/bm-msc", headers={"Accept": "text/turtle"}).get_data(as_text=True)
    assert "route to" not in " ".join(page(client, "/entity/bm-msc").text)


def test_entailed_types_stay_on_the_inferred_graphs_page(client, release_rows) -> None:  # type: ignore[no-untyped-def]
    text = " ".join(page(client, "/graph/inferred").text)
    assert "Not a claim of the review" in text and "并非综述本身的断言" in text
    # an entity with an entailed class its curated triples never name: its description leaves that type out
    row = release_rows("""SELECT ?x ?c WHERE { GRAPH <https://w3id.org/msc-liver/graph/inferred> { ?x a ?c }
      FILTER(STRSTARTS(STR(?x), STR(msce:)))
      FILTER NOT EXISTS { GRAPH ?g { ?x ?p ?c } FILTER(?g != <https://w3id.org/msc-liver/graph/inferred>) }
    } ORDER BY ?x ?c LIMIT 1""")[0]
    described = Graph().parse(data=client.get(href(row["x"]), headers={"Accept": "text/turtle"}).get_data(as_text=True),
                              format="turtle")  # fmt: skip
    assert (URIRef(row["x"]), ns.RDF.type, None) in described
    assert (URIRef(row["x"]), ns.RDF.type, URIRef(row["c"])) not in described
    # … and so does its page's card
    card = re.search(r'<p class="types">(.*?)</p>', client.get(href(row["x"]), headers=HTML).get_data(as_text=True))
    assert card and f'href="{escape(href(row["c"]))}"' not in card.group(1)
    # a class page lists its members under the classes the curators gave them: once per asserted type
    asserted = release_rows(f"""SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?m ?t WHERE {{
      ?t rdfs:subClassOf* <{row["c"]}> . GRAPH ?g {{ ?m a ?t }} FILTER(isIRI(?m))
      FILTER(?g NOT IN (<https://w3id.org/msc-liver/graph/inferred>,
                        <https://w3id.org/msc-liver/graph/derived>)) }} }}""")
    shown = re.search(
        r"Members <span class=\"count\">\((\d+)\)", client.get(href(row["c"]), headers=HTML).get_data(as_text=True)
    )
    assert shown and int(shown.group(1)) == int(asserted[0]["n"])
    # listings name the class each node was given, not the upper classes it falls under
    chains = " ".join(page(client, "/chain/").text)
    assert "mechanism chain" in chains and "continuant" not in chains
