"""Self-description: the SPARQL 1.1 Service Description and the release's VoID, with this host's URLs."""

from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, VOID

from server.release.layout import VOID_FILE
from server.release.void import DATASET, SD

#: W3C format IRIs (https://www.w3.org/ns/formats/) of the results we write.
_FORMATS = Namespace("http://www.w3.org/ns/formats/")
_RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD"]  # fmt: skip
#: rdflib serializer name per media type we answer with.
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
                  "application/n-triples": "nt"}  # fmt: skip


@lru_cache(maxsize=16)
def service_description(root: str, media_type: str) -> bytes:
    """Describe the endpoint (SPARQL 1.1 Service Description); made once per root URL and media type.

    :param root: the server's public root URL (configured, never the request's ``Host``).
    :param media_type: one of :data:`RDFLIB_FORMATS`.
    :returns: the serialized description.
    """
    g = Graph()
    g.bind("sd", SD)
    g.bind("void", VOID)
    service = URIRef(root + "sparql")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in _RESULT_FORMATS:
        g.add((service, SD.resultFormat, _FORMATS[name]))
    dataset = BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDF.type, VOID.Dataset))
    g.add((default, RDFS.seeAlso, URIRef(root + ".well-known/void")))
    g.add((default, URIRef(str(VOID) + "inDataset"), DATASET))
    return g.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")


def void_description(release: Path, root: str, media_type: str) -> bytes:
    """Return the release's VoID with this server's endpoint and dump locations.

    :param release: the release folder.
    :param root: the server's root URL.
    :param media_type: one of :data:`RDFLIB_FORMATS`.
    :returns: the serialized VoID.
    """
    g = Graph()
    void_file = release / VOID_FILE
    if void_file.is_file():
        # the file's download URLs are relative to it; here they resolve to this server's /download/
        g.parse(void_file, format="turtle", publicID=root + "download/")
    g.add((DATASET, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    g.add((DATASET, VOID.exampleResource, URIRef("https://w3id.org/msc-liver/entity/bm-msc")))
    g.add((DATASET, VOID.feature, URIRef("http://www.w3.org/ns/formats/TriG")))
    return g.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
