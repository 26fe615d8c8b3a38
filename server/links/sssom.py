"""The mapping set in SSSOM TSV: every SKOS mapping of our entities and ontology terms to an external term.

One row per ``skos:exactMatch`` / ``closeMatch`` / ``broadMatch`` / ``narrowMatch`` triple whose subject is one of
our IRIs, with the external term's label as its source gives it (from the import modules), the curators'
``skos:editorialNote`` as comment, and the metadata block (``# curie_map`` …) the SSSOM spec asks for.
"""

import json
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import SKOS

from server.curation.assertions import Labels, editorial_notes
from server.curation.load import Loaded
from server.iris import curie_of
from server.links.imports import declared_imports
from server.namespaces import BASE, LICENSE_IRI, MSCAG, PREFIXES, REVIEW_DOI, shorten

#: The mapping set's id: where the published file lives.
MAPPING_SET_ID = BASE + "mappings/msc-liver.sssom.tsv"
#: Who made the mappings (the curators of the nanopublications).
CREATOR = MSCAG["msckg-curation-team"]
#: Every mapping was chosen by a curator, term by term.
JUSTIFICATION = "semapv:ManualMappingCuration"
SEMAPV = "https://w3id.org/semapv/vocab/"
#: SKOS mapping predicates, in the order rows of one subject are written.
MAPPING_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)
COLUMNS = (
    "subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification",
    "author_id", "mapping_date", "comment",
)  # fmt: skip


@dataclass(frozen=True, order=True)
class Mapping:
    """One mapping triple, as CURIEs."""

    subject: URIRef
    predicate: URIRef
    object: URIRef


def mappings(loaded: Loaded) -> list[Mapping]:
    """List every SKOS mapping from one of our IRIs to an external term, once, sorted.

    :param loaded: the project's Dataset.
    :returns: the distinct mapping triples.
    """
    found: set[Mapping] = set()
    for predicate in MAPPING_PREDICATES:
        for s, o, _ in loaded.data_subject_objects(predicate):
            if isinstance(s, URIRef) and isinstance(o, URIRef) and s.startswith(BASE):
                found.add(Mapping(s, predicate, o))
    return sorted(found)


def _curie(iri: URIRef) -> tuple[str, str, str]:
    """Return ``(curie, prefix, expansion)`` of an IRI of ours, of SKOS, or of an external source."""
    curie = curie_of(str(iri)) or shorten(str(iri))
    if curie.startswith("<"):
        raise ValueError(f"no CURIE prefix covers <{iri}>")
    prefix, local = curie.split(":", 1)
    return curie, prefix, str(iri)[: len(iri) - len(local)]


def sssom_tsv(loaded: Loaded, version: str) -> str:
    """Render the mapping set as SSSOM TSV: the YAML metadata block (``#``-prefixed), then the table.

    :param loaded: the project's Dataset.
    :param version: release version (date), used as ``mapping_set_version`` and ``mapping_date``.
    :returns: the file's text.
    :raises ValueError: if a mapped IRI has no CURIE prefix (the QC gates keep such IRIs out of the build).
    """
    labels, notes, sources = Labels(loaded), editorial_notes(loaded), declared_imports(loaded)
    author = shorten(str(CREATOR))
    curie_map = {"skos": str(SKOS), "semapv": SEMAPV, "mscag": str(PREFIXES["mscag"])}
    rows: list[list[str]] = []
    for m in mappings(loaded):
        cells = []
        for iri in (m.subject, m.predicate, m.object):
            curie, prefix, expansion = _curie(iri)
            curie_map[prefix] = expansion
            cells.append(curie)
        subject, predicate, obj = cells
        rows.append(
            [
                subject, labels.get(m.subject), predicate, obj, sources.get(str(m.object), ""), JUSTIFICATION,
                author, version, notes.get(m.subject, ""),
            ]
        )  # fmt: skip
    meta = [
        ("mapping_set_id", MAPPING_SET_ID),
        ("mapping_set_version", version),
        ("mapping_set_title", "MSC-Liver KG mappings to external ontologies"),
        (
            "mapping_set_description",
            "Mappings of the entities and ontology terms of the MSC-Liver knowledge graph (curated from the review "
            f"doi:{REVIEW_DOI}) to CL, GO, UBERON, MONDO, ChEBI, ECO, RO, NCBITaxon, OBI, HGNC, miRBase and MeSH.",
        ),
        ("license", LICENSE_IRI),
        ("mapping_date", version),
    ]
    lines = ["# curie_map:"] + [f"#   {p}: {_yaml(ns)}" for p, ns in sorted(curie_map.items())]
    lines += [f"# {key}: {_yaml(value)}" for key, value in meta]
    lines += ["# creator_id:", f"#   - {_yaml(author)}"]
    lines += ["# creator_label:", f"#   - {_yaml('MSC-Liver KG curation team')}"]
    lines.append("\t".join(COLUMNS))
    lines += ["\t".join(" ".join(cell.split()) for cell in row) for row in rows]
    return "\n".join(lines) + "\n"


def _yaml(value: str) -> str:
    """Quote a scalar for YAML (a JSON string is a valid YAML double-quoted scalar)."""
    return json.dumps(value, ensure_ascii=False)
