"""``msckg export``: the dataset in the formats integrators read, each file written whole or not at all.

=======  ==============================================  ====================================================
format   files                                           what
=======  ==============================================  ====================================================
trig     ``msc-liver.trig``                              every graph, nanopublications intact
nquads   ``msc-liver.nq``                                the same, one sorted quad per line
turtle   ``msc-liver.ttl``                               the ontology with its import modules, release versionIRI
jsonld   ``msc-liver.jsonld``, ``…context.jsonld``       every graph as JSON-LD; the data refers to the
                                                         ``@context`` file next to it by relative IRI
csv      ``msc-liver-assertions.csv``                    one row per assertion triple (curation.assertions)
kgx      ``msc-liver_nodes.tsv``, ``…_edges.tsv``        KGX TSV with Biolink categories (:mod:`.biolink`)
sssom    ``msc-liver.sssom.tsv``                         the mapping set (:mod:`server.links.sssom`)
void     ``void.ttl``                                    VoID/DCAT description of the files above
=======  ==============================================  ====================================================

Everything is rendered in memory first; then each file is written to ``<name>.tmp`` and, once all are written,
renamed, so a failure leaves no partial file and the previous export as it was (ODK's ``$@.tmp && mv``). The
output is reproducible: blank nodes get canonical labels (:func:`rdflib.compare.to_canonical_graph`), quads,
rows and JSON members are sorted.
"""

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.plugins.serializers.trig import TrigSerializer

from server.curation.assertions import assertions_csv
from server.curation.load import Loaded
from server.files import write_atomically
from server.iris import graph_kind
from server.links.sssom import sssom_tsv
from server.namespaces import PREFIXES
from server.release.biolink import kgx_tables
from server.release.layout import (
    CONTEXT_FILE,
    CSV_FILE,
    DATASET_FILE,
    DUMP_FILE,
    EDGES_FILE,
    JSONLD_FILE,
    NODES_FILE,
    ONTOLOGY_FILE,
    RELEASE_MEDIA_TYPES,
    SSSOM_FILE,
    VOID_FILE,
    ontology_graph,
    stamp_version,
)
from server.release.void import void_graph

#: Files of each format, in the order ``all`` writes them.
FILES: dict[str, tuple[str, ...]] = {
    "trig": (DATASET_FILE,),
    "nquads": (DUMP_FILE,),
    "turtle": (ONTOLOGY_FILE,),
    "jsonld": (JSONLD_FILE, CONTEXT_FILE),
    "csv": (CSV_FILE,),
    "kgx": (NODES_FILE, EDGES_FILE),
    "sssom": (SSSOM_FILE,),
    "void": (VOID_FILE,),
}
#: The formats that hold or describe every graph, the computed ones too (the others read the curated graphs).
WHOLE_DATASET = ("trig", "nquads", "jsonld", "void")
#: Every format ``msckg export --format`` accepts.
FORMATS = (*FILES, "all")
#: IANA media type of each file.
MEDIA_TYPES = {name: RELEASE_MEDIA_TYPES[name] for names in FILES.values() for name in names}
#: The JSON-LD ``@context``: our prefix block.
CONTEXT: dict[str, str] = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _canonical(graph: Graph) -> list[tuple[Any, Any, Any]]:
    """Return the triples sorted, with canonical blank-node labels (so every run writes the same bytes)."""
    triples = to_canonical_graph(graph) if any(isinstance(n, BNode) for t in graph for n in t) else graph
    return sorted(triples, key=lambda t: tuple(n.n3() for n in t))


