"""The result cache: the same request answered once by the engine, errors and volatile queries never kept."""

from pathlib import Path

import pytest

from server.engine import QueryResult, QuerySpec
from server.engine.cache import CachingEngine
from server.engine.oxigraph_engine import OxigraphEngine
from server.errors import QueryError
from server.release.layout import DUMP_FILE


class Counting:
    """The real in-process engine, counting the queries that reach it."""

    def __init__(self, dump: Path) -> None:
        self.inner = OxigraphEngine.from_dump(dump)
        self.calls = 0

    def query(self, spec: QuerySpec) -> QueryResult:
        self.calls += 1
        return self.inner.query(spec)


@pytest.fixture
def counting(endpoint_release: Path) -> Counting:
    return Counting(endpoint_release / DUMP_FILE)


def test_a_repeated_request_is_answered_from_memory(counting: Counting) -> None:
    cache = CachingEngine(counting, 2**20)
    spec = QuerySpec("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3")
    first, second = cache.query(spec), cache.query(spec)
    assert first == second and counting.calls == 1
    assert cache.counts()["cache_hits"] == 1 and cache.counts()["cache_misses"] == 1
    cache.query(QuerySpec(spec.text, accept="text/csv"))  # another format is another answer
    assert counting.calls == 2


def test_errors_and_volatile_queries_are_not_kept(counting: Counting) -> None:
    cache = CachingEngine(counting, 2**20)
    for _ in range(2):
        with pytest.raises(QueryError):
            cache.query(QuerySpec("SELECT ?s WHERE { ?s ?p }"))
    for _ in range(2):
        cache.query(QuerySpec("SELECT (rand() AS ?r) WHERE { }"))
    assert counting.calls == 4 and cache.counts()["cache_entries"] == 0


def test_the_cache_stays_within_its_size(counting: Counting) -> None:
    cache = CachingEngine(counting, 16384)
    for limit in range(1, 30):
        cache.query(QuerySpec(f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {limit}"))
    assert 8192 < cache.counts()["cache_bytes"] <= 16384
    calls = counting.calls
    cache.query(QuerySpec("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"))  # the oldest was let go
    assert counting.calls == calls + 1
