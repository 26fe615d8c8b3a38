"""Mint the project's IRIs, one function per kind, so no IRI is built ad hoc elsewhere."""

import re
from dataclasses import dataclass

from rdflib import URIRef

from server.namespaces import (
    BASE,
    DOI,
    MSC,
    MSCC,
    MSCE,
    MSCG,
    MSCGA,
    MSCGH,
    MSCGI,
    MSCGP,
    MSCNP,
    RELEASES,
    REVIEW_DOI,
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
