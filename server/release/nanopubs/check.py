"""``msckg nanopub check``: tell whether every nanopublication in a file is one the nanopub network accepts.

The structural rules are nanopub-java's (``NanopubImpl``), which the nanopublication guidelines and the
Nanopublication Test Suite follow:

* the head graph holds exactly one ``np:Nanopublication`` and its ``np:hasAssertion``, ``np:hasProvenance``
  and ``np:hasPublicationInfo`` links, one each, to IRIs;
* the head, assertion, provenance and pubinfo graphs are four distinct IRIs, none equal to the nanopublication
  IRI, each *starting with* it;
* the assertion, provenance and pubinfo graphs are not empty; the provenance graph mentions the assertion graph
  (as subject or object), the pubinfo graph the nanopublication;
* no triple lies outside the four graphs of some nanopublication (no default-graph triples, no extra graph,
  no graph shared by two nanopublications);
* every literal is well-typed for its XSD datatype (``"two"^^xsd:integer`` is not);
* a trusty IRI (``…RA`` + 43 characters) hashes to its own artifact code; a signature element verifies
  (see :mod:`server.release.nanopubs.crypto`).

A file is valid when it holds at least one nanopublication and all of them are.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF
from rdflib.term import Node

from server.errors import LoadError
from server.namespaces import NP, NPX
from server.release.nanopubs.crypto import artifact_code, signature_problem, trusty_code_of
from server.release.nanopubs.rdfio import FORMATS, Quad, read_quads

_LINKS = {NP.hasAssertion: "assertion", NP.hasProvenance: "provenance", NP.hasPublicationInfo: "pubinfo"}


@dataclass
class NanopubReport:
    """The verdict on one nanopublication."""

    iri: str
    #: ``plain``, ``trusty`` or ``signed`` (trusty and signed).
    kind: str = "plain"
    problems: list[str] = field(default_factory=list)


@dataclass
class FileReport:
    """The verdict on one file: its nanopublications, and problems that belong to none of them."""

    path: Path
    nanopubs: list[NanopubReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Whether the file holds nanopublications only, every one of them valid."""
        return bool(self.nanopubs) and not self.problems and all(not n.problems for n in self.nanopubs)

    def lines(self) -> list[str]:
        """Render the verdict, one line per problem (or one line saying the file is valid).

        :returns: lines starting with the file's path.
        """
        if self.valid:
            kinds = ", ".join(f"{n} {k}" for k, n in _count(n.kind for n in self.nanopubs).items())
            return [f"{self.path}: valid ({kinds})"]
        found = [f"{self.path}: {p}" for p in self.problems]
        found += [f"{self.path}: {n.iri}: {p}" for n in self.nanopubs for p in n.problems]
        return found or [f"{self.path}: no nanopublication found"]


