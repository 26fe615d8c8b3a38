"""SHACL validation: pySHACL over the validation view, each result traced back to its graph and file.

The data graph pySHACL sees is :func:`server.curation.validation_view.build_view` (union of the data graphs plus the
explicit description of every nanopublication graph); the ontology and its imports are mixed in as
``ont_graph`` so ``sh:class`` follows the subclass hierarchy. Inference is ``"none"``: RDFS entailment
would apply the ontology's ``rdfs:domain``/``rdfs:range`` axioms and give every object of ``msc:hasCargo``
the type ``msc:MolecularEntity``, so a cell used where a molecule belongs would pass the very range shape
that should reject it (``tests/checks/test_shapes.py`` demonstrates this). Subclass reasoning needs no entailment
because ``sh:class`` and ``sh:targetClass`` already follow ``rdfs:subClassOf*`` in the data graph.
"""

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import pyshacl
from pyshacl.errors import ReportableRuntimeError
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node
from rdflib.util import from_n3

from server.checks.policy import project_shapes
from server.config import ProjectPaths
from server.curation.load import SHAPES_GRAPH_PREFIX, Loaded, load_files, load_project, with_context
from server.curation.validation_view import build_view, ontology_graph
from server.errors import LoadError
from server.namespaces import MSCSH, PREFIXES, shorten

#: Report order of the severities.
SEVERITIES = ("Violation", "Warning", "Info")
_BRACKETED = re.compile(r"<([^<>\s]+)>")
_PROSE_IRI = re.compile(r"(?<!<)https?://[^\s<>\"'(){}]+?(?=[.,;:]?(?:\s|\)|$))")
#: Shape nesting pySHACL may follow: SHACL-for-SHACL needs more than its default of 15 on list-valued paths.
MAX_VALIDATION_DEPTH = 40
_PATH_SUFFIXES = ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?"))


class _ParsedOnce(Graph):
    """The data graph as pySHACL sees it, parsing each SPARQL text once.

    pySHACL evaluates a SPARQL-based constraint once per focus node, with the focus node as a binding and the
    same text each time; rdflib would parse that text again every time (about 10 ms, 1,100 times per build).
    """

    def query(self, query_object: str | Query, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        """Run a query, parsed once per text and namespace map.

        :param query_object: the SPARQL text (or an already prepared query).
        :param args: as :meth:`rdflib.Graph.query`.
        :param kwargs: as :meth:`rdflib.Graph.query`.
        :returns: the result.
        """
        if isinstance(query_object, str):
            namespaces = tuple(sorted((prefix, str(ns)) for prefix, ns in self.namespaces()))
            query_object = _prepared(query_object, namespaces)
        return super().query(query_object, *args, **kwargs)  # type: ignore[arg-type]


@lru_cache(maxsize=256)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]) -> Query:
    return prepareQuery(text, initNs=dict(namespaces))


def _parsed_once(graph: Graph) -> Graph:
    """Return ``graph``'s triples (same store, no copy) behind :class:`_ParsedOnce`."""
    return _ParsedOnce(store=graph.store, identifier=graph.identifier, namespace_manager=graph.namespace_manager)


@dataclass(frozen=True)
class Violation:
    """One SHACL result, located in the sources.

    IRIs are written in full. A literal or blank focus node or value is in N-Triples form
    (``"8"^^<http://www.w3.org/2001/XMLSchema#integer>``); a path that is not a single property is in
    SPARQL property-path syntax with bracketed IRIs (``^<…/referenceNumber>``).
    """

    file: str | None
    graph: str | None
    focus: str
    path: str | None
    shape: str
    message: str
    severity: str
    value: str | None = None


