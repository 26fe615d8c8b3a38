"""The layout of a release folder, shared by the build that writes it and the server that reads it."""

import fcntl
import os
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from server.config import ProjectPaths
from server.curation.load import Loaded
from server.errors import ValidationFailed
from server.iris import release
from server.namespaces import ONTOLOGY_IRI

#: Every graph, nanopublications intact (TriG).
DATASET_FILE = "msc-liver.trig"
#: The same as N-Quads: what the query workers load (a fast, line-based bulk load).
DUMP_FILE = "msc-liver.nq"
#: The ontology with its import modules (Turtle), carrying the release's versionIRI.
ONTOLOGY_FILE = "msc-liver.ttl"
#: HermiT's inferred axioms.
INFERRED_FILE = "inferred.ttl"
#: The SHACL shapes the release was validated with.
SHAPES_FILE = "shapes.ttl"
#: VoID description of the dataset (Turtle).
VOID_FILE = "void.ttl"
#: Version, counts and stage timings (JSON).
INFO_FILE = "release.json"
#: The dataset as JSON-LD, and its ``@context`` (our prefix block) beside it.
JSONLD_FILE = "msc-liver.jsonld"
CONTEXT_FILE = "msc-liver.context.jsonld"
#: One row per assertion triple, with labels and provenance.
CSV_FILE = "msc-liver-assertions.csv"
#: KGX TSV nodes and edges.
NODES_FILE = "msc-liver_nodes.tsv"
EDGES_FILE = "msc-liver_edges.tsv"
#: The SSSOM mapping set.
SSSOM_FILE = "msc-liver.sssom.tsv"
#: Every downloadable file of a release, in the order the download page lists them, with its IANA media type:
#: the dataset (TriG, N-Quads, JSON-LD and its context), the ontology, HermiT's entailments, the shapes, the
#: tabular exports (assertions CSV, KGX nodes and edges, SSSOM mappings) and the VoID description.
RELEASE_MEDIA_TYPES = {
    DATASET_FILE: "application/trig",
    DUMP_FILE: "application/n-quads",
    JSONLD_FILE: "application/ld+json",
    CONTEXT_FILE: "application/ld+json",
    ONTOLOGY_FILE: "text/turtle",
    INFERRED_FILE: "text/turtle",
    SHAPES_FILE: "text/turtle",
    CSV_FILE: "text/csv",
    NODES_FILE: "text/tab-separated-values",
    EDGES_FILE: "text/tab-separated-values",
    SSSOM_FILE: "text/tab-separated-values",
    VOID_FILE: "text/turtle",
}
RELEASE_FILES = tuple(RELEASE_MEDIA_TYPES)
#: Media types of the files that are RDF dumps (VoID's ``void:dataDump``).
RDF_MEDIA_TYPES = ("application/trig", "application/n-quads", "application/ld+json", "text/turtle")


def current_release(paths: ProjectPaths) -> Path:
    """Return the path of the current release (the ``build/current`` symlink).

    :param paths: the project's folders.
    :returns: ``build/current``; it may not exist before the first good build.
    """
    return paths.build / "current"


def ontology_graph(loaded: Loaded) -> URIRef:
    """Return the named graph that holds the ontology header (``<…/ontology> a owl:Ontology``).

    :param loaded: the project's Dataset.
    :returns: the graph IRI.
    :raises ValidationFailed: if no graph declares the ontology.
    """
    for g in loaded.data_graphs():
        if (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in g:
            return URIRef(g.identifier)
    raise ValidationFailed("no owl:Ontology header found", f"expected <{ONTOLOGY_IRI}> a owl:Ontology")


def stamp_version(graph: Graph, version: str) -> None:
    """Write the release into the ontology header: ``owl:versionIRI``, ``owl:versionInfo`` (as ODK does).

    :param graph: a graph holding the ontology header; changed in place.
    :param version: release version (date).
    """
    onto = URIRef(ONTOLOGY_IRI)
    graph.set((onto, OWL.versionIRI, release(version, "msc-liver.owl")))
    graph.set((onto, OWL.versionInfo, Literal(version)))


def pin_release(release: Path) -> int | None:
    """Hold a shared lock on a release folder for as long as this process lives, so no build prunes it.

    A running server serves one release until it is restarted (its dump is loaded, its files are downloaded
    from that folder), even after ``build/current`` has moved on.

    :param release: the release folder.
    :returns: the locked descriptor (kept open on purpose), or ``None`` when the folder cannot be opened.
    """
    try:
        fd = os.open(release, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


def is_pinned(release: Path) -> bool:
    """Return whether a running server holds the release (see :func:`pin_release`).

    :param release: a release folder.
    :returns: true while some process holds its lock.
    """
    try:
        fd = os.open(release, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
