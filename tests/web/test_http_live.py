"""Against a real server on 127.0.0.1 (waitress + the worker pool) with real clients.

SPARQLWrapper and rdflib's SPARQLStore round-trip SELECT, ASK, CONSTRUCT and DESCRIBE; a query past the time
limit is stopped (its worker process is gone) while a concurrent query still answers; SERVICE and remote FROM
make no outbound connection.
"""

import os
import socket
import threading
import time

import requests
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, RDFXML, TURTLE, SPARQLWrapper

BM_MSC = "https://w3id.org/msc-liver/entity/bm-msc"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12)) + " }"


def test_sparqlwrapper_select_ask_construct_describe(live_server) -> None:  # type: ignore[no-untyped-def]
    client = SPARQLWrapper(live_server["url"] + "/sparql")
    client.setReturnFormat(JSON)
    client.setQuery(f"SELECT ?label WHERE {{ <{BM_MSC}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}")
    labels = {b["label"]["value"] for b in client.queryAndConvert()["results"]["bindings"]}
    assert labels == {"bone marrow-derived mesenchymal stem cell", "骨髓间充质干细胞"}
    client.setQuery(f"ASK {{ <{BM_MSC}> ?p ?o }}")
    assert client.queryAndConvert()["boolean"] is True
    client.setReturnFormat(TURTLE)
    client.setQuery("CONSTRUCT WHERE { ?s a ?t }")
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(graph) == 3
    client.setReturnFormat(RDFXML)
    client.setQuery(f"DESCRIBE <{BM_MSC}>")
    described = client.queryAndConvert()
    assert isinstance(described, Graph)
    assert (URIRef(BM_MSC), RDF.type, URIRef("https://w3id.org/msc-liver/ontology/BoneMarrowMSC")) in described


def test_rdflib_sparqlstore(live_server) -> None:  # type: ignore[no-untyped-def]
    store = Graph(SPARQLStore(live_server["url"] + "/sparql"))  # its default: XML results, RDF/XML graphs
    rows = list(store.query(f"SELECT ?t WHERE {{ <{BM_MSC}> a ?t }}"))
    assert [str(r[0]) for r in rows] == ["https://w3id.org/msc-liver/ontology/BoneMarrowMSC"]
    assert store.query(f"ASK {{ <{BM_MSC}> ?p ?o }}").askAnswer is True
    constructed = store.query("CONSTRUCT WHERE { ?s a ?t }").graph
    assert constructed is not None and len(constructed) == 3
    described = store.query(f"DESCRIBE <{BM_MSC}>").graph
    assert described is not None and len(described) == 5


def test_timeout_stops_query_and_others_still_answer(live_server) -> None:  # type: ignore[no-untyped-def]
    pool = live_server["app"].extensions["msckg"]["engine"]
    pids_before = set(pool.worker_pids())
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        response = requests.post(live_server["url"] + "/sparql", data={"query": CROSS_PRODUCT}, timeout=30)
        outcome.update(status=response.status_code, text=response.text, seconds=time.monotonic() - started)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    quick = requests.get(live_server["url"] + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
    assert quick.status_code == 200 and quick.json()["boolean"] is True
    assert time.monotonic() - started < 1.5
    thread.join()
    assert outcome["status"] == 503
    assert "ran longer than the 2 s limit and was stopped" in str(outcome["text"])
    assert 2.0 <= float(outcome["seconds"]) < 5.0  # type: ignore[arg-type]
    # The worker that ran it was killed: one of the original processes no longer exists.
    deadline = time.monotonic() + 2.0  # SIGKILL is delivered asynchronously; give a loaded machine a moment
    while len({pid for pid in pids_before if _exists(pid)}) != len(pids_before) - 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len({pid for pid in pids_before if _exists(pid)}) == len(pids_before) - 1
    time.sleep(0.5)  # its replacement is forked in the background
    assert requests.get(live_server["url"] + "/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child stays a zombie until reaped; treat zombies as gone, and one reaped while we look
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_no_outbound_connection(live_server) -> None:  # type: ignore[no-untyped-def]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(1.0)
    target = f"http://127.0.0.1:{listener.getsockname()[1]}/data.ttl"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"LOAD <{target}>",
    ]
    try:
        for query in queries:
            response = requests.post(live_server["url"] + "/sparql", data={"query": query}, timeout=10)
            assert response.status_code == 400, (query, response.text)
        update = requests.post(
            live_server["url"] + "/sparql",
            data=f"LOAD <{target}>".encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=10,
        )
        assert update.status_code == 403
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            connection = None
        assert connection is None, "the server opened a connection to the listener"
    finally:
        listener.close()


def test_content_type_and_errors_over_http(live_server) -> None:  # type: ignore[no-untyped-def]
    response = requests.get(live_server["url"] + "/sparql", params={"query": "SELECT * WHERE {"}, timeout=10)
    assert response.status_code == 400 and response.headers["Content-Type"].startswith("text/plain")
    big = requests.post(
        live_server["url"] + "/sparql",
        data=b"#" * (70 * 1024),
        headers={"Content-Type": "application/sparql-query"},
        timeout=10,
    )
    assert big.status_code == 413
