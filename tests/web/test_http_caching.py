"""HTTP caching of a release's answers: a weak ETag per release and request, 304 without evaluating, max-age."""

import json

from server.web import create_app
from tests.conftest import make_settings

LOOKUP = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2"


def test_an_answer_has_an_etag_and_a_max_age_and_304_needs_no_engine(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/sparql", query_string={"query": LOOKUP})
    tag = first.headers["ETag"]
    assert first.status_code == 200 and tag.startswith('W/"')
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/sparql", query_string={"query": LOOKUP}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    csv = client.get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": "text/csv", "If-None-Match": tag})
    assert csv.status_code == 200 and csv.headers["ETag"] != tag  # another representation, another tag
    other = client.get("/sparql", query_string={"query": LOOKUP + " OFFSET 1"}, headers={"If-None-Match": tag})
    assert other.status_code == 200


def test_no_etag_for_errors_health_post_or_volatile_queries(client) -> None:  # type: ignore[no-untyped-def]
    assert "ETag" not in client.get("/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p }"}).headers
    assert "ETag" not in client.get("/health").headers
    assert "ETag" not in client.post("/sparql", data={"query": LOOKUP}).headers
    assert "ETag" not in client.get("/sparql", query_string={"query": "SELECT (NOW() AS ?t) {}"}).headers


def test_another_release_is_another_etag(endpoint_release, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE, INFO_FILE

    newer = tmp_path / "newer"
    shutil.copytree(endpoint_release, newer)
    (newer / INFO_FILE).write_text(json.dumps({"version": "2026-02-01", "quads": 19}), encoding="utf-8")
    tags = []
    for release in (endpoint_release, newer):
        app = create_app(make_settings(release), OxigraphEngine.from_dump(release / DUMP_FILE))
        tags.append(app.test_client().get("/sparql", query_string={"query": LOOKUP}).headers["ETag"])
    assert tags[0] != tags[1]


def test_the_default_engine_keeps_answers_and_reports_hits(endpoint_release) -> None:  # type: ignore[no-untyped-def]
    app = create_app(make_settings(endpoint_release, workers=1))
    try:
        client = app.test_client()
        bodies = [client.get("/sparql", query_string={"query": LOOKUP}).data for _ in range(3)]
        health = json.loads(client.get("/health").data)
        assert bodies[0] == bodies[1] == bodies[2]
        assert health["cache_hits"] == 2 and health["cache_misses"] == 1 and health["workers"] == 1
    finally:
        app.extensions["msckg"]["engine"].close()