def _count(items: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


def check_file(path: Path) -> FileReport:
    """Check every nanopublication of one file.

    :param path: a TriG, N-Quads, JSON-LD or TriX file.
    :returns: the file's report.
    :raises LoadError: if the file cannot be read or parsed.
    """
    return check_quads(path, read_quads(path))


def check_quads(path: Path, quads: list[Quad]) -> FileReport:
    """Check the nanopublications among ``quads`` (what :func:`check_file` does once the file is parsed).

    :param path: where the quads come from (for the report).
    :param quads: ``(graph, subject, predicate, object)``; the default graph is ``DATASET_DEFAULT_GRAPH_ID``.
    :returns: the report.
    """
    report = FileReport(path)
    by_graph: dict[Node, list[Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[quad[0]].append(quad)
    owner: dict[Node, str] = {}
    heads = sorted({(q[1], q[0]) for q in quads if q[2] == RDF.type and q[3] == NP.Nanopublication})
    for iri, head in heads:
        nanopub = NanopubReport(str(iri))
        report.nanopubs.append(nanopub)
        if [h for _, h in heads].count(head) > 1:
            nanopub.problems.append(f"its head graph {head} declares more than one np:Nanopublication")
        graphs = _graphs(nanopub, iri, head, by_graph.get(head, []))
        for graph in graphs.values():
            if graph in owner and owner[graph] != nanopub.iri:
                nanopub.problems.append(f"graph {graph} also belongs to {owner[graph]}")
            owner[graph] = nanopub.iri
        if len(graphs) == 4 and not nanopub.problems:
            own = [q for g in graphs.values() for q in by_graph.get(g, [])]
            _content(nanopub, iri, graphs, by_graph)
            _integrity(nanopub, iri, graphs["pubinfo"], own)
    for graph in sorted(set(by_graph) - set(owner), key=str):
        name = "the default graph" if graph == DATASET_DEFAULT_GRAPH_ID else f"graph {graph}"
        report.problems.append(f"{name} belongs to no nanopublication ({len(by_graph[graph])} triple(s))")
    return report


def _graphs(nanopub: NanopubReport, iri: Node, head: Node, head_quads: list[Quad]) -> dict[str, Node]:
    """Find the four graphs of a nanopublication from its head, checking the head's links and the graph IRIs."""
    problems = nanopub.problems
    if not isinstance(iri, URIRef) or not isinstance(head, URIRef):
        problems.append("the nanopublication and its head graph must be IRIs")
        return {}
    graphs: dict[str, Node] = {"head": head}
    for link, role in _LINKS.items():
        targets = [q[3] for q in head_quads if q[1] == iri and q[2] == link]
        if len(targets) != 1 or not isinstance(targets[0], URIRef):
            problems.append(f"the head graph needs exactly one np:{link.fragment} link to an IRI, has {len(targets)}")
        else:
            graphs[role] = targets[0]
    if len(graphs) < 4:
        return graphs
    if len(set(graphs.values())) < 4:
        problems.append("head, assertion, provenance and pubinfo graphs must be four distinct IRIs")
    for role, graph in graphs.items():
        if graph == iri:
            problems.append(f"the {role} graph IRI is the nanopublication IRI itself")
        elif not str(graph).startswith(str(iri)):
            problems.append(f"the {role} graph {graph} is not under the nanopublication IRI")
    return graphs


def _content(nanopub: NanopubReport, iri: Node, graphs: dict[str, Node], by_graph: dict[Node, list[Quad]]) -> None:
    """Non-empty graphs, the provenance about the assertion, the pubinfo about the nanopublication, typed literals."""
    for role in ("assertion", "provenance", "pubinfo"):
        if not by_graph.get(graphs[role]):
            nanopub.problems.append(f"the {role} graph {graphs[role]} is empty")
    if not any(graphs["assertion"] in (q[1], q[3]) for q in by_graph.get(graphs["provenance"], [])):
        nanopub.problems.append("the provenance graph says nothing about the assertion graph")
    if not any(iri in (q[1], q[3]) for q in by_graph.get(graphs["pubinfo"], [])):
        nanopub.problems.append("the pubinfo graph says nothing about the nanopublication")
    for graph in graphs.values():
        for quad in by_graph.get(graph, []):
            if isinstance(quad[3], Literal) and quad[3].ill_typed:
                literal = quad[3]
                nanopub.problems.append(f"ill-typed literal {literal!s} ^^{literal.datatype} in graph {graph}")


def _integrity(nanopub: NanopubReport, iri: Node, pubinfo: Node, own: list[Quad]) -> None:
    """Verify the trusty hash and the signature, when the nanopublication has them."""
    code = artifact_code(str(iri))
    if code:
        nanopub.kind = "trusty"
        found = trusty_code_of(own, code)
        if found != code:
            nanopub.problems.append(f"trusty hash mismatch: the content hashes to {found}")
    elements = [q[1] for q in own if q[0] == pubinfo and q[2] == NPX.hasSignature]
    if len(elements) > 1:
        nanopub.problems.append("more than one npx:hasSignature in the pubinfo graph")
    elif elements:
        nanopub.kind = "signed"
        targets = [q[3] for q in own if q[0] == pubinfo and q[1] == elements[0] and q[2] == NPX.hasSignatureTarget]
        if targets != [iri]:
            nanopub.problems.append("the signature element's npx:hasSignatureTarget is not the nanopublication")
        elif isinstance(elements[0], URIRef) and (problem := signature_problem(own, elements[0], code)):
            nanopub.problems.append(problem)


def check_paths(paths: Iterable[Path]) -> list[FileReport | LoadError]:
    """Check files; a folder stands for the RDF files below it (sorted).

    :param paths: files or folders.
    :returns: one report, or the load error, per file.
    """
    results: list[FileReport | LoadError] = []
    for path in expand(paths):
        try:
            results.append(check_file(path))
        except LoadError as exc:
            results.append(exc)
    return results


def expand(paths: Iterable[Path]) -> list[Path]:
    """List the files to check: files as given, folders replaced by their RDF files (recursively, sorted).

    :param paths: files or folders.
    :returns: the files.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)
        else:
            files.append(path)
    return files
