"""The guard reads a query as oxigraph's parser does: every bypass of the regex guard is refused, and the depth.

The bypasses are the ones an adversarial round found (each made a worker call a client-chosen address); that the
engine really reads SERVICE in each is shown in ``test_isolation.py``, which runs them unguarded.
"""

import pytest

from server.engine import QuerySpec
from server.engine.guard import read_query
from server.engine.oxigraph_engine import OxigraphEngine
from server.errors import QueryError, QueryRefused
from server.release.layout import DUMP_FILE
from tests.engine.test_isolation import bypasses

GRAPH = "https://w3id.org/msc-liver/graph/entities/cells"
OURS = {GRAPH}


@pytest.mark.parametrize("query", bypasses(9), ids=["plain", "comment-ended-by-CR", "SERVICE-glued-to-pname",
                                                    "less-than-quote"])  # fmt: skip
def test_every_service_bypass_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        read_query(query, OURS)


@pytest.mark.parametrize(
    "query",
    [
        "select * { service <http://x/> { } }",
        "SELECT * { SeRvIcE SILENT <http://x/> { } }",
        "SELECT * { VALUES ?u { <http://x/> } SERVICE ?u { } }",
        "SELECT * {\tSERVICE\r<http://x/>{} }",
        "SELECT * { ?s ?p ?o #\nSERVICE <http://x/> {} }",
        "SELECT * { ?s ?p ?o . SERVICE<http://x/>{} }",
    ],
)
def test_other_spellings_of_service_are_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="SERVICE"):
        read_query(query, OURS)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM<http://evil.example/> { ?s ?p ?o }",
        "SELECT * FROM NAMED<http://evil.example/> { GRAPH ?g { ?s ?p ?o } }",
        "select * from <http://evil.example/> { ?s ?p ?o }",
        "PREFIX e: <http://evil.example/> SELECT * FROM e:x { ?s ?p ?o }",
        "BASE <http://evil.example/> SELECT * FROM <x> { ?s ?p ?o }",
        "SELECT * FROM #c\r<http://evil.example/> { ?s ?p ?o }",
        "SELECT * FROM <http://evil.example/\\u0067> { ?s ?p ?o }",
        f"SELECT * FROM <{GRAPH}> FROM <http://evil.example/> {{ ?s ?p ?o }}",
        "CONSTRUCT FROM<http://evil.example/> WHERE { ?s ?p ?o }",
        "ASK FROM<http://evil.example/> { ?s ?p ?o }",
        "DESCRIBE ?s FROM<http://evil.example/> WHERE { ?s ?p ?o }",
    ],
)
def test_remote_from_is_refused_in_every_spelling(query: str) -> None:
    with pytest.raises(QueryRefused, match="FROM <http://evil.example/"):
        read_query(query, OURS)


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT * FROM<{GRAPH}> {{ ?s ?p ?o }}",
        "PREFIX g: <https://w3id.org/msc-liver/graph/entities/> SELECT * FROM g:cells { ?s ?p ?o }",
        "BASE <https://w3id.org/msc-liver/graph/entities/> SELECT * FROM <cells> { ?s ?p ?o }",
        "SELECT * FROM <https://w3id.org/msc-liver/graph/entities/c\\u0065lls> { ?s ?p ?o }",
    ],
)
def test_our_graphs_in_from_are_read_in_every_spelling(query: str) -> None:
    assert read_query(query, OURS).own_dataset


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?service ?serviceType WHERE { ?service ?p ?o }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o . ?s ex:from ?x }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
    ],
)
def test_queries_that_only_mention_the_words_pass(query: str) -> None:
    reading = read_query(query, OURS)
    assert not reading.own_dataset


def test_from_without_a_space_chooses_the_dataset(endpoint_release) -> None:  # type: ignore[no-untyped-def]
    """``FROM<iri>`` was read by the engine, missed by the guard, and then overridden by the union graph."""
    engine = OxigraphEngine.from_dump(endpoint_release / DUMP_FILE)
    graph = sorted(engine.graphs)[0]
    count = "SELECT (COUNT(*) AS ?n) {FROM} WHERE {{ ?s ?p ?o }}"
    every = engine.query(QuerySpec(count.format(FROM=""), format="csv")).body.split()[-1]
    spaced = engine.query(QuerySpec(count.format(FROM=f"FROM <{graph}>"), format="csv")).body.split()[-1]
    glued = engine.query(QuerySpec(count.format(FROM=f"FROM<{graph}>"), format="csv")).body.split()[-1]
    assert glued == spaced and int(spaced) < int(every)


NESTINGS = {
    "groups": lambda n: "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n,
    "parentheses": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * n + "true" + ")" * n + ") }",
    "not": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * n + "true) }",
    "STR(": lambda n: "SELECT * WHERE { ?s ?p ?o FILTER(" + "STR(" * n + "?o" + ")" * n + ") }",
    "collections": lambda n: "SELECT * WHERE { ?s ?p " + "(" * n + "1" + ")" * n + " }",
    "blank nodes": lambda n: "SELECT * WHERE { ?s ?p " + "[ ?p " * n + "1" + "]" * n + " }",
}


@pytest.mark.parametrize("kind", NESTINGS)
def test_deep_nesting_is_refused_before_parsing_with_the_depth(kind: str) -> None:
    with pytest.raises(QueryError, match=r"nests 300[0-9] levels deep .*; the limit is 64"):
        read_query(NESTINGS[kind](3000), OURS, max_length=100_000)
    assert read_query(NESTINGS[kind](20), OURS).depth >= 20


#: Pieces that put SERVICE and FROM at the edges of every kind of token, for the quick path's differential test.
PIECES = ["SERVICE", "service", "ſervıce", "FROM", "from", "From", "<", ">", "'", '"', "#", "\n", "\r", " ", "?x",
          "$y", "?", "prov:wasDerivedFrom", "ex:", ":", "a", "true", "ASK", "ask", "IN", "@en", "@en-GB", "{", "}",
          "(", ")", "[", "]", "!", "^", "1", "1.5", "e5", "_:b", "SELECT", "<http://x/>", "Derived", "ASKFROM",
          "x", "\\u0053", ".", ";", "ſ", "ı", "é", "ROM", "ERVICE"]  # fmt: skip


def _fuzz(count: int) -> list[str]:
    import random

    pick = random.Random(19)  # noqa: S311 - a fixed corpus of test queries, not a secret
    return ["".join(pick.choice(PIECES) for _ in range(pick.randint(1, 14))) for _ in range(count)]


def test_the_quick_path_agrees_with_the_full_scan() -> None:
    """Whenever the guard decides without the full scan, the scan lets the query through with no dataset of its
    own and a depth within the quick path's bound; and the quick path does decide the ordinary queries."""
    from server.engine.guard import _quick_reading, full_reading

    decided = 0
    for text in _fuzz(6000) + bypasses(9):
        quick = _quick_reading(text, 64)
        if quick is None:
            continue
        decided += 1
        full = full_reading(text, set(), 64)  # no graph is ours: a FROM the quick path missed would raise
        assert not full.own_dataset and full.depth <= quick.depth, text
    assert decided > 1000  # the check above has cases to bite on
    ordinary = ["# which ones come from the review?\nPREFIX prov: <http://www.w3.org/ns/prov#>\n"
                "SELECT ?a WHERE { ?a prov:wasDerivedFrom ?r }", "ASK { ?s ?p ?o }"]  # fmt: skip
    assert all(_quick_reading(text, 64) is not None for text in ordinary)
