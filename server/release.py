"""The layout of a release folder, shared by the build that writes it and the server that reads it."""

from pathlib import Path

from server.config import ProjectPaths

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


def current_release(paths: ProjectPaths) -> Path:
    """Return the path of the current release (the ``build/current`` symlink).

    :param paths: the project's folders.
    :returns: ``build/current``; it may not exist before the first good build.
    """
    return paths.build / "current"
