"""The one loader: every source file into one rdflib ``Dataset``; everything else starts from it.

Each Turtle file becomes its own named graph (so a report can name the file a triple came from);
TriG files contribute their own named graphs and must leave the default graph empty.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node

from server.config import ProjectPaths
from server.errors import LoadError
from server.iris import file_graph
from server.namespaces import COMPUTED_GRAPHS, MSCG

#: Parser format by file suffix.
FORMATS = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt"}
#: Graph holding every shape of ``shapes/`` (kept apart from the published data).
SHAPES_GRAPH_PREFIX = str(MSCG["shapes"])


@dataclass
class Loaded:
    """A loaded Dataset plus where each of its named graphs came from."""

    dataset: Dataset
    sources: dict[URIRef, Path] = field(default_factory=dict)

    def data_graphs(self) -> list[Graph]:
        """Return every named graph that is published data (all but the shapes).

        :returns: the graphs, in a stable order.
        """
        return [g for g in self._sorted_graphs() if not str(g.identifier).startswith(SHAPES_GRAPH_PREFIX)]

    def curated_graphs(self) -> list[Graph]:
        """Return the published graphs read from source files: the data without the graphs the build computes.

        Reasoning and the exports that describe the curated data (KGX, statistics) read these, so a computed
        graph (:data:`~server.namespaces.COMPUTED_GRAPHS`) never feeds back into what it was computed from.

        :returns: the graphs, in a stable order.
        """
        return [g for g in self.data_graphs() if g.identifier not in COMPUTED_GRAPHS]

    def data_subject_objects(self, predicate: URIRef) -> Iterator[tuple[Node, Node, URIRef]]:
        """Return every (subject, object, graph) of ``predicate`` in the published data, in one pass.

        Asking each named graph in turn costs, in rdflib's memory store, a scan of every triple with that
        predicate per graph: with four graphs per nanopublication that was most of an export's time.

        :param predicate: the predicate.
        :returns: the subjects, objects and graph IRIs (shapes graphs left out).
        """
        for s, _, o, graph in self.dataset.quads((None, predicate, None, None)):
            if isinstance(graph, URIRef) and not str(graph).startswith(SHAPES_GRAPH_PREFIX):
                yield s, o, graph

    def shapes_graph(self) -> Graph:
        """Return the union of the shapes files as one graph (what pySHACL takes).

        :returns: a new Graph with every shape triple.
        """
        shapes = Graph()
        for g in self._sorted_graphs():
            if str(g.identifier).startswith(SHAPES_GRAPH_PREFIX):
                shapes += g
        return shapes

    def source_of(self, graph: URIRef) -> Path | None:
        """Return the file a named graph was read from.

        :param graph: the graph IRI.
        :returns: the file, or ``None`` for a graph created in memory.
        """
        return self.sources.get(graph)

    def _sorted_graphs(self) -> list[Graph]:
        graphs = [g for g in self.dataset.graphs() if isinstance(g.identifier, URIRef) and len(g)]
        return sorted(graphs, key=lambda g: str(g.identifier))


def graph_for_file(path: Path, paths: ProjectPaths) -> URIRef:
    """Return the named graph a Turtle source file is loaded into.

    :param path: a ``.ttl`` file below one of the source folders.
    :param paths: the project's folders.
    :returns: ``graph/ontology``, ``graph/imports/<src>``, ``graph/entities/<kind>``, … .
    """
    if path.parent == paths.ontology:
        return file_graph("ontology") if path.stem == "msc-liver" else file_graph("ontology", path.stem)
    if path.parent == paths.ontology / "imports":
        return file_graph("imports", path.stem.removesuffix("_import"))
    if path.parent == paths.shapes:
        return file_graph("shapes", path.stem)
    if path.parent == paths.instances / "entities":
        return file_graph("entities", path.stem)
    return file_graph(path.stem)


def source_files(paths: ProjectPaths) -> list[Path]:
    """List every RDF source file of the project, sorted.

    :param paths: the project's folders.
    :returns: ``.ttl`` and ``.trig`` files below ontology/, instances/ and shapes/.
    """
    found: list[Path] = []
    for folder in paths.source_dirs():
        found.extend(p for p in folder.rglob("*") if p.suffix in (".ttl", ".trig") and p.is_file())
    return sorted(found)


def parse_file(dataset: Dataset, path: Path, graph: URIRef | None = None) -> list[URIRef]:
    """Parse one file into ``dataset``; Turtle/N-Triples into ``graph``, TriG/N-Quads into its own graphs.

    :param dataset: where the triples go.
    :param path: the file.
    :param graph: target graph for triple formats (defaults to a graph named after the file's URI).
    :returns: the named graphs the file contributed to.
    :raises LoadError: with file and line when the file is unreadable, malformed or (TriG/N-Quads)
        puts triples in the default graph.
    """
    fmt = FORMATS.get(path.suffix)
    if fmt is None:
        raise LoadError(path, None, f"unknown file type {path.suffix!r} (expected one of {sorted(FORMATS)})")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(path, None, f"cannot read: {exc}") from exc
    if fmt in ("turtle", "nt"):
        target = graph or URIRef(path.resolve().as_uri())
        scratch = Graph()
        _parse(scratch, text, fmt, path)
        named = dataset.graph(target)
        for triple in scratch:
            named.add(triple)
        for prefix, ns in scratch.namespaces():
            dataset.bind(prefix, ns, override=False)
        return [target]
    scratch_ds = Dataset()
    _parse(scratch_ds, text, fmt, path)
    if fmt == "trig":
        _refuse_repeated_blocks(text, path)
    if len(scratch_ds.default_graph):
        raise LoadError(path, None, f"{len(scratch_ds.default_graph)} triple(s) outside any GRAPH block")
    contributed: list[URIRef] = []
    for quad in scratch_ds.quads((None, None, None, None)):
        s, p, o, g = quad
        ident = g.identifier if isinstance(g, Graph) else g
        assert isinstance(ident, URIRef)  # noqa: S101 - default graph was checked empty above
        dataset.graph(ident).add((s, p, o))
        if ident not in contributed:
            contributed.append(ident)
    return contributed


_TRIG_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n\r]*)
    | (?P<long>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3})
    | (?P<string>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
    | (?P<prefix>(?:@prefix|PREFIX)\s+(?P<ns>[^\s:]*):\s*<(?P<nsiri>[^>]*)>)
    | (?P<iri><[^>]*>)
    | (?P<open>\{) | (?P<close>\})
    | (?P<pname>[A-Za-z_][\w.-]*:[^\s{}()\[\];,<>"']* | :[^\s{}()\[\];,<>"']*)
    | (?P<other>\S)
    """,
    re.VERBOSE | re.IGNORECASE,
)


