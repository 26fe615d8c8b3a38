"""The embedded engine: pyoxigraph's in-memory store with the union of all graphs as default graph.

:func:`execute` runs one query against a store and writes the negotiated format; the worker processes of
:mod:`server.engine.pool` call it, and so does :class:`OxigraphEngine` (in-process, no time limit: for the
CLI, tests and benchmarks).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from server.engine import QueryResult, QuerySpec
from server.engine.formats import GRAPH_FORMATS, SOLUTION_FORMATS, negotiate
from server.engine.guard import read_query
from server.engine.results import write_boolean, write_solutions
from server.errors import LoadError, QueryError


def load_store(dump: Path) -> ox.Store:
    """Load a release's N-Quads dump into a new in-memory store.

    :param dump: the release's ``.nq`` file.
    :returns: the store.
    :raises LoadError: if the dump is missing or malformed.
    """
    store = ox.Store()
    try:
        store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    except (OSError, SyntaxError, ValueError) as exc:
        raise LoadError(dump, None, f"cannot load the release store: {exc}") from exc
    return store


def named_graphs(store: ox.Store) -> set[str]:
    """Return the IRIs of the store's named graphs.

    :param store: the store.
    :returns: graph IRIs.
    """
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def _dataset_args(spec: QuerySpec, graphs: set[str], own_dataset: bool) -> dict[str, object]:
    if not spec.default_graph_uris and not spec.named_graph_uris:
        return {} if own_dataset else {"use_default_graph_as_union": True}
    for iri in (*spec.default_graph_uris, *spec.named_graph_uris):
        if iri not in graphs:
            raise QueryError(f"<{iri}> is not a graph of this dataset")
    args: dict[str, object] = {}
    if spec.default_graph_uris:
        args["default_graph"] = [ox.NamedNode(i) for i in spec.default_graph_uris]
    else:
        args["use_default_graph_as_union"] = True
    if spec.named_graph_uris:
        args["named_graphs"] = [ox.NamedNode(i) for i in spec.named_graph_uris]
    return args


def write_result(result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple], spec: QuerySpec) -> QueryResult:
    """Write a query's result in the format the client negotiated, capping rows or triples.

    Shared by the embedded engine and the remote one (which parses the store's answer into the same objects),
    so both answer in exactly the same shape.

    :param result: an ASK answer, SELECT solutions, or the triples of a CONSTRUCT / DESCRIBE.
    :param spec: accept header, format parameter and row cap.
    :returns: the serialized result.
    :raises NotAcceptable: when no accepted format fits the result's kind.
    """
    if isinstance(result, ox.QueryBoolean):
        fmt = negotiate(SOLUTION_FORMATS, spec.accept, spec.format)
        return QueryResult(write_boolean(fmt.short, bool(result)), fmt.media_type, False, "boolean")
    if isinstance(result, ox.QuerySolutions):
        fmt = negotiate(SOLUTION_FORMATS, spec.accept, spec.format)
        document, cut = write_solutions(result, fmt.short, spec.row_limit, spec.byte_limit)
        return QueryResult(document, fmt.media_type, cut is not None, "solutions", cut)  # type: ignore[arg-type]
    fmt = negotiate(GRAPH_FORMATS, spec.accept, spec.format)
    triples: dict[ox.Triple, None] = {}
    cut_by: Literal["rows", "bytes"] | None = None
    size = 0
    for triple in result:  # DESCRIBE over the union graph can repeat triples: keep each once
        if triple in triples:
            continue
        size += len(str(triple).encode("utf-8")) + 3  # its N-Triples line in bytes (" .\n"): other formats write less
        if len(triples) == spec.row_limit or size > spec.byte_limit:
            cut_by = "rows" if len(triples) == spec.row_limit else "bytes"
            break
        triples[triple] = None
    assert fmt.rdf is not None  # noqa: S101 - every graph format has an RDF serializer
    if fmt.rdf in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        body = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=fmt.rdf)
    else:
        body = ox.serialize(list(triples), format=fmt.rdf)
    return QueryResult(body or b"", fmt.media_type, cut_by is not None, "graph", cut_by)


def execute(store: ox.Store, graphs: set[str], spec: QuerySpec) -> QueryResult:
    """Run one query and write its result in the negotiated format, capping rows or triples.

    :param store: the store.
    :param graphs: the store's named graphs (for FROM and ``default-graph-uri`` checks).
    :param spec: query text, protocol dataset, accept header, format parameter and caps.
    :returns: the serialized result.
    :raises QueryError: on a syntax error (with line and column), a refused feature, an unknown graph or
        function, or a query the engine cannot evaluate (its message).
    :raises NotAcceptable: when no accepted format fits the result's kind.
    """
    reading = read_query(spec.text, graphs, spec.max_length, spec.max_depth)
    try:
        return write_result(store.query(spec.text, **_dataset_args(spec, graphs, reading.own_dataset)), spec)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax {exc}") from exc
    except (OSError, RuntimeError, UnicodeError, ValueError) as exc:  # the engine's word on the query
        raise QueryError(f"the query cannot be evaluated: {exc}") from exc


@dataclass
class OxigraphEngine:
    """In-process engine over one store (no wall-clock limit; the server uses the worker pool)."""

    store: ox.Store
    graphs: set[str] = field(default_factory=set)

    @classmethod
    def from_dump(cls, dump: Path) -> "OxigraphEngine":
        """Load a release dump.

        :param dump: the release's ``.nq`` file.
        :returns: the engine.
        """
        store = load_store(dump)
        return cls(store, named_graphs(store))

    def query(self, spec: QuerySpec) -> QueryResult:
        """Run a query.

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        """
        return execute(self.store, self.graphs, spec)
