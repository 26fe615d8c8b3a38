"""Mint the project's IRIs, one function per kind, so no IRI is built ad hoc elsewhere."""

import re
from dataclasses import dataclass

from rdflib import URIRef

from server.namespaces import (
    BASE,
    DOI,
    HGNC,
    MESH,
    MGI,
    MIRBASE_MATURE,
    MSC,
    MSCC,
    MSCE,
    MSCG,
    MSCGA,
    MSCGH,
    MSCGI,
    MSCGP,
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
    'https://w3id.org/msc-liver/graph/assertion/s2-1-03'
    """
    if not _SLUG.match(np_id):
        raise ValueError(f"not a nanopublication id: {np_id!r}")
    return NanopubIRIs(MSCNP[np_id], MSCGH[np_id], MSCGA[np_id], MSCGP[np_id], MSCGI[np_id])


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
_GRAPH_KINDS = [(MSCGH, "head"), (MSCGA, "assertion"), (MSCGP, "provenance"), (MSCGI, "pubinfo")]


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
    for ns, kind in _GRAPH_KINDS:
        if graph.startswith(ns):
            return kind
    return graph.removeprefix(str(MSCG)).split("/", 1)[0] if graph.startswith(str(MSCG)) else "other"