def _refuse_repeated_blocks(text: str, path: Path) -> None:
    """Refuse a TriG file that writes two blocks for one graph (rdflib would merge them without a word).

    Two blocks with one nanopublication's graph name are two nanopublications with the same id.

    :raises LoadError: naming the second block's line and the first's.
    """
    prefixes: dict[str, str] = {}
    first_line: dict[str, int] = {}
    depth, label = 0, None
    for token in _TRIG_TOKENS.finditer(text):
        kind = token.lastgroup
        if kind == "prefix":
            prefixes[token.group("ns")] = token.group("nsiri")
        elif kind == "open":
            if depth == 0 and label is not None:
                line = text.count("\n", 0, token.start()) + 1
                if label in first_line:
                    raise LoadError(path, line, f"a second block for graph <{label}> (the first is at line "
                                                f"{first_line[label]}): one nanopublication id, one block")  # fmt: skip
                first_line[label] = line
            depth += 1
        elif kind == "close":
            depth, label = max(0, depth - 1), None
        elif depth == 0 and kind == "iri":
            label = token.group(0)[1:-1]
        elif depth == 0 and kind == "pname":
            prefix, _, local = token.group(0).partition(":")
            label = prefixes.get(prefix, prefix + ":") + local


def _parse(target: Graph, text: str, fmt: str, path: Path) -> None:
    try:
        target.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        raise LoadError(path, exc.lines + 1, f"syntax error: {exc._why}") from exc
    except Exception as exc:  # rdflib raises many unrelated types for bad input
        raise LoadError(path, _line_hint(exc), f"{type(exc).__name__}: {exc}") from exc


def _line_hint(exc: Exception) -> int | None:
    line = getattr(exc, "lines", None) or getattr(exc, "line", None)
    return int(line) if isinstance(line, int) else None


def load_project(paths: ProjectPaths) -> Loaded:
    """Load every source file of the project.

    :param paths: the project's folders.
    :returns: the Dataset and the file of each named graph.
    :raises LoadError: on the first file that cannot be parsed, or a graph defined in two files.
    """
    return load_files(source_files(paths), paths)


def load_files(files: Iterable[Path], paths: ProjectPaths | None = None) -> Loaded:
    """Load the given files into one Dataset (project files get their canonical graph names).

    :param files: RDF files (Turtle, TriG, N-Triples, N-Quads).
    :param paths: the project's folders, to name file graphs; ``None`` for outside files.
    :returns: the Dataset and the file of each named graph.
    :raises LoadError: on a file that cannot be parsed, or a graph defined in two files.
    """
    loaded = Loaded(Dataset(default_union=True))
    for path in files:
        graph = graph_for_file(path, paths) if paths and path.suffix == ".ttl" else None
        for ident in parse_file(loaded.dataset, path, graph):
            previous = loaded.sources.get(ident)
            if previous is not None and previous != path:
                raise LoadError(path, None, f"graph <{ident}> is also defined in {previous}")
            loaded.sources[ident] = path
    return loaded


#: Graph kinds of a project that give user files their context (terms, entities, references).
CONTEXT_KINDS = ("ontology", "imports", "entities", "references")


def with_context(user: Loaded, project: Loaded) -> Loaded:
    """Add the project's ontology, imports, entities and references to user-provided data.

    Integrators validate their own nanopublications against our shapes; the category and reference checks
    need our T-box and the nodes the user's triples point to. Graphs the user's files define are kept as given,
    and a node the user's files type themselves (``rdf:type``) is not described again from ours; a node they
    only use in a claim keeps our description.

    :param user: the user's files, loaded.
    :param project: the project, loaded.
    :returns: ``user``, extended in place.
    """
    prefixes = tuple(str(MSCG[kind]) for kind in CONTEXT_KINDS)
    described = {s for g in user.data_graphs() for s in g.subjects(RDF.type, None)}
    for g in project.data_graphs():
        ident = URIRef(g.identifier)
        if str(ident).startswith(prefixes) and ident not in user.sources:
            target = user.dataset.graph(ident)
            for triple in g:
                if triple[0] not in described:
                    target.add(triple)
            source = project.source_of(ident)
            if source is not None:
                user.sources[ident] = source
    return user
