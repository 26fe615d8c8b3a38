"""Errors where they belong, and cheap answers without a worker: each case an adversarial round found.

Through the real app, twice (Flask's test client, and real HTTP against waitress over the worker pool).
"""

import json

import pytest
from rdflib import Graph

ASK = "ASK { ?s ?p ?o }"


def test_head_answers_like_get_without_a_body(client) -> None:  # type: ignore[no-untyped-def]
    got = client.get("/sparql", query_string={"query": ASK})
    head = client.head("/sparql", query_string={"query": ASK})
    assert head.status_code == got.status_code == 200
    assert head.headers["Content-Type"] == got.headers["Content-Type"]
    assert head.data == b""


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "/sparql?update=DROP%20ALL", {"data": {"query": ASK}}),
        ("POST", "/sparql?update=DROP%20ALL", {"data": ASK.encode(), "content_type": "application/sparql-query"}),
        ("GET", "/sparql?query=ASK%7B%7D&update=DROP%20ALL", {}),
        ("GET", "/entity/bm-msc?update=DROP%20ALL", {}),
        ("GET", "/health?update=x", {}),
    ],
)
def test_update_in_the_url_is_403_on_any_route(client, method: str, path: str, kwargs: dict) -> None:  # type: ignore[no-untyped-def]
    response = (client.get if method == "GET" else client.post)(path, **kwargs)
    assert response.status_code == 403
    assert response.get_data(as_text=True).startswith("The server is read-only")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"query=ASK%20%7B%7D%FF", "application/x-www-form-urlencoded"),
        (b"query=ASK {} \xff\xfe", "application/x-www-form-urlencoded"),
        (b"ASK { ?s ?p '\xff' }", "application/sparql-query"),
        (b"query=ASK%7B%7D", "application/x-www-form-urlencoded; charset=undefined"),
        (b"ASK {}", "application/sparql-query; charset=undefined"),
    ],
)
def test_an_undecodable_body_is_400_not_the_service_description(client, body: bytes, content_type: str) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/sparql", data=body, content_type=content_type)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "not valid text" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT (<http://x/f>(1) AS ?x) {}", "custom function <http://x/f> is not supported"),
        (
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT (xsd:foo(1) AS ?x) {}",
            "XMLSchema#foo> is not supported",
        ),
    ],
)
def test_engine_errors_on_bad_input_are_400_with_the_message(client, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/entity/a%00b", "/entity/a%0Ab", "/entity/a%7Bb%7D", "/np/x%3Cy", "/chain/a%5Cb"])
def test_entity_paths_that_cannot_be_iris_are_404_without_the_query(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "SELECT" not in response.get_data(as_text=True)


def test_depth_limit_over_http(client) -> None:  # type: ignore[no-untyped-def]
    query = "SELECT * WHERE " + "{" * 500 + " ?s ?p ?o " + "}" * 500
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert "nests 500 levels deep" in response.get_data(as_text=True)


def test_the_host_header_is_never_echoed(client) -> None:  # type: ignore[no-untyped-def]
    evil = {"Host": "evil.example"}
    for path, accept in (("/sparql", "text/turtle"), ("/.well-known/void", "text/turtle"), ("/sparql", "text/html")):
        response = client.get(path, headers={**evil, "Accept": accept})
        assert response.status_code == 200
        assert "evil.example" not in response.get_data(as_text=True), path
    described = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data, format="turtle")
    assert any(str(s).startswith("http://127.0.0.1:8000/") for s in described.subjects())


def test_health_reports_the_workers(client) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(client.get("/health").data)
    assert document["status"] == "ok"
    if "workers" in document:  # the live server runs the worker pool; the test client an in-process engine
        assert document["workers"] >= 1 and "seccomp: no socket()" in document["isolation"]


def test_result_byte_cap_is_signalled(endpoint_release) -> None:  # type: ignore[no-untyped-def]
    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE
    from server.web import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(endpoint_release, max_result_bytes=600),
                     OxigraphEngine.from_dump(endpoint_release / DUMP_FILE))  # fmt: skip
    client = app.test_client()
    for query, accept in (("SELECT * { ?s ?p ?o }", "application/sparql-results+json"),
                          ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")):  # fmt: skip
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["Result-Truncated"] == "true"
        assert response.headers["Result-Byte-Limit"] == "600" and "Result-Row-Limit" not in response.headers
        assert len(response.data) <= 600 + 3
    rows = json.loads(client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"}).data)
    assert 0 < len(rows["results"]["bindings"]) < 19


def test_void_is_made_once_per_release(client) -> None:  # type: ignore[no-untyped-def]
    from server.web.downloads import _void

    first = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    before = _void.cache_info()
    for _ in range(5):
        again = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
        assert again.data == first.data
    if before.currsize:  # the live server runs in this process too, with its own app and the same cache
        assert _void.cache_info().misses == before.misses


def test_health_is_503_when_no_worker_is_alive_and_a_dead_worker_is_503(endpoint_release, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Over the real pool: a worker killed under its query answers 503; with no worker left, /health is 503."""
    import os
    import shutil
    import signal
    import threading
    import time

    from server.web import create_app
    from tests.conftest import make_settings

    release = tmp_path / "release"
    shutil.copytree(endpoint_release, release)
    app = create_app(make_settings(release, workers=1, query_timeout=20.0))
    pool = app.extensions["msckg"]["engine"]
    client = app.test_client()
    slow = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12)) + " }"
    try:
        answers: list[object] = []
        thread = threading.Thread(target=lambda: answers.append(client.post("/sparql", data={"query": slow})))
        thread.start()
        deadline = time.monotonic() + 10
        while not pool._busy and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(next(iter(pool._busy)).pid, signal.SIGKILL)
        thread.join(timeout=10)
        (killed,) = answers
        assert killed.status_code == 503 and "was killed" in killed.get_data(as_text=True)  # type: ignore[attr-defined]
        (release / "msc-liver.nq").unlink()  # the store process cannot come back now
        os.kill(pool._store.process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while client.get("/health").status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        response = client.get("/health")
        assert response.status_code == 503
        assert json.loads(response.data)["workers"] == 0
    finally:
        pool.close()
        os.close(app.extensions["msckg"]["pin"])
