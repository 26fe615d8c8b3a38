"""Mint the project's IRIs, one function per kind, so no IRI is built ad hoc elsewhere."""

import re
from dataclasses import dataclass

from rdflib import URIRef

from server.namespaces import (
    BASE,
    DOI,
    HGNC,
    LEGACY_NANOPUB_GRAPHS,
    MESH,
    MGI,
    MIRBASE_MATURE,
    MSC,
    MSCC,
    MSCE,
    MSCG,
    MSCNP,
    OBO,
    RELEASES,
    REVIEW_DOI,
    RGD,
)

_SLUG = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
_TERM = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def term(local: str) -> URIRef:
    """Return the IRI of an ontology term.

    :param local: CamelCase class or lowerCamelCase property name.
    :returns: the term IRI under ``ontology/``.
    :raises ValueError: if the name is not a valid term name.

    >>> str(term("BoneMarrowMSC"))
    'https://w3id.org/msc-liver/ontology/BoneMarrowMSC'
    """
    if not _TERM.match(local):
        raise ValueError(f"not a term name: {local!r}")
    return MSC[local]


def entity(slug: str) -> URIRef:
    """Return the IRI of a curated entity.

    :param slug: lower-case, hyphen-separated ASCII slug.
    :returns: the entity IRI under ``entity/``.
    :raises ValueError: if the slug is malformed.

    >>> str(entity("bm-msc"))
    'https://w3id.org/msc-liver/entity/bm-msc'
    """
    if not _SLUG.match(slug):
        raise ValueError(f"not an entity slug: {slug!r}")
    return MSCE[slug]


def chain(slug: str) -> URIRef:
    """Return the IRI of a mechanism chain (the grouping node of its nanopublications).

    :param slug: chain slug.
    :returns: the chain IRI.
    :raises ValueError: if the slug is malformed.
    """
    if not _SLUG.match(slug):
        raise ValueError(f"not a chain slug: {slug!r}")
    return MSCC[slug]


@dataclass(frozen=True)
class NanopubIRIs:
    """The head node and the four graph IRIs of one nanopublication."""

    head: URIRef
    head_graph: URIRef
    assertion: URIRef
    provenance: URIRef
    pubinfo: URIRef


def nanopub(np_id: str) -> NanopubIRIs:
    """Return the IRIs of the nanopublication with local id ``np_id``.

    :param np_id: ``<section>-<NN>``, e.g. ``s2-1-03``.
    :returns: head and graph IRIs.
    :raises ValueError: if the id is malformed.

    >>> str(nanopub("s2-1-03").assertion)
    'https://w3id.org/msc-liver/np/s2-1-03/assertion'
    """
    if not _SLUG.match(np_id):
        raise ValueError(f"not a nanopublication id: {np_id!r}")
    head, assertion, provenance, pubinfo = (MSCNP[f"{np_id}/{part}"] for part in NANOPUB_PARTS)
    return NanopubIRIs(MSCNP[np_id], head, assertion, provenance, pubinfo)


#: The four graphs of a nanopublication, in the order they are written.
NANOPUB_PARTS = ("head", "assertion", "provenance", "pubinfo")


def nanopub_graph(graph: str) -> tuple[str, str] | None:
    """Split one of our nanopublication graph IRIs into its nanopublication id and part.

    :param graph: an IRI.
    :returns: ``(np_id, part)``, or ``None`` if ``graph`` is not ``np/<id>/<head|assertion|provenance|pubinfo>``.

    >>> nanopub_graph("https://w3id.org/msc-liver/np/s2-1-03/provenance")
    ('s2-1-03', 'provenance')
    >>> nanopub_graph("https://w3id.org/msc-liver/np/s2-1-03") is None
    True
    """
    if not graph.startswith(str(MSCNP)):
        return None
    np_id, _, part = graph[len(MSCNP) :].rpartition("/")
    return (np_id, part) if part in NANOPUB_PARTS and _SLUG.match(np_id) else None


