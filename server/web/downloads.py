"""Downloads and the dataset's own IRIs.

``/download/`` lists every release file with its size and SHA-256; the VoID description is also a page;
``/dataset`` and its distributions, and the release's version IRI, dereference.

These read the release folder's static files (the downloads themselves and ``void.ttl``), which is what they
are about; everything else the pages show comes through the engine.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_from_directory
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID
from rdflib.term import Node
from werkzeug.wrappers import Response as BaseResponse

from server.engine.formats import GRAPH_FORMATS, negotiate
from server.namespaces import ONTOLOGY_IRI, RELEASES
from server.release.layout import ONTOLOGY_FILE, RELEASE_FILES, RELEASE_MEDIA_TYPES
from server.release.void import DATASET
from server.web import settings_of
from server.web.describe import RDFLIB_FORMATS, void_description
from server.web.entities import entity_page, wants_html
from server.web.rdfview import labels

bp = Blueprint("downloads", __name__)


@dataclass(frozen=True)
class Download:
    """One file of the release as the download page lists it."""

    name: str
    media_type: str
    size: int
    sha256: str


def _digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def release_files(release: Path) -> list[Download]:
    """List the release's downloadable files with sizes and SHA-256 (computed once per file and process).

    :param release: the release folder.
    :returns: the files present, in :data:`RELEASE_FILES` order.
    """
    cache: dict[tuple[str, float, int], str] = current_app.extensions["msckg"].setdefault("sha256", {})
    found = []
    for name in RELEASE_FILES:
        path = release / name
        if not path.is_file():
            continue
        stat = path.stat()
        key = (name, stat.st_mtime, stat.st_size)
        if key not in cache:
            cache[key] = _digest(path)
        found.append(Download(name, RELEASE_MEDIA_TYPES[name], stat.st_size, cache[key]))
    return found


@bp.route("/download/")
def index() -> Response:
    """List every file, its size, SHA-256 and media type, and how to load the dumps."""
    release = settings_of(current_app).release
    html = render_template("downloads.html", files=release_files(release))
    return Response(html, mimetype="text/html")


@bp.route("/download/<name>")
def download(name: str) -> Response:
    """Serve a file of the release."""
    if name not in RELEASE_FILES:
        return Response(f"no such file: {name}\n", status=404, mimetype="text/plain")
    return send_from_directory(settings_of(current_app).release.resolve(), name,
                               mimetype=RELEASE_MEDIA_TYPES[name])  # fmt: skip


def _int(node: Node | None) -> int:
    return int(node) if isinstance(node, Literal) else 0


def void_page() -> Response:
    """Render the VoID description for a browser: counts, dumps, class and property partitions, linksets.

    :returns: the HTML response.
    """
    settings = settings_of(current_app)
    g = Graph().parse(data=_void(settings.release, settings.public_url, "text/turtle"), format="turtle")

    def one(s: Node, p: URIRef) -> str:
        found = g.value(s, p)
        return str(found) if found is not None else ""

    classes = sorted(((str(g.value(b, VOID["class"])), _int(g.value(b, VOID.entities)))
                      for b in g.objects(DATASET, VOID.classPartition)), key=lambda x: -x[1])  # fmt: skip
    props = sorted(((str(g.value(b, VOID.property)), _int(g.value(b, VOID.triples)))
                    for b in g.objects(DATASET, VOID.propertyPartition)), key=lambda x: -x[1])  # fmt: skip
    linksets = sorted((one(s, DCTERMS.title), one(s, VOID.objectsTarget), one(s, VOID.triples))
                      for s in g.subjects(RDF.type, VOID.Linkset))  # fmt: skip
    dumps = sorted(str(d) for d in g.objects(DATASET, VOID.dataDump))
    names = labels([c for c, _ in classes] + [p for p, _ in props])
    stats = {k: one(DATASET, VOID[k]) for k in ("triples", "distinctSubjects", "distinctObjects", "classes",
                                                  "properties")}  # fmt: skip
    html = render_template(
        "void.html", title=one(DATASET, DCTERMS.title), version=one(DATASET, OWL.versionInfo),
        licence=one(DATASET, DCTERMS.license), source=one(DATASET, DCTERMS.source), stats=stats,
        endpoint=one(DATASET, VOID.sparqlEndpoint), dumps=dumps, classes=classes, props=props, names=names,
        linksets=linksets, distributions=len(list(g.objects(DATASET, DCAT.distribution))),
    )  # fmt: skip
    return Response(html, mimetype="text/html")


def void_response() -> Response:
    """Answer with the VoID description: a page for a browser, else Turtle, RDF/XML, JSON-LD or N-Triples.

    :returns: the response.
    """
    if wants_html():
        return void_page()
    fmt = negotiate(GRAPH_FORMATS[:4], request.headers.get("Accept"), request.args.get("format"))
    settings = settings_of(current_app)
    return _rdf(_void(settings.release, settings.public_url, fmt.media_type), fmt.media_type)


@lru_cache(maxsize=16)
def _void(release: Path, root: str, media_type: str) -> bytes:
    """Make the VoID description once per release, server URL and format."""
    return void_description(release, root, media_type)


def _rdf(body: bytes, media_type: str) -> Response:
    response = Response(body)
    response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/dataset")
def dataset() -> Response:
    """Describe the dataset (its IRI): the VoID description, as a page or as RDF."""
    return void_response()


@bp.route("/dataset/distribution/<name>")
def distribution(name: str) -> BaseResponse:
    """Send a distribution's IRI to its file."""
    if name not in RELEASE_FILES:
        abort(404)
    return redirect(f"/download/{name}", code=303)


@bp.route("/releases/<version>/<name>")
def version_iri(version: str, name: str) -> Response:
    """Serve the ontology's version IRI (``owl:versionIRI``) of the release this server serves."""
    current = current_app.extensions["msckg"]["release"].get("version")
    if version != current or name != "msc-liver.owl":
        return Response(f"{RELEASES}{version}/{name} is not served here; this server serves release {current}\n",
                        status=404, mimetype="text/plain")  # fmt: skip
    if wants_html():
        return entity_page(ONTOLOGY_IRI)
    fmt = negotiate(GRAPH_FORMATS[:4], request.headers.get("Accept"), request.args.get("format"))
    graph = Graph().parse(settings_of(current_app).release / ONTOLOGY_FILE, format="turtle")
    return _rdf(graph.serialize(format=RDFLIB_FORMATS[fmt.media_type], encoding="utf-8"), fmt.media_type)