@dataclass
class ValidationReport:
    """The outcome of a validation: only ``Violation`` results make ``conforms`` false."""

    conforms: bool
    results: list[Violation]

    def to_text(self) -> str:
        """Render the report for a curator: a summary line, then one block per result, CURIEs where known.

        :returns: plain text without ANSI codes.
        """
        counts = Counter(v.severity for v in self.results)
        summary = ", ".join(f"{counts[s]} {s.lower()}(s)" for s in SEVERITIES if counts[s]) or "no results"
        blocks = [f"Conforms: {self.conforms} ({summary})"]
        for v in self.results:
            lines = [f"{v.severity}: {_PROSE_IRI.sub(_prose_curie, v.message)}"]
            fields = (
                ("file", v.file),
                ("graph", _show(v.graph)),
                ("focus", _show(v.focus)),
                ("path", _show(v.path)),
                ("value", _show(v.value)),
                ("shape", _show(v.shape)),
            )
            lines.extend(f"  {name + ':':7}{text}" for name, text in fields if text is not None)
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"

    def to_json(self) -> str:
        """Render the report as JSON: ``{"conforms": …, "results": [{field: value}, …]}``.

        :returns: indented JSON text (UTF-8 characters kept).
        """
        payload = {"conforms": self.conforms, "results": [asdict(v) for v in self.results]}
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"

    def to_turtle(self) -> str:
        """Render the report as a SHACL validation report graph in Turtle.

        Each ``sh:ValidationResult`` also carries ``mscsh:sourceGraph`` and ``mscsh:sourceFile``; a path that
        is not a single property is given as text (``mscsh:resultPathText``) instead of ``sh:resultPath``.

        :returns: Turtle text.
        """
        graph = Graph()
        for prefix, namespace in PREFIXES.items():
            graph.bind(prefix, namespace)
        graph.bind("mscsh", MSCSH)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        for v in self.results:
            result = BNode()
            graph.add((report, SH.result, result))
            graph.add((result, RDF.type, SH.ValidationResult))
            graph.add((result, SH.focusNode, _text_term(v.focus)))
            graph.add((result, SH.sourceShape, _text_term(v.shape)))
            graph.add((result, SH.resultMessage, Literal(v.message)))
            graph.add((result, SH.resultSeverity, SH[v.severity]))
            if v.path is not None:
                is_property = _is_iri_text(v.path)
                graph.add(
                    (result, SH.resultPath, URIRef(v.path))
                    if is_property
                    else (result, MSCSH.resultPathText, Literal(v.path))
                )
            if v.value is not None:
                graph.add((result, SH.value, _text_term(v.value)))
            if v.graph is not None:
                graph.add((result, MSCSH.sourceGraph, URIRef(v.graph)))
            if v.file is not None:
                graph.add((result, MSCSH.sourceFile, Literal(v.file)))
        return graph.serialize(format="turtle")


def validate(loaded: Loaded, shapes: Graph | None = None) -> ValidationReport:
    """Validate a loaded project (or fixture) against the SHACL shapes.

    :param loaded: the Dataset and the file of each graph; its ontology graphs become ``ont_graph``.
    :param shapes: the shapes; default: the project's ``shapes/`` graphs in ``loaded``.
    :returns: the report; ``conforms`` is false only if some result has severity ``Violation``.
    :raises LoadError: if pySHACL cannot use the shapes (bad SPARQL, malformed shape).
    """
    shapes_graph = project_shapes(loaded) if shapes is None else shapes
    ontology = ontology_graph(loaded)
    report = _run(build_view(loaded), shapes_graph, ontology if len(ontology) else None, advanced=True)
    return _report(report, loaded)


def validate_files(paths: ProjectPaths, sources: Sequence[Path]) -> ValidationReport:
    """Validate a user's TriG/Turtle/N-Quads files in the project's context (its T-box, entities, references).

    :param paths: the project whose shapes and context are used.
    :param sources: the user's files.
    :returns: the report.
    :raises LoadError: if a file is missing or does not parse.
    """
    missing = [str(f) for f in sources if not f.is_file()]
    if missing:
        raise LoadError(missing[0], None, "no such file")
    project = load_project(paths)
    return validate(with_context(load_files(sources), project), project_shapes(project))


def check_shapes(shapes: Graph) -> ValidationReport:
    """Validate shapes against the SHACL-for-SHACL shapes that pySHACL ships (``shacl-shacl.ttl``).

    :param shapes: a shapes graph.
    :returns: the report of the shapes as data (``conforms`` true when they are well-formed).
    :raises LoadError: if pySHACL cannot run the meta-shapes.
    """
    meta = Graph().parse(data=(files("pyshacl") / "assets" / "shacl-shacl.ttl").read_text("utf-8"), format="turtle")
    return _report(_run(shapes, meta, None, advanced=False), None)


def _run(data: Graph, shapes: Graph, ontology: Graph | None, advanced: bool) -> Graph:
    try:
        _, report, _ = pyshacl.validate(
            _parsed_once(data),
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            advanced=advanced,
            inplace=True,
            max_validation_depth=MAX_VALIDATION_DEPTH,
        )
    except ReportableRuntimeError as exc:
        raise LoadError("shapes", None, f"pySHACL cannot use the shapes: {exc.message}") from exc
    assert isinstance(report, Graph)  # noqa: S101 - pySHACL returns a Graph unless asked to serialize
    return report


