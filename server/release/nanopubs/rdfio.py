"""Read and write quads with their literals exactly as written.

A trusty hash covers each literal's lexical form, so nothing may normalise it on the way (rdflib's parsers turn
``"01"^^xsd:integer`` into ``"1"``): TriG, N-Quads and JSON-LD are parsed and written by pyoxigraph, whose terms
keep the lexical form, and handed on as rdflib terms built with ``normalize=False``. TriX, which pyoxigraph does
not read, goes through rdflib.
"""

import logging
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.term import Node

from server.errors import LoadError

Quad = tuple[Node, Node, Node, Node]

#: File suffix → pyoxigraph format (``None``: TriX, read by rdflib).
FORMATS: dict[str, ox.RdfFormat | None] = {
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".xml": None,
    ".trix": None,
}
_LINE = re.compile(r"line (\d+)", re.IGNORECASE)


def read_quads(path: Path) -> list[Quad]:
    """Parse a TriG, N-Quads, JSON-LD or TriX file.

    :param path: the file; its suffix names the format (TriG when unknown).
    :returns: ``(graph, subject, predicate, object)`` quads, the default graph as ``DATASET_DEFAULT_GRAPH_ID``.
    :raises LoadError: if the file cannot be read or parsed (with the parser's line when it gives one).
    """
    fmt = FORMATS.get(path.suffix.lower(), ox.RdfFormat.TRIG)
    try:
        if fmt is None:
            return _read_trix(path)
        return [_from_ox(q) for q in ox.parse(path=str(path), format=fmt)]
    except OSError as exc:
        raise LoadError(path, None, exc.strerror or str(exc)) from exc
    except (SyntaxError, ValueError) as exc:
        message = " ".join(str(exc).split())
        line = _LINE.search(message)
        raise LoadError(path, int(line.group(1)) if line else None, message) from exc


def parse_trig(text: str, where: str = "<string>") -> list[Quad]:
    """Parse TriG text, literals kept as written.

    :param text: a TriG document.
    :param where: what to name in an error.
    :returns: the quads.
    :raises LoadError: if the text does not parse.
    """
    try:
        return [_from_ox(q) for q in ox.parse(text, format=ox.RdfFormat.TRIG)]
    except SyntaxError as exc:
        raise LoadError(where, None, " ".join(str(exc).split())) from exc


def to_trig(quads: Iterable[Quad], prefixes: Mapping[str, str]) -> str:
    """Serialise quads as TriG, sorted, literals as they are.

    :param quads: the quads.
    :param prefixes: prefix → namespace to declare.
    :returns: the TriG text.
    """
    ordered = sorted((_to_ox(q) for q in quads), key=lambda q: (str(q.graph_name), str(q)))
    text = ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=dict(prefixes))
    return text.decode("utf-8") if text else ""


def to_nquads(quads: Iterable[Quad]) -> str:
    """Serialise quads as sorted N-Quads, one a line.

    :param quads: the quads.
    :returns: the N-Quads text.
    """
    return "".join(sorted(f"{_to_ox(q)} .\n" for q in quads))


def _read_trix(path: Path) -> list[Quad]:
    dataset = Dataset()
    noisy = logging.getLogger("rdflib.term")
    level = noisy.level
    noisy.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dataset.parse(path, format="trix")
    except Exception as exc:  # rdflib's XML parsers raise SAXParseException and others
        raise LoadError(path, getattr(exc, "getLineNumber", lambda: None)(), " ".join(str(exc).split())) from exc
    finally:
        noisy.setLevel(level)
    return [(g or DATASET_DEFAULT_GRAPH_ID, s, p, o) for s, p, o, g in dataset.quads()]


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph | ox.Triple) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term)
    if isinstance(term, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise ValueError(f"RDF-star triple terms are not part of a nanopublication: {term}")


def _literal(term: ox.Literal) -> Literal:
    noisy = logging.getLogger("rdflib.term")
    level = noisy.level
    noisy.setLevel(logging.CRITICAL)  # an ill-typed literal is reported by the check, not as a logged traceback
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if term.language:
                return Literal(term.value, lang=term.language, normalize=False)
            datatype = URIRef(term.datatype.value)
            return Literal(term.value, datatype=None if datatype == XSD.string else datatype, normalize=False)
    finally:
        noisy.setLevel(level)


def _from_ox(quad: ox.Quad) -> Quad:
    return (_term(quad.graph_name), _term(quad.subject), _term(quad.predicate), _term(quad.object))


def _ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def _to_ox(quad: Quad) -> ox.Quad:
    g, s, p, o = quad
    graph = ox.DefaultGraph() if g == DATASET_DEFAULT_GRAPH_ID else _ox(g)
    subject, predicate, obj = _ox(s), _ox(p), _ox(o)
    assert isinstance(predicate, ox.NamedNode) and not isinstance(subject, ox.Literal)  # noqa: S101 (RDF's rule)
    return ox.Quad(subject, predicate, obj, graph)  # type: ignore[arg-type]