def legacy_graph(iri: str) -> str | None:
    """Return the current IRI of a nanopublication graph minted in the former layout (``graph/<part>/<id>``).

    :param iri: an IRI.
    :returns: ``…/np/<id>/<part>``, or ``None`` if ``iri`` is not a former nanopublication graph IRI.

    >>> legacy_graph("https://w3id.org/msc-liver/graph/assertion/s2-1-03")
    'https://w3id.org/msc-liver/np/s2-1-03/assertion'
    >>> legacy_graph("https://w3id.org/msc-liver/graph/entities/cells") is None
    True
    """
    if not iri.startswith(LEGACY_NANOPUB_GRAPHS):
        return None
    part, _, np_id = iri[len(LEGACY_NANOPUB_GRAPHS) :].partition("/")
    if part not in _PART_FIELD or not _SLUG.match(np_id):
        return None
    return str(getattr(nanopub(np_id), _PART_FIELD[part]))


_PART_FIELD = {"head": "head_graph", "assertion": "assertion", "provenance": "provenance", "pubinfo": "pubinfo"}


def file_graph(kind: str, name: str | None = None) -> URIRef:
    """Return the named graph that holds one Turtle source file.

    :param kind: ``ontology``, ``imports``, ``entities``, ``references`` or ``shapes``.
    :param name: the file stem within that kind, when the kind has several files.
    :returns: the graph IRI.

    >>> str(file_graph("entities", "cells"))
    'https://w3id.org/msc-liver/graph/entities/cells'
    """
    return MSCG[kind if name is None else f"{kind}/{name}"]


def doi(value: str) -> URIRef:
    """Return the DOI IRI of a reference.

    :param value: a bare DOI such as ``10.1002/hep.31831``.
    :returns: ``https://doi.org/<doi>``.
    """
    return DOI[value]


#: The review itself.
REVIEW = doi(REVIEW_DOI)


def release(date: str, filename: str) -> URIRef:
    """Return a versioned release IRI (``owl:versionIRI``).

    :param date: ISO date of the release.
    :param filename: file within the release.
    :returns: ``…/releases/<date>/<filename>``.
    """
    return RELEASES[f"{date}/{filename}"]


def distribution(filename: str) -> URIRef:
    """Return the IRI of one downloadable file of the dataset (a ``dcat:Distribution``).

    :param filename: the file's name in a release or export folder.
    :returns: ``…/dataset/distribution/<filename>``.
    :raises ValueError: if the name is not a plain file name.

    >>> str(distribution("msc-liver.trig"))
    'https://w3id.org/msc-liver/dataset/distribution/msc-liver.trig'
    """
    if not _FILE.match(filename):
        raise ValueError(f"not a file name: {filename!r}")
    return URIRef(f"{BASE}dataset/distribution/{filename}")


#: CURIE prefix → source key.
PREFIX_SOURCE = {
    "CL": "cl", "GO": "go", "UBERON": "uberon", "MONDO": "mondo", "CHEBI": "chebi", "ECO": "eco",
    "RO": "ro", "BFO": "ro", "NCBITaxon": "ncbitaxon", "OBI": "obi", "HP": "hp", "SO": "so",
    "EFO": "efo", "HGNC": "hgnc", "MGI": "mgi", "RGD": "rgd", "mirbase.mature": "mirbase", "MESH": "mesh",
}  # fmt: skip
_OBO_ID = re.compile(r"^([A-Za-z]+)_(\d+)$")
_EFO = "http://www.ebi.ac.uk/efo/"


def curie_of(iri: str) -> str | None:
    """Return the CURIE of an external IRI in canonical form, or ``None`` if it is not external.

    :param iri: an IRI.
    :returns: e.g. ``CL:0002540``, ``HGNC:1682``, ``mirbase.mature:MIMAT0000259``, ``MESH:D065290``.

    >>> curie_of("http://purl.obolibrary.org/obo/CL_0002540")
    'CL:0002540'
    >>> curie_of("https://identifiers.org/hgnc:1682")
    'HGNC:1682'
    """
    for ns, prefix in ((HGNC, "HGNC"), (MGI, "MGI"), (RGD, "RGD"), (MIRBASE_MATURE, "mirbase.mature"), (MESH, "MESH")):
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(ns) :]}"
    if iri.startswith(_EFO):
        match = _OBO_ID.match(iri[len(_EFO) :])
        return f"EFO:{match.group(2)}" if match else None
    if iri.startswith(str(OBO)):
        match = _OBO_ID.match(iri[len(OBO) :])
        return f"{match.group(1)}:{match.group(2)}" if match else None
    return None


