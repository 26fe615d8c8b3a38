"""The query engine behind the endpoint: a small protocol, chosen by measurement (pyoxigraph embedded).

``QueryEngine.query(spec) -> QueryResult``: the spec carries the text, the protocol's dataset
(``default-graph-uri`` / ``named-graph-uri``), the client's ``Accept`` and ``format`` and the row cap; the
result is the serialized body, its media type, and whether rows were cut at the cap.

May import the ground floor and the layers below it (``release`` for the release folder's layout); never ``web``.
"""

from dataclasses import dataclass
from typing import Literal, Protocol

from server.config import DEFAULT_MAX_QUERY_LENGTH, DEFAULT_ROW_LIMIT


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


@dataclass(frozen=True)
class QueryResult:
    """A serialized query result."""

    body: bytes
    media_type: str
    truncated: bool
    kind: Literal["solutions", "boolean", "graph"]


class QueryEngine(Protocol):
    """What the web app needs from an engine."""

    def query(self, spec: QuerySpec) -> QueryResult:
        """Run a query.

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        """
        ...  # pragma: no cover
