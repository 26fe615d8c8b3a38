"""Where the SPARQL stores we query over HTTP differ from the embedded engine, in one place.

``msckg serve --store URL`` sends each query to a remote SPARQL 1.1 endpoint and writes the answer exactly as
the embedded engine would (:func:`server.engine.oxigraph_engine.write_result`). What a store does differently
is said here and nowhere else, one :class:`Dialect` per kind of store; ``docs/deploy.md`` lists the same
differences for people. A store is recognised by the ``Server`` header of its answers.

Virtuoso (7.2):

* its SPARQL endpoint takes a ``timeout`` parameter (milliseconds) and stops the query there; it then answers
  with what it found so far ("anytime" results) and marks the answer with an ``X-SQL-State`` header (status
  206 or 200). A cut answer is not the answer: it becomes a time-out (503) here, never a partial result;
* a query stopped by the server-wide ``MaxQueryExecutionTime`` fails with SQL state ``S1T00`` in its body;
* a query its SPARQL-to-SQL compiler cannot handle fails with SQL state ``37000`` and status 500 (for example
  an internal error on some zero-or-one paths ``p?``): that is the query's problem on this store, a 400 here;
* it writes blank nodes in SPARQL XML results as ``<bnode>nodeID://b10070</bnode>``, which is not a valid blank
  node label: the ``nodeID://`` is dropped as the answer streams in;
* its default graph is the union of every graph the SPARQL user may read, its own system graphs included:
  ``msckg publish`` makes those private (graph-level security), so the union holds the release only;
* its isolation, read committed, holds per row: a query running while a release switch commits can mix the two
  releases. ``msckg publish`` marks the commit in the registry, and the remote engine fences its queries with
  that mark (:mod:`server.engine.fence`).

Its property paths are where its answers differ from the specification, and nothing here can rewrite a query:
a zero-or-more path nested in another exhausts its transitive memory or crashes the server; ``VALUES`` of two or
more rows, ``FILTER(EXISTS … || EXISTS …)`` or ``GRAPH ?g { { … } UNION { … } }`` joined to such paths answer
no rows; a zero-or-one path beside a ``UNION`` whose sides ``BIND`` does not compile. The competency questions
use equivalent forms Virtuoso answers, and read the build's derived graph where a route of any length is
needed; ``docs/deploy.md`` lists each case and the one question (02) still answered wrongly.

Any other store is treated as a plain SPARQL 1.1 endpoint: no time-out parameter (its own limit and the HTTP
client's apply), and the store must be set up to use the union of its graphs as the default graph.
"""

from dataclasses import dataclass
from email.message import Message

from server.release.virtuoso_sql import RELEASE_MARK

#: Marks an answer that Virtuoso cut at its time limit.
VIRTUOSO_STATE_HEADER = "X-SQL-State"


@dataclass(frozen=True)
class Dialect:
    """What one kind of store needs and does differently."""

    #: Short name, as logged and documented.
    name: str
    #: Query-string parameter that limits one query on the store, in milliseconds (``None``: there is none).
    timeout_parameter: str | None = None
    #: Texts in an error answer that mean the store's own time limit stopped the query.
    timeout_markers: tuple[str, ...] = ()
    #: Texts in an error answer (whatever its status) that mean the store cannot compile this query.
    compile_markers: tuple[str, ...] = ()
    #: Byte replacements that make the store's answers valid for pyoxigraph's parsers (old, new).
    answer_fixes: tuple[tuple[bytes, bytes], ...] = ()
    #: A query whose one value is the mark ``msckg publish`` leaves around a release switch
    #: (:mod:`server.engine.fence`; ``None``: the store reads consistently without it).
    release_mark_query: str | None = None

    def request_parameters(self, seconds: float) -> list[tuple[str, str]]:
        """Return the parameters that ask the store to stop the query after ``seconds``.

        :param seconds: the endpoint's limit for one query.
        :returns: name/value pairs for the request (empty where the store has no such parameter).

        >>> VIRTUOSO.request_parameters(2.5)
        [('timeout', '2500')]
        >>> GENERIC.request_parameters(2.5)
        []
        """
        if self.timeout_parameter is None:
            return []
        return [(self.timeout_parameter, str(round(seconds * 1000)))]

    def cut_at_limit(self, status: int, headers: Message) -> bool:
        """Say whether a successful answer holds only what the store found before its time limit.

        :param status: the HTTP status.
        :param headers: the answer's headers.
        :returns: whether the answer is partial.
        """
        if self is not VIRTUOSO:
            return False
        return status == 206 or headers.get(VIRTUOSO_STATE_HEADER) is not None

    def stopped_at_limit(self, body: str) -> bool:
        """Say whether an error answer means the store's own time limit stopped the query.

        :param body: the error answer's text.
        :returns: whether it was a time-out.

        >>> VIRTUOSO.stopped_at_limit("Virtuoso S1T00 Error SR171: Transaction timed out")
        True
        """
        return any(marker in body for marker in self.timeout_markers)

    def cannot_compile(self, body: str) -> bool:
        """Say whether an error answer means the store cannot compile the query (a 400 here, not a 503).

        :param body: the error answer's text.
        :returns: whether the store refused the query itself.

        >>> VIRTUOSO.cannot_compile("Virtuoso 37000 Error SQ156: Internal Optimized compiler error")
        True
        """
        return any(marker in body for marker in self.compile_markers)


#: Any SPARQL 1.1 endpoint.
GENERIC = Dialect("generic")
#: OpenLink Virtuoso 7.
VIRTUOSO = Dialect("virtuoso", timeout_parameter="timeout", timeout_markers=("S1T00", "SR171", "timed out"),
                   compile_markers=("Virtuoso 37000",), answer_fixes=((b"<bnode>nodeID://", b"<bnode>"),),
                   release_mark_query=f'SELECT (bif:registry_get("{RELEASE_MARK}") AS ?mark) {{}}')  # fmt: skip


def detect(server: str | None) -> Dialect:
    """Recognise a store by the ``Server`` header of its answers.

    :param server: the header's value, or ``None``.
    :returns: the store's dialect.

    >>> detect("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu").name
    'virtuoso'
    >>> detect("Oxigraph/0.5.13").name
    'generic'
    """
    if server and server.lower().startswith("virtuoso"):
        return VIRTUOSO
    return GENERIC
