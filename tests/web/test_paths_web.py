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
