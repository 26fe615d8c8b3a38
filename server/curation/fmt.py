"""Canonical Turtle/TriG: one fixed serializer so that source files diff cleanly and review easily.

Rules: the fixed prefix block of :data:`server.namespaces.PREFIXES` (only the prefixes used), subjects
sorted (the ontology header first, then classes, properties, individuals, each by IRI), ``rdf:type`` first
then predicates by IRI, objects sorted; a ``# <label>`` comment over every IRI subject; blank nodes are
written inline (``[ … ]`` or RDF collections ``( … )``), never with generated labels. A blank node used
twice cannot be written that way: :func:`format_graph` refuses it and asks for an IRI.
"""

from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from server.curation.load import parse_file
from server.errors import LoadError
from server.files import write_atomically
from server.iris import NANOPUB_PARTS, nanopub, nanopub_graph
from server.namespaces import MSC, PREFIXES, shorten

INDENT = "    "
#: Order of subjects by their rdf:type in a file (ontology files read like CL's edit file).
_KIND_ORDER: list[tuple[URIRef, str]] = [
    (OWL.Ontology, "Ontology"),
    (OWL.Class, "Class"),
    (OWL.ObjectProperty, "Object property"),
    (OWL.DatatypeProperty, "Data property"),
    (OWL.AnnotationProperty, "Annotation property"),
    (OWL.NamedIndividual, "Individual"),
]


class _Writer:
    """Serializes one graph's triples; holds the prefix map and the blank-node usage counts."""

    def __init__(self, graph: Graph, labels: Graph) -> None:
        self.graph = graph
        self.labels = labels
        self.used: set[str] = set()
        self.refs: dict[BNode, int] = {}
        for _, _, o in graph:
            if isinstance(o, BNode):
                self.refs[o] = self.refs.get(o, 0) + 1
        for node, count in self.refs.items():
            if count > 1:
                raise ValueError(f"blank node used {count} times (give it an IRI): {self._describe(node)}")

    def _describe(self, node: BNode) -> str:
        return "; ".join(f"{self.term(p)} {self.term(o)}" for p, o in sorted(self.graph.predicate_objects(node)))

    def curie(self, iri: Node) -> str:
        """Return ``iri`` as a prefixed name (recording the prefix as used) or ``<iri>``."""
        short = shorten(str(iri))
        if not short.startswith("<"):
            self.used.add(short.split(":", 1)[0])
        return short

    def term(self, node: Node, depth: int = 0) -> str:
        """Return the Turtle text of one object (inlining blank nodes)."""
        if isinstance(node, URIRef):
            return self.curie(node)
        if isinstance(node, Literal):
            return node._literal_n3(use_plain=True, qname_callback=self._datatype_curie)
        if isinstance(node, BNode):
            items = self._collection(node)
            if items is not None:
                return "( " + " ".join(self.term(i, depth) for i in items) + " )" if items else "()"
            return self._bnode(node, depth)
        raise ValueError(f"cannot serialize {node!r}")

    def _datatype_curie(self, iri: str) -> str:
        return self.curie(URIRef(iri))

    def _collection(self, node: BNode) -> list[Node] | None:
        items: list[Node] = []
        current: Node = node
        while current != RDF.nil:
            if not isinstance(current, BNode) or set(self.graph.predicates(current)) != {RDF.first, RDF.rest}:
                return None
            if current != node and self.refs.get(current, 0) != 1:
                return None
            firsts = list(self.graph.objects(current, RDF.first))
            rests = list(self.graph.objects(current, RDF.rest))
            if len(firsts) != 1 or len(rests) != 1:
                return None
            items.append(firsts[0])
            current = rests[0]
        return items

    def _object_key(self, o: Node) -> tuple[int, str, str]:
        return (2, self.term(o, 0), "") if isinstance(o, BNode) else _object_key(o)

    def _bnode(self, node: BNode, depth: int) -> str:
        body = self.predicate_block(node, depth + 1)
        return "[\n" + INDENT * (depth + 1) + body + "\n" + INDENT * depth + "]"

    def predicate_block(self, subject: Node, depth: int) -> str:
        """Return the predicate-object list of one subject, rdf:type first, continuations at ``depth``."""
        preds = sorted(set(self.graph.predicates(subject)), key=lambda p: (p != RDF.type, str(p)))
        pad = INDENT * depth
        lines = []
        for p in preds:
            objs = sorted(self.graph.objects(subject, p), key=self._object_key)
            rendered = ", ".join(self.term(o, depth) for o in objs)
            lines.append(f"{'a' if p == RDF.type else self.curie(p)} {rendered}")
        return (" ;\n" + pad).join(lines)

    def comment(self, subject: Node) -> str:
        """Return the ``# …`` line over a subject: its kind and English label where known."""
        label = _english_label(self.labels, subject)
        types = set(self.graph.objects(subject, RDF.type))
        kind = next((name for cls, name in _KIND_ORDER if cls in types), None)
        if kind is None:
            return f"# {label}" if label else ""
        return f"# {kind}: {self.curie(subject)}" + (f" ({label})" if label else "")

    def subjects(self) -> list[Node]:
        """Return the top-level subjects in canonical order (inlined blank nodes excluded)."""
        subs = {s for s in self.graph.subjects() if not (isinstance(s, BNode) and self.refs.get(s))}
        return sorted(subs, key=self._subject_key)

    def _subject_key(self, s: Node) -> tuple[int, int, str]:
        types = set(self.graph.objects(s, RDF.type))
        rank = next((i for i, (cls, _) in enumerate(_KIND_ORDER) if cls in types), len(_KIND_ORDER))
        if isinstance(s, BNode):
            return (2, rank, self.predicate_block(s, 1))
        return (0 if rank == 0 else 1, rank, str(s))

    def statements(self, depth: int) -> str:
        """Return every top-level statement of the graph, separated by blank lines."""
        blocks = []
        pad = INDENT * depth
        for s in self.subjects():
            if isinstance(s, BNode):
                blocks.append(pad + self._bnode(s, depth) + " .")
                continue
            note = self.comment(s)
            block = pad + self.curie(s) + " " + self.predicate_block(s, depth + 1) + " ."
            blocks.append((pad + note + "\n" if note else "") + block)
        return "\n\n".join(blocks)