def _bound(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def release_dataset(loaded: Loaded, version: str) -> Dataset:
    """Copy every published graph into a new Dataset, with the ontology's version stamped as the build does.

    :param loaded: the project's Dataset.
    :param version: release version (date).
    :returns: the Dataset (named graphs only; canonical blank nodes; our prefixes bound).
    :raises ValidationFailed: if no graph holds the ontology header.
    """
    dataset = Dataset()
    _bound(dataset)
    header = ontology_graph(loaded)
    for g in loaded.data_graphs():
        ident = URIRef(g.identifier)
        target = dataset.graph(ident)
        for triple in _canonical(g):
            target.add(triple)
        if ident == header:
            stamp_version(target, version)
    return dataset


def release_ontology(loaded: Loaded, version: str) -> Graph:
    """Merge the ontology with its import modules, with the release's ``owl:versionIRI`` / ``owl:versionInfo``.

    :param loaded: the project's Dataset.
    :param version: release version (date).
    :returns: one Graph (our prefixes bound).
    """
    merged = Graph()
    for g in loaded.data_graphs():
        if graph_kind(URIRef(g.identifier)) in ("ontology", "imports"):
            merged += g
    ontology = _bound(Graph())
    for triple in _canonical(merged):
        ontology.add(triple)
    stamp_version(ontology, version)
    return ontology


class _SortedTrig(TrigSerializer):
    """rdflib's TriG serializer with the named graphs in IRI order (rdflib's store yields them unordered)."""

    def __init__(self, store: Dataset) -> None:
        super().__init__(store)
        self.contexts.sort(key=lambda g: str(g.identifier))


def _sorted_json(value: Any) -> Any:
    """Sort JSON-LD arrays (unordered in RDF) by their serialized form; ``@list`` arrays keep their order."""
    if isinstance(value, dict):
        return {k: [_sorted_json(i) for i in v] if k == "@list" else _sorted_json(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def jsonld_files(dataset: Dataset) -> dict[str, bytes]:
    """Render the dataset as JSON-LD compacted with :data:`CONTEXT`, and the context as its own file.

    :param dataset: what :func:`release_dataset` returns.
    :returns: :data:`JSONLD_FILE` (whose ``@context`` is the relative IRI of :data:`CONTEXT_FILE`) and
        :data:`CONTEXT_FILE`.
    """
    document = json.loads(dataset.serialize(format="json-ld", context=CONTEXT, auto_compact=False))
    document["@context"] = CONTEXT_FILE
    return {JSONLD_FILE: _json(_sorted_json(document)), CONTEXT_FILE: _json({"@context": CONTEXT})}


class _Renderer:
    """Renders each format once per export (the Dataset copy is shared by TriG, N-Quads and JSON-LD)."""

    def __init__(self, loaded: Loaded, version: str) -> None:
        self.loaded, self.version = loaded, version
        self._dataset: Dataset | None = None

    @property
    def dataset(self) -> Dataset:
        """The dataset copy with canonical blank nodes and the version stamped."""
        if self._dataset is None:
            self._dataset = release_dataset(self.loaded, self.version)
        return self._dataset

    def trig(self) -> dict[str, bytes]:
        """Render the TriG file."""
        out = io.BytesIO()
        _SortedTrig(self.dataset).serialize(out, encoding="utf-8")
        return {DATASET_FILE: out.getvalue()}

    def nquads(self) -> dict[str, bytes]:
        """Render the N-Quads file, one sorted quad per line."""
        lines = self.dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8").splitlines()
        return {DUMP_FILE: "".join(line + "\n" for line in sorted(set(lines)) if line).encode("utf-8")}

    def turtle(self) -> dict[str, bytes]:
        """Render the ontology Turtle file."""
        return {ONTOLOGY_FILE: release_ontology(self.loaded, self.version).serialize(format="turtle", encoding="utf-8")}

    def jsonld(self) -> dict[str, bytes]:
        """Render the JSON-LD file and its context."""
        return jsonld_files(self.dataset)

    def csv(self) -> dict[str, bytes]:
        """Render the CSV of assertions."""
        return {CSV_FILE: assertions_csv(self.loaded).encode("utf-8")}

    def kgx(self) -> dict[str, bytes]:
        """Render the KGX nodes and edges."""
        nodes, edges = kgx_tables(self.loaded)
        return {NODES_FILE: nodes.encode("utf-8"), EDGES_FILE: edges.encode("utf-8")}

    def sssom(self) -> dict[str, bytes]:
        """Render the SSSOM mapping set."""
        return {SSSOM_FILE: sssom_tsv(self.loaded, self.version).encode("utf-8")}

    def void(self) -> dict[str, bytes]:
        """Render the VoID/DCAT description, with a distribution per file of a full export."""
        files = [(name, MEDIA_TYPES[name]) for fmt, names in FILES.items() if fmt != "void" for name in names]
        described = _bound(Graph())
        for triple in _canonical(void_graph(self.loaded, self.version, files)):
            described.add(triple)
        return {VOID_FILE: described.serialize(format="turtle", encoding="utf-8")}


def render(loaded: Loaded, formats: Sequence[str], version: str) -> dict[str, bytes]:
    """Render some formats in memory (the build renders the release's TriG, N-Quads and ontology this way).

    :param loaded: the project's Dataset.
    :param formats: formats of :data:`FILES`.
    :param version: release version (date) stamped on the ontology, the mapping set and the VoID.
    :returns: file name → content.
    :raises ValueError: for an unknown format.
    :raises ValidationFailed: if the data cannot be exported (no ontology header, a literal in an assertion).
    """
    unknown = [fmt for fmt in formats if fmt not in FILES]
    if unknown:
        raise ValueError(f"unknown export format {unknown[0]!r} (expected one of {', '.join(FORMATS)})")
    renderer = _Renderer(loaded, version)
    outputs: dict[str, bytes] = {}
    for fmt in formats:
        method: Callable[[], dict[str, bytes]] = getattr(renderer, fmt)
        outputs.update(method())
    return outputs


def export(loaded: Loaded, fmt: str, target_dir: Path, version: str) -> list[Path]:
    """Export the dataset in one format (or ``all``) into ``target_dir``.

    :param loaded: the project's Dataset.
    :param fmt: one of :data:`FORMATS`.
    :param target_dir: output folder (created if missing); existing files of the same names are replaced.
    :param version: release version (date).
    :returns: the files written.
    :raises ValueError: for an unknown format.
    :raises ValidationFailed: if the data cannot be exported; nothing is written then.
    :raises OSError: if writing fails; no ``.tmp`` or partial file is left.
    """
    rendered = render(loaded, list(FILES) if fmt == "all" else [fmt], version)
    return write_atomically({target_dir / name: content for name, content in rendered.items()})
