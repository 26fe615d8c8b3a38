"""VoID/DCAT description of a release: what is in it, under which licence, and how it links to other ontologies.

Written by the build (``void.ttl`` in the release) and by ``msckg export`` (with a ``dcat:distribution`` per
exported file), and served by the endpoint at ``/.well-known/void`` with the endpoint and dump locations of the
serving host added.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, SKOS, VOID, XSD

from server.curation.load import Loaded
from server.iris import REVIEW, curie_of, distribution, graph_kind
from server.namespaces import BASE, LICENSE_IRI, MSCAG
from server.release.layout import CONTEXT_FILE, RDF_MEDIA_TYPES

#: The dataset node of every release.
DATASET = URIRef(BASE + "dataset")
#: Where each external source lives (the target of its linkset).
SOURCE_HOMES = {
    "CL": "http://purl.obolibrary.org/obo/cl.owl", "GO": "http://purl.obolibrary.org/obo/go.owl",
    "UBERON": "http://purl.obolibrary.org/obo/uberon.owl", "MONDO": "http://purl.obolibrary.org/obo/mondo.owl",
    "CHEBI": "http://purl.obolibrary.org/obo/chebi.owl", "ECO": "http://purl.obolibrary.org/obo/eco.owl",
    "RO": "http://purl.obolibrary.org/obo/ro.owl", "BFO": "http://purl.obolibrary.org/obo/bfo.owl",
    "NCBITaxon": "http://purl.obolibrary.org/obo/ncbitaxon.owl", "OBI": "http://purl.obolibrary.org/obo/obi.owl",
    "HP": "http://purl.obolibrary.org/obo/hp.owl", "SO": "http://purl.obolibrary.org/obo/so.owl",
    "EFO": "http://www.ebi.ac.uk/efo/efo.owl", "HGNC": "https://www.genenames.org/",
    "mirbase.mature": "https://www.mirbase.org/", "MESH": "https://meshb.nlm.nih.gov/",
}  # fmt: skip
_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


def void_graph(loaded: Loaded, version: str, distributions: Sequence[tuple[str, str]] = ()) -> Graph:
    """Describe the release's dataset in VoID and DCAT.

    :param loaded: the project's Dataset.
    :param version: release version (date).
    :param distributions: ``(file name, media type)`` of each file of the release, described as a
        ``dcat:Distribution`` whose ``dcat:downloadURL`` is the file name (relative to the description); each
        RDF file is also a ``void:dataDump``.
    :returns: the VoID/DCAT graph.
    """
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcterms", DCTERMS)
    g.bind("dcat", DCAT)
    triples, subjects, objects = 0, set(), set()
    classes: Counter[URIRef] = Counter()
    properties: Counter[URIRef] = Counter()
    links: Counter[tuple[str, URIRef]] = Counter()
    graphs = loaded.data_graphs()
    for graph in graphs:
        for s, p, o in graph:
            triples += 1
            subjects.add(s)
            objects.add(o)
            properties[URIRef(str(p))] += 1
            if p == RDF.type and isinstance(o, URIRef):
                classes[o] += 1
            if p in _MAPPINGS and isinstance(o, URIRef) and (curie := curie_of(str(o))):
                links[(curie.split(":", 1)[0], URIRef(str(p)))] += 1
    g.add((DATASET, RDF.type, VOID.Dataset))
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, DCTERMS.title, Literal("MSC-Liver KG", lang="en")))
    g.add(
        (
            DATASET,
            DCTERMS.description,
            Literal(
                "The claims of a review on bone marrow-derived mesenchymal stem cells in liver failure, as "
                "nanopublications with provenance, with an OWL ontology of the entities they involve, and two graphs "
                "the build computes, never a claim of the review (graph/derived: signed routes and net effects; "
                "graph/inferred: the entailed types of the entities). Like a SPARQL count over the union of the "
                "graphs, the class partitions count each class's entities by their asserted and entailed types.",
                lang="en",
            ),
        )
    )
    g.add((DATASET, DCTERMS.license, URIRef(LICENSE_IRI)))
    g.add((DATASET, DCTERMS.creator, Literal("MSC-Liver KG curation team")))
    g.add((DATASET, DCTERMS.source, REVIEW))
    g.add((DATASET, OWL.versionInfo, Literal(version)))
    g.add((DATASET, URIRef(str(DCAT) + "version"), Literal(version)))  # DCAT 3, not in rdflib's DCAT 2 terms
    if _is_date(version):
        g.add((DATASET, DCTERMS.issued, Literal(version, datatype=XSD.date)))
    for creator in _creators(loaded):
        g.add((DATASET, DCTERMS.creator, creator))
    for name, media_type in distributions:
        dist = distribution(name)
        g.add((DATASET, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(name)))
        g.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")))
        g.add((dist, DCAT.downloadURL, URIRef(name)))
        g.add((dist, DCTERMS.license, URIRef(LICENSE_IRI)))
        if media_type in RDF_MEDIA_TYPES and name != CONTEXT_FILE:
            g.add((DATASET, VOID.dataDump, URIRef(name)))
    g.add((DATASET, VOID.uriSpace, Literal(BASE)))
    g.add((DATASET, VOID.triples, Literal(triples, datatype=XSD.integer)))
    g.add((DATASET, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    g.add((DATASET, VOID.distinctObjects, Literal(len(objects), datatype=XSD.integer)))
    g.add((DATASET, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((DATASET, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    g.add((DATASET, URIRef(str(SD) + "namedGraphCount"), Literal(len(graphs), datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        part = BNode()
        g.add((DATASET, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    for prop, count in sorted(properties.items()):
        part = BNode()
        g.add((DATASET, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(count, datatype=XSD.integer)))
    for (prefix, predicate), count in sorted(links.items()):
        linkset = URIRef(f"{BASE}dataset/linkset/{prefix}-{str(predicate).rsplit('#', 1)[-1]}")
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((DATASET, VOID.subset, linkset))
        g.add((linkset, VOID.subjectsTarget, DATASET))
        g.add((linkset, VOID.objectsTarget, URIRef(SOURCE_HOMES.get(prefix, BASE))))
        g.add((linkset, VOID.linkPredicate, predicate))
        g.add((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))
        g.add((linkset, DCTERMS.title, Literal(f"mappings to {prefix} ({str(predicate).rsplit('#', 1)[-1]})")))
    return g


def _is_date(version: str) -> bool:
    try:
        dt.date.fromisoformat(version)
    except ValueError:
        return False
    return True


def _creators(loaded: Loaded) -> list[URIRef]:
    """Return the agents the pubinfo graphs name as creators of the nanopublications (our curators)."""
    found = {
        o
        for _, o, graph in loaded.data_subject_objects(DCTERMS.creator)
        if graph_kind(graph) == "pubinfo" and isinstance(o, URIRef) and o.startswith(str(MSCAG))
    }
    return sorted(found)