def _object_key(o: Node) -> tuple[int, str, str]:
    if isinstance(o, URIRef):
        return (0, str(o), "")
    if isinstance(o, Literal):
        return (1, str(o.datatype or ""), (o.language or "") + "\x00" + str(o))
    return (2, "", "")


def _english_label(labels: Graph, subject: Node) -> str:
    found = sorted(str(o) for o in labels.objects(subject, RDFS.label) if getattr(o, "language", None) == "en")
    return found[0].replace("\n", " ") if found else ""


def _prefix_block(used: Iterable[str]) -> str:
    chosen = set(used)
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items() if p in chosen)


def format_graph(graph: Graph) -> str:
    """Serialize one graph as canonical Turtle.

    :param graph: the triples of one source file.
    :returns: the file's canonical text.
    :raises ValueError: if a blank node is used more than once.
    """
    writer = _Writer(graph, graph)
    body = writer.statements(0)
    return _prefix_block(writer.used) + "\n" + body + "\n"


def _graph_key(ident: str) -> tuple[int, str, int]:
    if found := nanopub_graph(ident):
        return (1, found[0], NANOPUB_PARTS.index(found[1]))
    return (0, ident, 0)


def _nanopub_comment(dataset: Dataset, graph: str) -> str:
    """Return ``# <id>: <English rendering>`` over a nanopublication's head graph, else nothing."""
    found = nanopub_graph(graph)
    if found is None or found[1] != "head":
        return ""
    np_id = found[0]
    iris = nanopub(np_id)
    rendering = dataset.graph(iris.provenance).value(iris.assertion, MSC.quoteTranslation)
    text = " ".join(str(rendering).split()) if rendering is not None else ""
    return f"# {np_id}: {text[:100]}{'…' if len(text) > 100 else ''}".rstrip() + "\n"


def format_dataset(dataset: Dataset, labels: Graph | None = None) -> str:
    """Serialize the named graphs of a Dataset as canonical TriG (nanopublication graphs kept together).

    :param dataset: the graphs of one TriG source file.
    :param labels: where to find English labels for comments (none are written if omitted).
    :returns: the file's canonical text.
    :raises ValueError: if a blank node is used more than once in a graph.
    """
    used: set[str] = set()
    blocks = []
    graphs = [g for g in dataset.graphs() if isinstance(g.identifier, URIRef) and len(g)]
    for g in sorted(graphs, key=lambda g: _graph_key(str(g.identifier))):
        writer = _Writer(g, labels if labels is not None else Graph())
        name = writer.curie(URIRef(g.identifier))
        blocks.append(_nanopub_comment(dataset, str(g.identifier)) + f"{name} {{\n{writer.statements(1)}\n}}")
        used |= writer.used
    return _prefix_block(used) + "\n" + "\n\n".join(blocks) + "\n"


def canonical_text(path: Path) -> str:
    """Return the canonical text of a Turtle or TriG source file.

    :param path: the file.
    :returns: what ``msckg fmt`` would write.
    :raises LoadError: if the file does not parse or cannot be written canonically.
    """
    ds = Dataset()
    try:
        if path.suffix == ".trig":
            parse_file(ds, path)
            return format_dataset(ds)
        target = URIRef(path.resolve().as_uri())
        parse_file(ds, path, target)
        return format_graph(ds.graph(target))
    except ValueError as exc:
        raise LoadError(path, None, str(exc)) from exc


def format_files(paths: Iterable[Path], check: bool) -> list[Path]:
    """Rewrite files canonically, or (``check``) only report which ones would change.

    Each file is written to ``<file>.tmp`` and renamed, so an interrupted run loses nothing.

    :param paths: Turtle/TriG source files.
    :param check: report only, write nothing.
    :returns: the files that were (or would be) changed.
    :raises LoadError: if a file does not parse; no file is changed after that point.
    """
    planned = [(p, canonical_text(p)) for p in paths]
    changed = [p for p, text in planned if p.read_text(encoding="utf-8") != text]
    if not check:
        write_atomically({path: text for path, text in planned if path in changed})
    return changed
