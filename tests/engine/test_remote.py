"""The Flask front over a remote store (``msckg serve --store``): the same protocol, limits and pages, on Virtuoso.

The store is the session's real Virtuoso with the real release; the front is the app every other test uses,
given a :class:`~server.engine.remote.RemoteEngine`. A query past the limit is stopped on the store too (its CPU
falls idle), and a store that cannot be reached is a 503 at once.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

import requests

from server.engine.remote import RemoteEngine
from server.web import create_app
from tests.conftest import _start_live, make_settings
from tests.stores import free_port

BM_MSC = "https://w3id.org/msc-liver/entity/bm-msc"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _front(endpoint: str, release: Path, **limits: object):  # type: ignore[no-untyped-def]
    settings = make_settings(release, **limits)
    return create_app(settings, RemoteEngine(endpoint, settings.query_timeout))


def test_protocol_over_virtuoso(published_virtuoso, real_release: Path) -> None:  # type: ignore[no-untyped-def]
    client = _front(published_virtuoso.sparql, real_release, row_limit=5).test_client()
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    rows = client.get("/sparql", query_string={"query": f"SELECT ?l WHERE {{ <{BM_MSC}> {label} ?l }}"},
                      headers={"Accept": "application/sparql-results+json"})  # fmt: skip
    assert rows.status_code == 200, rows.get_data(as_text=True)
    labels = {b["l"]["value"] for b in json.loads(rows.data)["results"]["bindings"]}
    assert "bone marrow-derived mesenchymal stem cell" in labels
    # the store may take a new release while the front serves: no entity tag, no public caching of its answers
    assert "ETag" not in rows.headers and "public" not in rows.headers.get("Cache-Control", "")
    cut = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
    assert cut.status_code == 200, cut.get_data(as_text=True)
    assert cut.headers["Result-Truncated"] == "true"
    assert len(cut.get_data(as_text=True).strip().splitlines()) == 1 + 5
    ask = client.post("/sparql", data={"query": f"ASK {{ <{BM_MSC}> ?p ?o }}"})
    assert ask.status_code == 200 and json.loads(ask.data)["boolean"] is True
    construct = f"CONSTRUCT {{ <{BM_MSC}> a ?t }} WHERE {{ <{BM_MSC}> a ?t }}"
    graph = client.get("/sparql", query_string={"query": construct}, headers={"Accept": "text/turtle"})
    assert graph.status_code == 200 and graph.mimetype == "text/turtle"
    assert b"obo/CL_0002540" in graph.data  # typed by the CL class directly
    refused = client.get("/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert refused.status_code == 400 and "SERVICE" in refused.get_data(as_text=True)
    remote_from = client.get("/sparql", query_string={"query": "SELECT * FROM <http://example.org/g> { ?s ?p ?o }"})
    assert remote_from.status_code == 400 and "not a graph of this dataset" in remote_from.get_data(as_text=True)
    private = client.get("/sparql", query_string={
        "query": "SELECT * FROM <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o }"})  # fmt: skip
    assert private.status_code == 400, "Virtuoso's system graph must not be readable through the front"
    syntax = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert syntax.status_code == 400 and "syntax error" in syntax.get_data(as_text=True)  # the store's parser
    for not_a_query in ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 'DEFINE get:soft "replace" SELECT * { ?s ?p ?o }'):
        refused = client.post("/sparql", data={"query": not_a_query})
        assert refused.status_code == 400 and "starts with SELECT" in refused.get_data(as_text=True), not_a_query
    page = client.get("/entity/bm-msc", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "骨髓间充质干细胞" in page.get_data(as_text=True)
    turtle = client.get("/entity/bm-msc", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and b"CL_0002540" in turtle.data


def test_timeout_stops_the_query_on_virtuoso(published_virtuoso, real_release: Path) -> None:  # type: ignore[no-untyped-def]
    client = _front(published_virtuoso.sparql, real_release, query_timeout=2.0).test_client()
    started = time.monotonic()
    response = client.post("/sparql", data={"query": HEAVY})
    seconds = time.monotonic() - started
    assert response.status_code == 503, response.get_data(as_text=True)
    assert "ran longer than the 2 s limit and was stopped" in response.get_data(as_text=True)
    assert 1.5 <= seconds < 6.0
    time.sleep(0.5)
    before = published_virtuoso.cpu_seconds()
    time.sleep(1.5)
    assert published_virtuoso.cpu_seconds() - before < 0.5, "Virtuoso still runs the stopped query"


def test_unreachable_store_is_a_503_at_once(real_release: Path) -> None:
    client = _front(f"http://127.0.0.1:{free_port()}/sparql", real_release).test_client()
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    assert response.status_code == 503
    assert "cannot be reached" in response.get_data(as_text=True)
    assert time.monotonic() - started < 5.0


def test_msckg_serve_store_answers_over_http(published_virtuoso, real_release: Path) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "server", "serve", "--release", str(real_release), "--port", str(port),
         "--store", published_virtuoso.sparql], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                response = requests.get(base + "/sparql", params={"query": f"ASK {{ <{BM_MSC}> ?p ?o }}"}, timeout=10)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and process.poll() is None, "msckg serve --store did not start"
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["boolean"] is True
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert f"serving {published_virtuoso.sparql}" in out.decode()


def test_live_front_over_virtuoso_serves_sparqlwrapper(published_virtuoso, real_release: Path) -> None:  # type: ignore[no-untyped-def]
    from SPARQLWrapper import JSON, SPARQLWrapper

    server = _start_live(_front(published_virtuoso.sparql, real_release))
    try:
        client = SPARQLWrapper(f"http://127.0.0.1:{server.effective_port}/sparql")
        client.setReturnFormat(JSON)
        client.setQuery(f"SELECT ?t WHERE {{ <{BM_MSC}> a ?t }}")
        types = {b["t"]["value"] for b in client.queryAndConvert()["results"]["bindings"]}
        assert "http://purl.obolibrary.org/obo/CL_0002540" in types
    finally:
        server.close()
