"""The layout of a release folder, shared by the build that writes it and the server that reads it."""

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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
#: The plain nanopublications alone (their four graphs each), what ``msckg nanopub check`` takes.
NANOPUBS_FILE = "msc-liver.nanopubs.trig"
#: Every signed (trusty) version of our nanopublications so far, retractions included (``msckg nanopub sign``).
SIGNED_FILE = "msc-liver.signed.trig"
#: How many older releases to keep next to the current one.
KEEP_RELEASES = 3
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
    NANOPUBS_FILE: "application/trig",
    SIGNED_FILE: "application/trig",
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


@contextmanager
def release_lock(paths: ProjectPaths) -> Iterator[None]:
    """Hold ``build/.lock`` while a release is written and published: one writer at a time (build, sign).

    Any ``.tmp`` folder found once the lock is held was left by a writer that was killed: it is removed.

    :param paths: the project's folders.
    :returns: a context in which this process alone writes releases.
    """
    releases = paths.build / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    with open(paths.build / ".lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in releases.glob(".*.tmp"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp_link = paths.build / ".current.tmp"
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        yield


def publish_release(paths: ProjectPaths, target: Path) -> None:
    """Make a finished release folder the current one: atomically repoint ``build/current``, prune old ones.

    Call it under :func:`release_lock`. A release a running server holds (:func:`pin_release`) is never pruned.

    :param paths: the project's folders.
    :param target: a complete release folder under ``build/releases``.
    """
    link = current_release(paths)
    tmp_link = paths.build / ".current.tmp"
    tmp_link.symlink_to(target.relative_to(paths.build))
    os.replace(tmp_link, link)
    releases = sorted((p for p in (paths.build / "releases").iterdir() if not p.name.startswith(".")), reverse=True)
    keep = {target.resolve()} | {p.resolve() for p in releases[:KEEP_RELEASES]}
    for old in releases:
        if old.resolve() not in keep and not is_pinned(old):
            shutil.rmtree(old, ignore_errors=True)


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
