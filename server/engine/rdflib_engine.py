"""rdflib's own SPARQL engine behind the same protocol, kept to compare against (benchmarks, result checks).

It is not what the server uses: on our competency questions it is one to three orders of magnitude slower
than pyoxigraph (``benchmarks/bench_inprocess.py`` prints the figures) and it cannot be stopped mid-query.
"""

from dataclasses import dataclass
from pathlib import Path

from pyparsing import ParseException
from rdflib import Dataset, Graph

from server.engine import QueryResult, QuerySpec
from server.engine.formats import GRAPH_FORMATS, SOLUTION_FORMATS, negotiate
from server.engine.guard import read_query
from server.errors import QueryError

_RDFLIB_RESULT = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}
_RDFLIB_GRAPH = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "nquads": "nquads",
                 "trig": "trig"}  # fmt: skip


@dataclass
class RdflibEngine:
    """rdflib Dataset whose default graph is the union of its named graphs."""

    dataset: Dataset

    @classmethod
    def from_dump(cls, dump: Path) -> "RdflibEngine":
        """Load a release's N-Quads dump.

        :param dump: the ``.nq`` file.
        :returns: the engine.
        """
        dataset = Dataset(default_union=True)
        dataset.parse(dump, format="nquads")
        return cls(dataset)

    def query(self, spec: QuerySpec) -> QueryResult:
        """Run a query (no row cap, no time limit, no protocol dataset: comparison only).

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        :raises QueryError: on a syntax error or a refused feature.
        """
        graphs = {str(g.identifier) for g in self.dataset.graphs()}
        read_query(spec.text, graphs, spec.max_length, spec.max_depth)
        try:
            result = self.dataset.query(spec.text)
        except ParseException as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from exc
        if result.type == "ASK" or result.type == "SELECT":
            fmt = negotiate(SOLUTION_FORMATS, spec.accept, spec.format)
            body = result.serialize(format=_RDFLIB_RESULT[fmt.short], encoding="utf-8") or b""
            return QueryResult(body, fmt.media_type, False, "boolean" if result.type == "ASK" else "solutions")
        fmt = negotiate(GRAPH_FORMATS, spec.accept, spec.format)
        graph = result.graph if result.graph is not None else Graph()
        body = graph.serialize(format=_RDFLIB_GRAPH[fmt.short], encoding="utf-8")
        return QueryResult(body, fmt.media_type, False, "graph")
