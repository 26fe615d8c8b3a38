"""``/api/paths``, ``/api/contradictions``, ``/paths`` and the diagrams on chain and entity pages, over a release made
from the hand-made path fixture: through Flask's test client (in-process engine) and a live server on the real
worker pool."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
import requests

from server.engine.oxigraph_engine import OxigraphEngine
from server.release.layout import DUMP_FILE
from server.web import create_app
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def client(paths_release: Path):  # type: ignore[no-untyped-def]
    engine = OxigraphEngine.from_dump(paths_release / DUMP_FILE)
    return create_app(make_settings(paths_release), engine).test_client()


def test_api_paths_answers_the_documented_json(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/paths", query_string={"from": "CL:0002540", "to": "target process"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert (body["from"], body["to"], body["net"]) == ("msce:agent", "msce:target", "mixed")
    chain = next(p for p in body["paths"] if p["chain"])
    assert (chain["kind"], chain["sign"], chain["nodes"]) == (
        "stated",
        "+",
        ["msce:agent", "msce:mediator", "msce:target"],
    )
    step = chain["steps"][0]
    assert set(step) >= {"subject", "predicate", "object", "sign", "nanopub", "reference", "species", "modality",
                         "evidence"}  # fmt: skip
    assert (step["sign"], step["species"], step["evidence"]) == ("-", ["NCBITaxon:10090"], "animal in vivo")
    assert body["labels"]["msce:agent"] == {"en": "agent cell", "zh": "药剂细胞"}
    assert body["labels"]["NCBITaxon:10090"] == {"en": "Mus musculus", "zh": "小家鼠"}  # species named too
    assert body["summary"]["labels"]["NCBITaxon:10090"] == "Mus musculus"
    assert [c["kind"] for c in body["summary"]["contradictions"]] == ["opposite signs"]


def test_api_paths_options_and_errors(client) -> None:  # type: ignore[no-untyped-def]
    same = client.get("/api/paths?from=agent&to=score&same_context=1").get_json()
    assert same["paths"] and all(not p["junctions"] for p in same["paths"])
    human = client.get("/api/paths?from=agent&to=score&species=NCBITaxon:9606&max_length=1").get_json()
    assert [p["steps"][0]["nanopub"].rsplit("/", 1)[-1] for p in human["paths"]] == ["fx-06"]
    ambiguous = client.get("/api/paths?from=twin&to=score")
    assert ambiguous.status_code == 400
    assert {c["curie"] for c in ambiguous.get_json()["candidates"]} == {"msce:twin-a", "msce:twin-b"}
    for query, message in (("from=agent", "both ends"), ("from=agent&to=score&max_length=99", "between 1 and"),
                           ("from=agent&to=score&max_length=x", "whole number"),
                           ("from=agent&to=score&species=mouse", "NCBITaxon")):  # fmt: skip
        response = client.get(f"/api/paths?{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True), query


def test_contradictions_as_csv_and_json(client) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(client.get("/api/contradictions?format=csv").get_data(as_text=True))))
    assert {(r["nanopub_1"].rsplit("/", 1)[-1], r["nanopub_2"].rsplit("/", 1)[-1], r["kind"]) for r in rows} == {
        ("fx-04", "fx-06", "null result against an effect"), ("fx-07", "fx-08", "opposite signs")}  # fmt: skip
    assert all(r["reference_1"] and r["reference_2"] for r in rows)
    assert len(client.get("/api/contradictions").get_json()) == 2
    downloads = client.get("/download/", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/api/contradictions?format=csv" id="contradictions-csv"' in downloads


def test_paths_page_form_and_answer(client) -> None:  # type: ignore[no-untyped-def]
    form = client.get("/paths").get_data(as_text=True)
    assert 'id="paths-form"' in form and '<datalist id="node-names">' in form
    assert '<option value="药剂细胞">' in form and '<option value="agent cell">' in form
    page = client.get("/paths?from=agent&to=score").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", page)
    assert 'class="diagram"' in page and "species changes after step 2: Mus musculus → Homo sapiens" in text
    assert '<span title="NCBITaxon:10090">Mus musculus</span>' in page  # named, the CURIE on hover
    wrong = client.get("/paths?from=twin&to=score")
    assert wrong.status_code == 400 and "ambiguous" in wrong.get_data(as_text=True)


def test_chain_and_entity_pages_draw_their_claims(client) -> None:  # type: ignore[no-untyped-def]
    chain = client.get("/chain/fx-chain", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-nodes="3"' in chain and 'data-edges="2"' in chain and "How sure we are" in chain
    entity = client.get("/entity/mediator", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-nodes="4"' in entity  # agent → mediator → target, mediator → side score
    claim = client.get("/np/fx-09", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'data-nodes="5"' in claim and 'data-edges="3"' in claim  # a nanopublication draws its own claim
    plain = client.get("/entity/mouse-model", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'class="diagram"' not in plain  # no causal claim: no diagram


def test_live_server_on_the_worker_pool(paths_server: str) -> None:
    response = requests.get(paths_server + "/api/paths", params={"from": "agent", "to": "score"}, timeout=30)
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["net"] == "+" and any(p["kind"] == "derived" for p in body["paths"])
    busy = requests.get(paths_server + "/api/paths", params={"from": "nobody", "to": "score"}, timeout=30)
    assert busy.status_code == 400 and "no node" in busy.json()["error"]


def test_api_paths_cap_and_time_limit(paths_release: Path) -> None:
    """The query limits hold for paths: the cap is said in the answer and its header; a search past the query time
    limit is stopped and answered 503 with Retry-After (layers of 20 nodes, one claim per layer: 20**5 paths)."""
    import pyoxigraph as ox

    msc, entity, np = ("https://w3id.org/msc-liver/ontology/", "https://w3id.org/msc-liver/entity/",
                       "https://w3id.org/msc-liver/np/")  # fmt: skip
    raises = ox.NamedNode(msc + "raises")
    store = ox.Store()
    store.add(ox.Quad(raises, ox.NamedNode(msc + "relationKind"), ox.Literal("causal")))
    store.add(ox.Quad(raises, ox.NamedNode(msc + "sign"), ox.Literal("+")))
    layers = [["s"], *([f"{d}-{i}" for i in range(20)] for d in range(5)), ["t"]]
    graphs = set()
    for n, (here, there) in enumerate(zip(layers, layers[1:], strict=False)):
        claim, assertion = ox.NamedNode(f"{np}dense-{n}"), ox.NamedNode(f"{np}dense-{n}/assertion")
        store.add(ox.Quad(claim, ox.NamedNode("http://www.nanopub.org/nschema#hasAssertion"), assertion, claim))
        graphs |= {claim.value, assertion.value}
        for a in here:
            for b in there:
                store.add(ox.Quad(ox.NamedNode(entity + a), raises, ox.NamedNode(entity + b), assertion))
    client = create_app(make_settings(paths_release, query_timeout=0.3), OxigraphEngine(store, graphs)).test_client()
    cut = client.get("/api/paths?from=s&to=t&max_paths=3")
    assert cut.status_code == 200 and cut.headers["Result-Truncated"] == "true"
    assert cut.get_json()["truncated"] == ["derived"] and len(cut.get_json()["paths"]) == 3
    for path in ("/api/paths", "/paths"):
        slow = client.get(path + "?from=s&to=t&max_paths=100000000")
        assert slow.status_code == 503 and slow.headers["Retry-After"], path
        assert "0.3 s limit" in slow.get_data(as_text=True), path
