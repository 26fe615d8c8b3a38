"""Every namespace the project writes, in one place, so no IRI literal is spelled anywhere else.

The prefix map :data:`PREFIXES` is also the fixed prefix block of canonical Turtle (see :mod:`server.curation.fmt`).
"""

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

BASE = "https://w3id.org/msc-liver/"

#: Ontology terms: classes, properties and the modality / citation-status individuals.
MSC = Namespace(BASE + "ontology/")
#: Curated entities (cells, gene products, processes, outcomes, models …): lower-case slugs.
MSCE = Namespace(BASE + "entity/")
#: Nanopublications; each one's four graphs are minted under its own IRI (``np/<id>/head``, ``/assertion`` …).
MSCNP = Namespace(BASE + "np/")
#: Former graph IRIs of nanopublications (``graph/<part>/<id>``), now answered with a 301 to ``np/<id>/<part>``.
LEGACY_NANOPUB_GRAPHS = BASE + "graph/"
#: Graphs that hold a whole source file (ontology, imports, entity files, shapes).
MSCG = Namespace(BASE + "graph/")
#: The graph the build computes from the claims (signed routes, net effects): never a claim of the review.
DERIVED_GRAPH = MSCG["derived"]
#: HermiT's entailed types of the individuals, so that a class test is a lookup on any store: never a claim.
INFERRED_GRAPH = MSCG["inferred"]
#: The graphs the build computes rather than loads: reasoning, exports and entity pages leave them out.
COMPUTED_GRAPHS = frozenset({DERIVED_GRAPH, INFERRED_GRAPH})
#: Mechanism chains: grouping nodes shared by the nanopublications of one multi-step mechanism.
MSCC = Namespace(BASE + "chain/")
#: Curators and other agents.
MSCAG = Namespace(BASE + "agent/")
#: SHACL shapes and the vocabulary of the validation view.
MSCSH = Namespace(BASE + "shapes/")
#: Release (version) IRIs.
RELEASES = Namespace(BASE + "releases/")

#: OBO Foundry PURLs: CL, GO, UBERON, MONDO, CHEBI, ECO, RO, BFO, NCBITaxon, OBI, IAO, HP, SO.
OBO = Namespace("http://purl.obolibrary.org/obo/")
#: HGNC genes in their identifiers.org form.
HGNC = Namespace("https://identifiers.org/hgnc:")
#: Mouse (MGI) and rat (RGD) genes in their identifiers.org form: a gene product of a mouse- or rat-only claim.
MGI = Namespace("https://identifiers.org/MGI:")
RGD = Namespace("https://identifiers.org/rgd:")
#: miRBase mature miRNAs in their identifiers.org form.
MIRBASE_MATURE = Namespace("https://identifiers.org/mirbase.mature:")
#: MeSH descriptors, used only where no OBO term exists.
MESH = Namespace("https://identifiers.org/mesh:")
#: Nanopublication schema.
NP = Namespace("http://www.nanopub.org/nschema#")
#: Nanopublication extensions: signatures (``npx:hasSignature`` …), versions (``npx:supersedes``, ``npx:retracts``).
NPX = Namespace("http://purl.org/nanopub/x/")
#: ORCID iDs of people (curators, signers).
ORCID = Namespace("https://orcid.org/")
#: FOAF (an agent's name).
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
#: Where nanopub toolkits expect a nanopublication's IRIs before signing; signing turns it into ``https://w3id.org/np/RA…``.
NP_TEMP = Namespace("http://purl.org/nanopub/temp/")
#: The nanopub network's IRIs of trusty nanopublications.
NP_NETWORK = Namespace("https://w3id.org/np/")
#: OBO in OWL (synonyms).
OBOINOWL = Namespace("http://www.geneontology.org/formats/oboInOwl#")
#: Bibliographic ontology (volume, pages, DOI).
BIBO = Namespace("http://purl.org/ontology/bibo/")
#: Citation typing ontology (the review cites its references).
CITO = Namespace("http://purl.org/spar/cito/")
#: DOI resolver: references are nodes on their DOI IRI.
DOI = Namespace("https://doi.org/")

#: The review the whole graph is curated from.
REVIEW_DOI = "10.16352/j.issn.1001-6325.2024.11.1608"
#: IRI of the ontology (T-box).
ONTOLOGY_IRI = BASE + "ontology"
#: Licence of the data and ontology.
LICENSE_IRI = "https://creativecommons.org/licenses/by/4.0/"

#: Prefix block of every canonical file, in this order.
PREFIXES: dict[str, Namespace] = {
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "owl": Namespace(str(OWL)),
    "xsd": Namespace(str(XSD)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "prov": Namespace(str(PROV)),
    "foaf": FOAF,
    "sh": Namespace(str(SH)),
    "obo": OBO,
    "oboInOwl": OBOINOWL,
    "np": NP,
    "bibo": BIBO,
    "cito": CITO,
    "hgnc": HGNC,
    "mgi": MGI,
    "rgd": RGD,
    "mirbase.mature": MIRBASE_MATURE,
    "mesh": MESH,
    "msc": MSC,
    "msce": MSCE,
    "mscnp": MSCNP,
    "mscc": MSCC,
    "mscag": MSCAG,
    "mscg": MSCG,
    "mscsh": MSCSH,
}


def shorten(iri: str) -> str:
    """Return ``iri`` as a CURIE when a prefix of :data:`PREFIXES` covers it, else ``<iri>``.

    :param iri: an absolute IRI.
    :returns: the CURIE (longest matching namespace) or the bracketed IRI.

    >>> shorten("https://w3id.org/msc-liver/entity/cd47")
    'msce:cd47'
    """
    best = max(
        (p for p, ns in PREFIXES.items() if iri.startswith(str(ns))),
        key=lambda p: len(PREFIXES[p]),
        default=None,
    )
    if best is None:
        return f"<{iri}>"
    local = iri[len(PREFIXES[best]) :]
    return f"{best}:{local}" if is_local_name(local) else f"<{iri}>"


def is_local_name(local: str) -> bool:
    """Tell whether ``local`` can follow a prefix in Turtle without escapes (the subset we write).

    :param local: candidate local name.
    :returns: ``True`` if it is non-empty ASCII letters, digits, ``_``, ``-`` and inner ``.``.
    """
    if not local or local[-1] == "." or local[0] in "-.":
        return False
    return local.isascii() and all(c.isalnum() or c in "_-." for c in local)
