"""The query engine behind the endpoint: a small protocol, chosen by measurement (pyoxigraph embedded).

``QueryEngine.query(spec) -> QueryResult``: the spec carries the text, the protocol's dataset
(``default-graph-uri`` / ``named-graph-uri``), the client's ``Accept`` and ``format`` and the row cap; the
result is the serialized body, its media type, and whether rows were cut at the cap.

May import the ground floor and the layers below it (``release`` for the release folder's layout); never ``web``.
"""

from dataclasses import dataclass
from typing import Literal, Protocol

from server.config import DEFAULT_MAX_QUERY_DEPTH, DEFAULT_MAX_QUERY_LENGTH, DEFAULT_MAX_RESULT_BYTES, DEFAULT_ROW_LIMIT


@dataclass(frozen=True)
class QuerySpec:
    """One query request, as the engine needs it."""

    text: str
    accept: str | None = None
    format: str | None = None
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    row_limit: int = DEFAULT_ROW_LIMIT
    max_length: int = DEFAULT_MAX_QUERY_LENGTH
    max_depth: int = DEFAULT_MAX_QUERY_DEPTH
    #: Cap on the serialized result, bytes (rows or triples that would cross it are left out, and it says so).
    byte_limit: int = DEFAULT_MAX_RESULT_BYTES


@dataclass(frozen=True)
class QueryResult:
    """A serialized query result."""

    body: bytes
    media_type: str
    truncated: bool
    kind: Literal["solutions", "boolean", "graph"]
    #: Which cap cut the result when ``truncated``: ``"rows"`` (rows or triples) or ``"bytes"``.
    truncated_by: Literal["rows", "bytes"] | None = None


class QueryEngine(Protocol):
    """What the web app needs from an engine."""

    def query(self, spec: QuerySpec) -> QueryResult:
        """Run a query.

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        """
        ...  # pragma: no cover


@dataclass(frozen=True)
class EngineHealth:
    """What ``/health`` says about an engine that runs queries in processes of its own."""

    #: Whether a query can be answered now (at least one worker alive, the store loaded).
    ok: bool
    #: Query workers alive, and how many of them are running a query.
    workers: int
    busy: int
    #: Anything else worth showing (isolation in force, restarts, failed forks).
    detail: dict[str, object]


class SupervisedEngine(QueryEngine, Protocol):
    """An engine with processes to supervise: it reports its health and can be shut down."""

    def health(self) -> EngineHealth:
        """Say whether queries can be answered now.

        :returns: the engine's health.
        """
        ...  # pragma: no cover

    def close(self) -> None:
        """Stop every process of the engine (busy ones included)."""
        ...  # pragma: no cover
