"""Refuse, before execution, the parts of SPARQL that would make the endpoint reach out or act.

The text is scanned with IRIs, strings and comments blanked out, so ``"SERVICE"`` inside a literal or an IRI
does not trip it. ``SERVICE`` is refused outright; ``FROM``/``FROM NAMED`` only name graphs of our own
dataset (an IRI that is not one of our graphs would be a remote document); update keywords never reach the
query engine (update is not routed), and a query containing them would not parse anyway.
"""

import re
from collections.abc import Container

from server.config import DEFAULT_MAX_QUERY_LENGTH
from server.errors import QueryError, QueryRefused

_MASK = re.compile(
    r"""
    (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
    | (?P<short>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<comment>\#[^\n]*)
    """,
    re.VERBOSE,
)
_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?(<[^>]*>|[A-Za-z][\w.-]*:[\w.-]*)", re.IGNORECASE)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


def _masked(text: str) -> tuple[str, list[str]]:
    iris: list[str] = []

    def blank(match: re.Match[str]) -> str:
        if match.group("iri"):
            iris.append(match.group("iri"))
            return f"<{len(iris) - 1}>"
        return " " * len(match.group(0))

    return _MASK.sub(blank, text), iris


def check_query(text: str, local_graphs: Container[str], max_length: int = DEFAULT_MAX_QUERY_LENGTH) -> bool:
    """Refuse queries that are too long, call SERVICE, or name a dataset graph we do not hold.

    :param text: the SPARQL query.
    :param local_graphs: IRIs of the named graphs in our store (any container: a remote store answers lazily).
    :param max_length: longest query accepted, characters.
    :returns: whether the query has its own dataset clause (FROM / FROM NAMED).
    :raises QueryError: if the query is longer than ``max_length``.
    :raises QueryRefused: for SERVICE or a FROM / FROM NAMED IRI that is not one of our graphs.

    >>> check_query('SELECT * { ?s ?p "SERVICE" }', set())
    False
    >>> check_query("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", set())
    Traceback (most recent call last):
    ...
    server.errors.QueryRefused: line 1, column 12: SERVICE (federated query) is not allowed on this endpoint
    """
    if len(text) > max_length:
        raise QueryError(f"query is {len(text)} characters long; the limit is {max_length}")
    masked, iris = _masked(text)
    service = _SERVICE.search(masked)
    if service:
        raise QueryRefused(
            f"{_position(text, service.start())}: SERVICE (federated query) is not allowed on this endpoint"
        )
    found = False
    for match in _FROM.finditer(masked):
        found = True
        token = match.group(1)
        iri = iris[int(token[1:-1])][1:-1] if token.startswith("<") and token[1:-1].isdigit() else token
        if iri not in local_graphs:
            raise QueryRefused(
                f"{_position(text, match.start())}: FROM <{iri}> is not a graph of this dataset; "
                "this endpoint never fetches remote data"
            )
    return found


def _position(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
