"""The remote engine: the same protocol over a SPARQL 1.1 query endpoint (Virtuoso, oxigraph serve, Fuseki …).

``msckg serve --store URL`` answers with this engine instead of the embedded worker pool; nothing above the
engine changes. Each query is

1. checked here exactly as the embedded engine checks it (length, SERVICE, FROM and ``default-graph-uri``
   naming graphs of the store: asked of the store, remembered for a minute), and its kind (solutions, boolean
   or graph) read from its form; nothing is evaluated here (the store parses the query, a syntax error is its
   400);
2. sent to the store with its protocol dataset, asking for SPARQL XML results or N-Triples, with the store's own
   time-limit parameter where it has one (:mod:`server.engine.dialect`) and a client time-out;
3. parsed as it streams in and written by :func:`~server.engine.oxigraph_engine.write_result`, which stops at
   the row cap and closes the connection (the store stops sending);
4. on a store whose publisher marks its release switches (Virtuoso, :mod:`server.engine.fence`), kept only if no
   switch committed while it ran, else run again once the switch is over: one more request per query.

A store that cannot be reached, or fails, is a :class:`~server.errors.StoreUnavailable` (503) at once; a query
past the limit is a :class:`~server.errors.QueryTimeout` (503), never a partial answer.
"""

import io
import logging
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPResponse
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from server.config import DEFAULT_TIMEOUT
from server.engine import QueryResult, QuerySpec
from server.engine.dialect import Dialect, detect
from server.engine.fence import ReleaseFence
from server.engine.guard import read_query
from server.engine.oxigraph_engine import write_result
from server.errors import QueryError, QueryTimeout, StoreUnavailable

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

log = logging.getLogger("msckg.remote")

#: What we ask the store for, per kind of result: formats pyoxigraph parses as a stream.
_ACCEPT = {"solutions": "application/sparql-results+xml", "graph": "application/n-triples"}
#: Longest wait for the store to accept a connection (seconds).
CONNECT_TIMEOUT = 3.0
#: Extra time the client waits beyond the store's own limit before it gives up (seconds).
GRACE = 1.0
#: How long an answer about whether a graph exists is remembered (seconds).
GRAPH_MEMORY = 60.0


class _Deadline(io.RawIOBase):
    """The store's answer as a stream: fixed as its dialect says, and stopped once the deadline has passed."""

    def __init__(self, response: HTTPResponse, deadline: float, limit: float,
                 fixes: tuple[tuple[bytes, bytes], ...] = ()) -> None:  # fmt: skip
        super().__init__()
        self.response = response
        self.deadline = deadline
        self.limit = limit
        self.fixes = fixes
        self.hold = max((len(old) for old, _ in fixes), default=1) - 1  # a replacement may span two chunks
        self.pending = b""

    def readable(self) -> bool:
        """Say that the stream can be read.

        :returns: ``True``.
        """
        return True

    def readinto(self, buffer: "WriteableBuffer", /) -> int:
        """Read from the answer into ``buffer``.

        :param buffer: where to put the bytes.
        :returns: how many bytes were read (0 at the end).
        :raises QueryTimeout: when the answer is still streaming at the deadline.
        """
        view = memoryview(buffer).cast("B")
        while True:
            if time.monotonic() > self.deadline:
                raise _timeout(self.limit)
            try:
                chunk = self.response.read(max(len(view), 8192))
            except TimeoutError as exc:
                raise _timeout(self.limit) from exc
            data = self.pending + chunk
            for old, replacement in self.fixes:
                data = data.replace(old, replacement)
            keep = 0 if not chunk else min(self.hold, len(data))
            ready, self.pending = data[: len(data) - keep], data[len(data) - keep :]
            if ready or not chunk:
                break
        size = min(len(view), len(ready))
        view[:size] = ready[:size]
        self.pending = ready[size:] + self.pending
        return size


def _timeout(limit: float) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran longer than the {limit:g} s limit and was stopped; "
        "narrow it (LIMIT, more specific patterns) and try again"
    )


