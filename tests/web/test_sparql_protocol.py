"""The SPARQL 1.1 Protocol, rule by rule, through the real Flask app (test client, in-process engine).

Responses are parsed back (JSON, XML, RDF) and checked, not string-compared.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/msc-liver/ontology/BoneMarrowMSC> }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
BM_MSC = "https://w3id.org/msc-liver/entity/bm-msc"
SD = "http://www.w3.org/ns/sparql-service-description#"


def _bindings(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.data)["results"]["bindings"]


def test_get_query(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
    assert [b["s"]["value"] for b in _bindings(response)] == [BM_MSC]


def test_post_form(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data={"query": SELECT})
    assert [b["s"]["value"] for b in _bindings(response)] == [BM_MSC]


def test_post_direct(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data=SELECT.encode(), content_type="application/sparql-query")
    assert [b["s"]["value"] for b in _bindings(response)] == [BM_MSC]


@pytest.mark.parametrize(
    ("kwargs", "content_type"),
    [({"data": {"query": SELECT}}, None), ({"data": SELECT.encode()}, "application/sparql-query")],
)
def test_query_in_url_and_body_is_400(client, kwargs, content_type) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql?query=ASK%7B%7D", content_type=content_type, **kwargs)
    assert response.status_code == 400
    assert "both in the URL and in the request body" in response.get_data(as_text=True)


def test_query_given_twice_is_400(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400


def test_unknown_content_type_is_415(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data=b"{}", content_type="application/json")
    assert response.status_code == 415


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": b"DROP ALL", "content_type": "application/sparql-update"},
        {"data": {"update": "DROP ALL"}},
    ],
)
def test_update_is_403(client, kwargs) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", **kwargs)
    assert response.status_code == 403
    assert response.get_data(as_text=True).startswith("The server is read-only")


def test_no_query_gives_service_description(client) -> None:  # type: ignore[no-untyped-def]
    for accept, fmt in [("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")]:
        response = client.get("/sparql", headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(accept)
        graph = Graph().parse(data=response.data, format=fmt)
        assert (None, RDF.type, URIRef(SD + "Service")) in graph
        assert (None, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in graph


def test_browser_gets_query_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "LIMIT 5" in response.get_data(as_text=True)


def test_accept_q_values_choose_xml(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(
        "/sparql",
        query_string={"query": SELECT},
        headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml"},
    )
    assert response.headers["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    uris = [u.text for u in ET.fromstring(response.data).findall(".//r:uri", ns)]
    assert uris == [BM_MSC]


def test_csv_tsv_and_format_parameter(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "text/csv"})
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [["s"], [BM_MSC]]
    response = client.get("/sparql", query_string={"query": SELECT, "format": "tsv"})
    assert response.headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert response.get_data(as_text=True).splitlines() == ["?s", f"<{BM_MSC}>"]


def test_ask_json(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": f"ASK {{ <{BM_MSC}> ?p ?o }}"})
    assert json.loads(response.data) == {"head": {}, "boolean": True}


def test_nothing_acceptable_is_406(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_formats_round_trip(client, accept, fmt) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.headers["Content-Type"] == f"{accept}; charset=utf-8"
    graph = Graph().parse(data=response.data, format=fmt)
    assert len(graph) == 20
    assert (URIRef(BM_MSC), URIRef("https://w3id.org/msc-liver/ontology/differentiatesInto"), None) in graph


@pytest.mark.parametrize(("accept", "fmt"), [("application/n-quads", "nquads"), ("application/trig", "trig")])
def test_construct_as_quads(client, accept, fmt) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": CONSTRUCT}, headers={"Accept": accept})
    ds = Dataset()
    ds.parse(data=response.data, format=fmt)
    assert len(ds) == 20


def test_describe_has_no_duplicates(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{BM_MSC}>", "format": "ntriples"})
    lines = [line for line in response.get_data(as_text=True).splitlines() if line]
    assert len(lines) == len(set(lines)) == 5


def test_default_and_named_graph_uri(client) -> None:  # type: ignore[no-untyped-def]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    entities = "https://w3id.org/msc-liver/graph/entities/cells"
    only = client.get("/sparql", query_string={"query": count, "default-graph-uri": entities})
    assert _bindings(only)[0]["n"]["value"] == "9"
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", query_string={"query": named, "named-graph-uri": entities})
    assert [b["g"]["value"] for b in _bindings(response)] == [entities]
    unknown = client.get("/sparql", query_string={"query": count, "default-graph-uri": "http://example.org/g"})
    assert unknown.status_code == 400


def test_malformed_query_is_400_with_position(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "1:" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * FROM <http://127.0.0.1:9/data.ttl> WHERE { ?s ?p ?o }", "never fetches remote data"),
        ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "not a graph"),
        ("LOAD <http://127.0.0.1:9/data.ttl>", "syntax"),
    ],
)
def test_outbound_features_refused(client, query, message) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_local_from_is_allowed(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT ?s FROM <https://w3id.org/msc-liver/graph/entities/cells> WHERE { ?s a ?t }"
    assert len(_bindings(client.get("/sparql", query_string={"query": query}))) == 2


def test_body_cap_is_413(client) -> None:  # type: ignore[no-untyped-def]
    big = "# " + "x" * 5000 + "\nASK {}"
    response = client.post("/sparql", data=big.encode(), content_type="application/sparql-query")
    assert response.status_code == 413


def test_query_length_cap_is_400(client, app) -> None:  # type: ignore[no-untyped-def]
    limit = app.extensions["msckg"]["settings"].max_query_length
    response = client.get("/sparql", query_string={"query": "#" * (limit + 1) + "\nASK {}"})
    assert response.status_code == 400
    assert f"the limit is {limit}" in response.get_data(as_text=True)


def test_row_cap_is_signalled(endpoint_release) -> None:  # type: ignore[no-untyped-def]
    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE
    from server.web import create_app
    from tests.conftest import make_settings

    app = create_app(
        make_settings(endpoint_release, row_limit=3), OxigraphEngine.from_dump(endpoint_release / DUMP_FILE)
    )
    response = app.test_client().get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert len(_bindings(response)) == 3
    assert response.headers["Result-Truncated"] == "true" and response.headers["Result-Row-Limit"] == "3"
    small = app.test_client().get("/sparql", query_string={"query": SELECT})
    assert "Result-Truncated" not in small.headers


def test_cors(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": SELECT})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    preflight = client.options(
        "/sparql", headers={"Origin": "http://example.org", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_health_and_void(client) -> None:  # type: ignore[no-untyped-def]
    health = json.loads(client.get("/health").data)
    assert {k: health[k] for k in ("status", "version", "quads")} == {"status": "ok", "version": "2026-01-01",
                                                                      "quads": 19}  # fmt: skip
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.data, format="turtle")
    endpoints = list(graph.objects(None, URIRef("http://rdfs.org/ns/void#sparqlEndpoint")))
    assert len(endpoints) == 1 and str(endpoints[0]).endswith("/sparql")


def test_entity_page_escapes_and_negotiates(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/entity/hepatocyte", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "肝细胞" in html and 'href="/term/CL:0000182"' in html
    term = client.get("/term/CL:0000182", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="http://purl.obolibrary.org/obo/CL_0000182"' in term and 'href="/entity/hepatocyte"' in term
    page = client.get("/entity/bm-msc", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/np/t-01"' in page and 'href="/entity/hepatocyte"' in page
    nanopub = client.get("/np/t-01", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "通过分化为肝细胞" in nanopub and "https://doi.org/10.1186/s13287-023-03494-2" in nanopub
    turtle = client.get("/entity/bm-msc", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=turtle.data, format="turtle")
    assert (URIRef(BM_MSC), RDF.type, URIRef("https://w3id.org/msc-liver/ontology/BoneMarrowMSC")) in graph
    jsonld = client.get("/entity/bm-msc", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=jsonld.data, format="json-ld")) == len(graph)
    assert client.get("/entity/no-such-thing", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/entity/no-such-thing", headers={"Accept": "text/turtle"}).status_code == 404


def test_graph_and_nanopub_iris_dereference(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/np/t-01/assertion", headers={"Accept": "application/n-triples"})
    graph = Graph().parse(data=response.data, format="nt")
    assert list(graph) == [
        (URIRef(BM_MSC), URIRef("https://w3id.org/msc-liver/ontology/differentiatesInto"),
         URIRef("https://w3id.org/msc-liver/entity/hepatocyte"))
    ]  # fmt: skip
    page = client.get("/np/t-01", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "np/t-01/assertion" in page.get_data(as_text=True)


def test_former_graph_iris_redirect_permanently(client) -> None:  # type: ignore[no-untyped-def]
    for part in ("head", "assertion", "provenance", "pubinfo"):
        response = client.get(f"/graph/{part}/t-01?format=turtle")
        assert response.status_code == 301
        assert response.headers["Location"].endswith(f"/np/t-01/{part}?format=turtle")
    followed = client.get("/graph/assertion/t-01", headers={"Accept": "application/n-triples"}, follow_redirects=True)
    assert followed.status_code == 200 and "differentiatesInto" in followed.get_data(as_text=True)
    assert client.get("/graph/assertion/Not_An_Id").status_code == 404