def iri_of(curie: str) -> URIRef:
    """Return the canonical IRI of a CURIE (inverse of :func:`curie_of`).

    :param curie: e.g. ``CL:0002540``.
    :returns: the OBO PURL or identifiers.org IRI.

    >>> str(iri_of("MESH:D065290"))
    'https://identifiers.org/mesh:D065290'
    """
    prefix, local = curie.split(":", 1)
    special = {"HGNC": HGNC, "MGI": MGI, "RGD": RGD, "mirbase.mature": MIRBASE_MATURE, "MESH": MESH}
    if prefix in special:
        return special[prefix][local]
    if prefix == "EFO":
        return URIRef(f"{_EFO}EFO_{local}")
    return OBO[f"{prefix}_{local}"]


def source_of(curie: str) -> str | None:
    """Return the source key (``cl``, ``hgnc`` …) of a CURIE.

    :param curie: a CURIE.
    :returns: the source key, or ``None`` for a prefix we do not import.
    """
    return PREFIX_SOURCE.get(curie.split(":", 1)[0])


def graph_kind(graph: URIRef) -> str:
    """Name the kind of a named graph: a nanopublication part or the source file family.

    :param graph: graph IRI.
    :returns: ``head``, ``assertion``, ``provenance``, ``pubinfo``, or e.g. ``entities``.
    """
    if found := nanopub_graph(str(graph)):
        return found[1]
    return graph.removeprefix(str(MSCG)).split("/", 1)[0] if graph.startswith(str(MSCG)) else "other"


_ORCID = re.compile(r"^https://orcid\.org/(\d{4})-(\d{4})-(\d{4})-(\d{3}[\dX])$")
#: ORCID's own fictitious test record (Josiah Carberry): a real-looking iD that names no curator.
_FICTITIOUS_ORCIDS = {"0000-0002-1825-0097"}


def orcid_problem(iri: str) -> str | None:
    """Say what is wrong with an ORCID iD IRI for a release, or ``None`` if it is a real-looking iD.

    A placeholder is refused: an all-zero iD (``0000-0000-0000-000X``), ORCID's fictitious test record, or a
    check digit that does not match (ISO 7064 MOD 11-2, as ORCID computes it).

    :param iri: e.g. ``https://orcid.org/0000-0002-1825-0097``.
    :returns: the problem, or ``None``.

    >>> orcid_problem("https://orcid.org/0000-0001-5109-3700") is None
    True
    >>> orcid_problem("https://orcid.org/0000-0000-0000-0000")
    'placeholder ORCID iD https://orcid.org/0000-0000-0000-0000 (all zeros)'
    >>> orcid_problem("http://orcid.org/0000-0001-5109-3700")
    'not an ORCID iD IRI (https://orcid.org/dddd-dddd-dddd-dddX): http://orcid.org/0000-0001-5109-3700'
    """
    match = _ORCID.match(iri)
    if not match:
        return f"not an ORCID iD IRI (https://orcid.org/dddd-dddd-dddd-dddX): {iri}"
    digits = "".join(match.groups())
    if set(digits[:15]) == {"0"}:
        return f"placeholder ORCID iD {iri} (all zeros)"
    if "-".join(match.groups()) in _FICTITIOUS_ORCIDS:
        return f"placeholder ORCID iD {iri} (ORCID's fictitious test record)"
    total = 0
    for digit in digits[:15]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    if digits[15] != ("X" if check == 10 else str(check)):
        return f"ORCID iD {iri} has a wrong check digit"
    return None