def _report(report: Graph, loaded: Loaded | None) -> ValidationReport:
    results = [_violation(report, r, loaded) for r in report.objects(None, SH.result)]
    results.sort(key=lambda v: (SEVERITIES.index(v.severity), v.file or "", v.graph or "", v.focus, v.shape))
    return ValidationReport(not any(v.severity == "Violation" for v in results), results)


def _violation(report: Graph, result: Node, loaded: Loaded | None) -> Violation:
    focus = _required(report, result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    graph = _source_graph(loaded, report, focus, path, value) if loaded is not None else None
    source = loaded.source_of(graph) if loaded is not None and graph is not None else None
    return Violation(
        file=str(source) if source is not None else None,
        graph=str(graph) if graph is not None else None,
        focus=_term_text(focus),
        path=None if path is None else str(path) if isinstance(path, URIRef) else _path_text(report, path),
        shape=_term_text(_required(report, result, SH.sourceShape)),
        message=" ".join(sorted(str(m) for m in report.objects(result, SH.resultMessage))),
        severity=str(_required(report, result, SH.resultSeverity)).removeprefix(str(SH)),
        value=None if value is None else _term_text(value),
    )


def _required(report: Graph, result: Node, prop: URIRef) -> Node:
    node = report.value(result, prop)
    if node is None:
        raise ValueError(f"pySHACL result without {prop}")
    return node


def _source_graph(loaded: Loaded, report: Graph, focus: Node, path: Node | None, value: Node | None) -> URIRef | None:
    """Find the named graph a result is about: the triple on the path (or linking value and focus) first."""
    exact: list[tuple[Node | None, Node | None, Node | None]] = []
    if isinstance(path, URIRef):
        exact = [(focus, path, value), (focus, path, None)]
    elif path is not None and isinstance(inverse := report.value(path, SH.inversePath), URIRef):
        exact = [(value, inverse, focus), (None, inverse, focus)]
    elif path is None and value is not None:
        exact = [(value, None, focus), (focus, None, value)]
    loose: list[tuple[Node | None, Node | None, Node | None]] = [
        (focus, RDF.type, None),
        (focus, None, None),
        (None, None, focus),
    ]
    for pattern in exact:
        if (found := _first_graph(loaded, pattern)) is not None:
            return found
    if isinstance(focus, URIRef) and focus in loaded.sources:
        return focus
    return next((g for g in map(lambda p: _first_graph(loaded, p), loose) if g is not None), None)


def _first_graph(loaded: Loaded, pattern: tuple[Node | None, Node | None, Node | None]) -> URIRef | None:
    s, p, o = pattern
    found = {
        ctx
        for *_, ctx in loaded.dataset.quads((s, p, o, None))
        if isinstance(ctx, URIRef) and ctx != DATASET_DEFAULT_GRAPH_ID and not str(ctx).startswith(SHAPES_GRAPH_PREFIX)
    }
    return min(found, default=None)


def _path_text(report: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    inverse = report.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(report, inverse)
    alternatives = report.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(report, n) for n in Collection(report, alternatives)) + ")"
    for prop, suffix in _PATH_SUFFIXES:
        inner = report.value(node, prop)
        if inner is not None:
            return _path_text(report, inner) + suffix
    return "/".join(_path_text(report, n) for n in Collection(report, node))


def _term_text(node: Node) -> str:
    return str(node) if isinstance(node, URIRef) else node.n3()


def _text_term(text: str) -> Node:
    if _is_iri_text(text):
        return URIRef(text)
    term = from_n3(text)
    if not isinstance(term, Node):
        raise ValueError(f"not an RDF term: {text}")
    return term


def _is_iri_text(text: str) -> bool:
    return not text.startswith(('"', "_:", "<", "^", "(")) and ":" in text


def _show(text: str | None) -> str | None:
    """Shorten full IRIs to CURIEs for display: a bare IRI, or every ``<iri>`` inside a term or path."""
    if text is None:
        return None
    if _is_iri_text(text):
        return shorten(text)
    return _BRACKETED.sub(lambda m: shorten(m.group(1)), text)


def _prose_curie(match: re.Match[str]) -> str:
    """Shorten an IRI that a message names in running text, when a prefix covers it."""
    short = shorten(match.group(0))
    return match.group(0) if short.startswith("<") else short