#: The prologue (whitespace, comments, BASE and PREFIX declarations) and the query form's keyword after it.
_FORM = re.compile(
    r"(?:\s|#[^\r\n]*+|BASE\s*<[^<>]*>|PREFIX\s*[^\s:<>]*:\s*<[^<>]*>)*+(SELECT|CONSTRUCT|DESCRIBE|ASK)(?![\w-])",
    re.IGNORECASE,
)
_KINDS = {"SELECT": "solutions", "ASK": "boolean", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def _kind(text: str) -> str:
    r"""Tell a query's result kind from its form, evaluating nothing here.

    The form is the first keyword after the prologue (whitespace, comments, ``BASE`` and ``PREFIX``
    declarations). The query is neither parsed in full nor run here: pyoxigraph parses a query only when asked
    to run it, and it runs an ``ASK``, an ``ORDER BY``, a ``GROUP BY`` or an aggregate at once, even on an empty
    store, where a pattern of ``VALUES`` or ``UNION`` alone can keep the front busy outside every time limit.
    The store parses the query and runs it within its own limit; its syntax errors come back as 400s.

    :param text: the query.
    :returns: ``solutions``, ``boolean`` or ``graph``.
    :raises QueryError: if no query form follows the prologue (an update, a store's own pragmas, not SPARQL).

    >>> _kind("PREFIX ex: <http://example.org/> # ASK?\nask { ex:a ?p ?o }")
    'boolean'
    >>> _kind("DESCRIBE <http://example.org/a>"), _kind("BASE <http://e/> SELECT * { ?s ?p ?o }")
    ('graph', 'solutions')
    """
    form = _FORM.match(text)
    if form is None:
        raise QueryError(
            "SPARQL syntax error: a query starts with SELECT, CONSTRUCT, DESCRIBE or ASK after its BASE and PREFIX "
            "declarations (updates and a store's own extensions are not accepted)"
        )
    return _KINDS[form.group(1).upper()]


@dataclass
class _StoreGraphs:
    """The store's named graphs, as a container the guard asks: each IRI is asked of the store, then remembered."""

    engine: "RemoteEngine"
    known: dict[str, tuple[bool, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __contains__(self, iri: object) -> bool:
        if not isinstance(iri, str) or any(c in iri for c in '<>"{}|^`\\ \n'):
            return False
        now = time.monotonic()
        with self.lock:
            found = self.known.get(iri)
        if found is not None and now - found[1] < GRAPH_MEMORY:
            return found[0]
        answer = self.engine.ask(f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        with self.lock:
            self.known[iri] = (answer, now)
        return answer


class RemoteEngine:
    """Query engine over a remote SPARQL 1.1 query endpoint.

    :param endpoint: the store's query URL (Virtuoso: ``http://host:8890/sparql``).
    :param timeout: wall-clock limit of one query, seconds (sent to the store where it takes one, and kept by
        the client).
    :param dialect: the kind of store (default: recognised from its first answer).
    """

    def __init__(self, endpoint: str, timeout: float = DEFAULT_TIMEOUT, dialect: Dialect | None = None) -> None:
        parsed = urllib.parse.urlsplit(endpoint)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise QueryError(f"not an HTTP(S) URL of a SPARQL endpoint: {endpoint!r}")
        self.endpoint = endpoint
        self.timeout = timeout
        self._dialect = dialect
        self.graphs = _StoreGraphs(self)
        self._fence: ReleaseFence | None = None
        self._fence_lock = threading.Lock()
        self._unfenced = False

    @property
    def dialect(self) -> Dialect:
        """The kind of store, recognised from its ``Server`` header (asked once, when first needed).

        :returns: the dialect.
        """
        if self._dialect is None:
            with self._send("ASK {}", "solutions", (), ()) as response:
                response.read()
        assert self._dialect is not None  # noqa: S101 - set by every answer _send receives
        return self._dialect

    def query(self, spec: QuerySpec) -> QueryResult:
        """Run a query on the store, within the time limit, and write the answer as the embedded engine would.

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        :raises QueryError: for the query's own errors (syntax, refused, an unknown graph, refused by the store).
        :raises QueryTimeout: when the store or the client stops it at the time limit.
        :raises StoreUnavailable: when the store cannot be reached or fails.
        """
        read_query(spec.text, self.graphs, spec.max_length, spec.max_depth)
        for iri in (*spec.default_graph_uris, *spec.named_graph_uris):
            if iri not in self.graphs:
                raise QueryError(f"<{iri}> is not a graph of this dataset")
        kind = _kind(spec.text)
        _ = self.dialect  # known before the first query, so that the store's own limit is always asked for
        deadline = time.monotonic() + self.timeout + GRACE
        if self.fence is None:
            return self._answer(spec, kind, deadline)
        return self.fence.run(lambda: self._answer(spec, kind, deadline), deadline)

    @property
    def fence(self) -> ReleaseFence | None:
        """The fence against answers that straddle a release switch, for a store that marks its switches.

        A store that refuses the mark's query (its public may not call ``bif:registry_get``) is served unfenced,
        with a warning in the log: that store cannot be published into under readers safely.

        :returns: the fence, or ``None`` when the store reads consistently without one, or refuses the mark.
        """
        mark_query = self.dialect.release_mark_query
        if mark_query is None or self._unfenced:
            return None
        with self._fence_lock:
            if self._fence is None:
                try:
                    self._value(mark_query)
                except QueryError as exc:  # a store that does not let the public read its registry
                    log.warning("answers from %s are not fenced against release switches: %s", self.endpoint, exc)
                    self._unfenced = True
                    return None
                self._fence = ReleaseFence(lambda: self._value(mark_query))
        return self._fence

    def _answer(self, spec: QuerySpec, kind: str, deadline: float) -> QueryResult:
        """Send the query once and write its whole answer."""
        with self._send(spec.text, kind, spec.default_graph_uris, spec.named_graph_uris) as response:
            raw = _Deadline(response, deadline, self.timeout, self.dialect.answer_fixes)
            stream = cast(IO[bytes], io.BufferedReader(raw))
            try:
                if kind == "graph":
                    return write_result(_triples(ox.parse(stream, ox.RdfFormat.N_TRIPLES)), spec)
                return write_result(ox.parse_query_results(stream, ox.QueryResultsFormat.XML), spec)
            except SyntaxError as exc:
                raise StoreUnavailable(f"the store's answer could not be read: {exc}") from exc

    def _value(self, text: str) -> str:
        """Run a one-value SELECT of our own; its value as text (empty when unbound)."""
        with self._send(text, "solutions", (), ()) as response:
            try:
                rows = list(cast(ox.QuerySolutions, ox.parse_query_results(response, ox.QueryResultsFormat.XML)))
            except SyntaxError as exc:
                raise StoreUnavailable(f"the store's answer could not be read: {exc}") from exc
        term = rows[0][0] if rows else None
        return "" if term is None else str(getattr(term, "value", term))

    def ask(self, text: str) -> bool:
        """Run an ASK query of our own on the store.

        :param text: the query.
        :returns: the answer.
        """
        with self._send(text, "solutions", (), ()) as response:
            result = ox.parse_query_results(response, ox.QueryResultsFormat.XML)
        return bool(result)

    def _send(self, text: str, kind: str, default: Iterable[str], named: Iterable[str]) -> HTTPResponse:
        """POST the query; return the open answer, or raise the error its failure means."""
        dialect = self._dialect
        fields = [("query", text), *(("default-graph-uri", g) for g in default),
                  *(("named-graph-uri", g) for g in named)]  # fmt: skip
        if dialect is not None:
            fields += dialect.request_parameters(self.timeout)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode(),
            headers={
                "Accept": _ACCEPT["graph" if kind == "graph" else "solutions"],
                "Content-Type": "application/x-www-form-urlencoded",
            },  # fmt: skip
        )
        try:
            response: HTTPResponse = urllib.request.urlopen(request, timeout=self._socket_timeout())  # noqa: S310
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc) from exc
        except TimeoutError as exc:
            raise _timeout(self.timeout) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise StoreUnavailable(f"the triple store at {self.endpoint} cannot be reached ({reason}); "
                                   "try again later") from exc  # fmt: skip
        if self._dialect is None:
            self._dialect = detect(response.headers.get("Server"))
        if self._dialect.cut_at_limit(response.status, response.headers):
            response.close()
            raise _timeout(self.timeout)
        return response

    def _socket_timeout(self) -> float:
        return max(CONNECT_TIMEOUT, self.timeout + GRACE)

    def _refusal(self, exc: urllib.error.HTTPError) -> QueryError:
        """Turn the store's error answer into ours: its time limit, a refused query, or a failed store."""
        try:
            body = exc.read(4096).decode("utf-8", "replace").strip()
        except OSError:
            body = ""
        if self._dialect is None:
            self._dialect = detect(exc.headers.get("Server"))
        if self._dialect.stopped_at_limit(body):
            return _timeout(self.timeout)
        first = " ".join(body.split())[:500]
        if exc.code in (400, 414) or self._dialect.cannot_compile(body):
            return QueryError(f"the triple store refused the query: {first}")
        return StoreUnavailable(f"the triple store at {self.endpoint} answered {exc.code}: {first}")

    def close(self) -> None:
        """Nothing to stop: connections are opened per query."""


def _triples(quads: Iterator[ox.Quad]) -> Iterator[ox.Triple]:
    for quad in quads:
        yield ox.Triple(quad.subject, quad.predicate, quad.object)
