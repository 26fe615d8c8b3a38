"""The row cap on pyoxigraph's own result writers: exact in every format, whatever the terms contain."""

import csv
import io

import pyoxigraph as ox
import pytest

from server.engine.results import write_boolean, write_solutions

FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
#: literals that look like row boundaries or break strings in one format or another
AWKWARD = ['},{"x":{', "a\\", '\\"', "<result></result>", "x\r\ny", '"",""\r\n', "line\nbreak", "tab\there", "",
           "[{", "\\\\", "中文 ‘quotes’", ",{"]  # fmt: skip
QUERY = "SELECT ?s ?o ?u { ?s ?p ?o } ORDER BY ?s"


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """About 3,000 rows (several of the writer's 8 KiB chunks), every one with an awkward literal."""
    store = ox.Store()
    p = ox.NamedNode("http://example.com/p")
    for i in range(3000):
        subject: ox.NamedNode | ox.BlankNode = ox.NamedNode(f"http://example.com/{i:05}")
        if i % 7 == 0:
            subject = ox.BlankNode(f"b{i:05}")
        text = AWKWARD[i % len(AWKWARD)] * (1 + i % 3)
        obj = ox.Literal(text, language="en") if i % 2 else ox.Literal(text)
        store.add(ox.Quad(subject, p, obj))
    return store


def _rows(body: bytes, short: str) -> list[tuple[str | None, ...]]:
    if short == "csv":  # pyoxigraph does not read CSV results (lossy): the standard library does
        return [tuple(row) for row in csv.reader(io.StringIO(body.decode(), newline=""))][1:]
    parsed = ox.parse_query_results(body, format=FORMATS[short])
    assert isinstance(parsed, ox.QuerySolutions)
    width = len(parsed.variables)
    return [tuple(None if s[i] is None else str(s[i]) for i in range(width)) for s in parsed]


@pytest.mark.parametrize("short", FORMATS)
@pytest.mark.parametrize("limit", [1, 2, 57, 1000, 2999, 3000, 3001, 10_000])
def test_cap_keeps_exactly_the_first_rows(store: ox.Store, short: str, limit: int) -> None:
    full = store.query(QUERY).serialize(format=FORMATS[short])
    assert full is not None
    body, truncated = write_solutions(store.query(QUERY), short, limit)
    assert truncated == ("rows" if limit < 3000 else None)
    if not truncated:
        assert body == full
    assert _rows(body, short) == _rows(full, short)[:limit]


@pytest.mark.parametrize("short", FORMATS)
def test_empty_and_all_unbound_results(store: ox.Store, short: str) -> None:
    body, truncated = write_solutions(store.query("SELECT ?x { ?s ?p ?o FILTER(false) }"), short, 3)
    assert not truncated and _rows(body, short) == []
    body, truncated = write_solutions(store.query("SELECT ?z { VALUES ?z { UNDEF UNDEF UNDEF } }"), short, 2)
    assert truncated == "rows" and len(_rows(body, short)) == 2


def test_boolean() -> None:
    assert write_boolean("json", False) == b'{"head":{},"boolean":false}'
    assert write_boolean("tsv", True) == b"?_askResult\ntrue\n"
    assert ox.parse_query_results(write_boolean("xml", True), format=ox.QueryResultsFormat.XML)
