"""The claims of the graph as flat records: one per assertion-graph triple, with its nanopublication's provenance.

The CSV and KGX exports both start from :func:`assertions`, so they count and describe the same claims.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS, SKOS
from rdflib.term import Node

from server.curation.load import Loaded
from server.errors import ValidationFailed
from server.iris import curie_of, graph_kind, nanopub
from server.namespaces import DOI, MSC, MSCNP

#: Columns of the flat CSV of assertions, in order.
CSV_COLUMNS = (
    "nanopub", "subject", "subject_label", "predicate", "predicate_label", "object", "object_label",
    "reference_doi", "reference_number", "review_section", "evidence", "evidence_label", "species",
    "species_label", "experimental_model", "experimental_model_label", "modality", "quote_zh", "translation_en",
)  # fmt: skip


@dataclass(frozen=True)
class Assertion:
    """One triple of an assertion graph and the provenance its nanopublication gives it."""

    np_id: str
    subject: URIRef
    predicate: URIRef
    object: URIRef
    reference: URIRef | None
    section: str
    evidence: URIRef | None
    species: tuple[URIRef, ...]
    models: tuple[URIRef, ...]
    cell_contexts: tuple[URIRef, ...]
    modality: URIRef | None
    quote: str
    translation: str

    @property
    def nanopub(self) -> URIRef:
        """The nanopublication's head IRI."""
        return nanopub(self.np_id).head

    @property
    def assertion_graph(self) -> URIRef:
        """The IRI of the assertion graph that holds the triple."""
        return nanopub(self.np_id).assertion


class Labels:
    """English labels of every IRI of the graph: ``rdfs:label`` in ``@en``, else the untagged source label."""

    def __init__(self, loaded: Loaded) -> None:
        english: dict[URIRef, list[str]] = defaultdict(list)
        plain: dict[URIRef, list[str]] = defaultdict(list)
        for s, label, _ in loaded.data_subject_objects(RDFS.label):
            if isinstance(s, URIRef) and isinstance(label, Literal):
                if label.language == "en":
                    english[s].append(str(label))
                elif label.language is None:
                    plain[s].append(str(label))
        self._labels = {iri: min(values) for iri, values in plain.items()}
        self._labels.update({iri: min(values) for iri, values in english.items()})

    def get(self, iri: Node | None) -> str:
        """Return the label of ``iri``.

        :param iri: any node, or ``None``.
        :returns: its English (or source) label; ``""`` when it has none.
        """
        return self._labels.get(iri, "") if isinstance(iri, URIRef) else ""


def assertions(loaded: Loaded) -> list[Assertion]:
    """List every relation an assertion graph states, with its qualifiers and provenance, sorted.

    The qualifiers of a claim (species, model, cell type) are statements of the assertion graph about itself; they,
    and the statement type of a claim that makes no relation between two entities (a classification, a safety
    statement …), qualify the claim and are not records of their own.

    :param loaded: the project's Dataset.
    :returns: one record per triple of every assertion graph whose subject is an entity, sorted by
        nanopublication, subject, predicate, object.
    :raises ValidationFailed: if an assertion graph holds a literal or blank-node object or subject.
    """
    records: list[Assertion] = []
    graphs = {URIRef(g.identifier): g for g in loaded.data_graphs()}
    for ident, graph in graphs.items():
        if graph_kind(ident) != "assertion":
            continue
        np_id = str(ident).removeprefix(str(MSCNP)).rpartition("/")[0]
        prov = _about(graphs.get(nanopub(np_id).provenance), ident)
        reference = _first_iri(prov, PROV.wasDerivedFrom)
        evidence, modality = _first_iri(prov, MSC.evidenceType), _first_iri(prov, MSC.modality)
        section, quote = _first_text(prov, MSC.reviewSection), _first_text(prov, MSC.quote)
        translation = _first_text(prov, MSC.quoteTranslation)
        context = _about(graph, ident)
        for s, p, o in graph:
            if s == ident:
                continue
            if not isinstance(s, URIRef) or not isinstance(o, URIRef):
                raise ValidationFailed(f"<{ident}>: assertion triple with a literal or blank node", f"{s} {p} {o}")
            records.append(
                Assertion(
                    np_id=np_id,
                    subject=s,
                    predicate=URIRef(str(p)),
                    object=o,
                    reference=reference,
                    section=section,
                    evidence=evidence,
                    species=_iris(context, MSC.species),
                    models=_iris(context, MSC.experimentalModel),
                    cell_contexts=_iris(context, MSC.contextCellType),
                    modality=modality,
                    quote=quote,
                    translation=translation,
                )
            )
    return sorted(records, key=lambda a: (a.np_id, str(a.subject), str(a.predicate), str(a.object)))


def _about(graph: Graph | None, about: URIRef) -> dict[URIRef, list[Node]]:
    found: dict[URIRef, list[Node]] = defaultdict(list)
    for p, o in graph.predicate_objects(about) if graph is not None else ():
        found[URIRef(str(p))].append(o)
    return {p: sorted(values, key=str) for p, values in found.items()}


def _iris(prov: dict[URIRef, list[Node]], predicate: URIRef) -> tuple[URIRef, ...]:
    return tuple(v for v in prov.get(predicate, []) if isinstance(v, URIRef))


def _first_iri(prov: dict[URIRef, list[Node]], predicate: URIRef) -> URIRef | None:
    found = _iris(prov, predicate)
    return found[0] if found else None


def _first_text(prov: dict[URIRef, list[Node]], predicate: URIRef) -> str:
    found = prov.get(predicate, [])
    return str(found[0]) if found else ""


def doi_of(reference: URIRef | None) -> str:
    """Return the bare DOI of a reference node.

    :param reference: a ``https://doi.org/…`` IRI, or ``None``.
    :returns: e.g. ``10.1002/hep.31831``; ``""`` for ``None`` or a non-DOI IRI.

    >>> doi_of(URIRef("https://doi.org/10.1002/hep.31831"))
    '10.1002/hep.31831'
    """
    return reference.removeprefix(str(DOI)) if reference and reference.startswith(str(DOI)) else ""


def reference_numbers(loaded: Loaded) -> dict[URIRef, int]:
    """Return the review's reference number of every cited reference.

    :param loaded: the project's Dataset.
    :returns: DOI IRI → number.
    """
    numbers: dict[URIRef, int] = {}
    for s, n, _ in loaded.data_subject_objects(MSC.referenceNumber):
        if isinstance(s, URIRef) and isinstance(n, Literal):
            numbers[s] = int(n)
    return numbers


def editorial_notes(loaded: Loaded) -> dict[URIRef, str]:
    """Return the curators' ``skos:editorialNote`` of every node that has one (several joined by a space).

    :param loaded: the project's Dataset.
    :returns: IRI → note text.
    """
    notes: dict[URIRef, list[str]] = defaultdict(list)
    for s, note, _ in loaded.data_subject_objects(SKOS.editorialNote):
        if isinstance(s, URIRef):
            notes[s].append(str(note))
    return {s: " ".join(sorted(set(values))) for s, values in notes.items()}


def _curie(iri: URIRef | None) -> str:
    return (curie_of(str(iri)) or str(iri)) if iri is not None else ""


def assertions_csv(loaded: Loaded) -> str:
    """Render the assertions as a flat CSV table (RFC 4180: comma, CRLF, minimal double-quote quoting).

    :param loaded: the project's Dataset.
    :returns: the CSV text, header first (no byte-order mark), one row per assertion triple.
    """
    labels = Labels(loaded)
    numbers = reference_numbers(loaded)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for a in assertions(loaded):
        number = numbers.get(a.reference) if a.reference else None
        writer.writerow(
            [
                a.nanopub, a.subject, labels.get(a.subject), a.predicate, labels.get(a.predicate),
                a.object, labels.get(a.object), doi_of(a.reference), "" if number is None else number, a.section,
                _curie(a.evidence), labels.get(a.evidence), "|".join(_curie(s) for s in a.species),
                "|".join(labels.get(s) for s in a.species), "|".join(str(m) for m in a.models),
                "|".join(labels.get(m) for m in a.models), labels.get(a.modality), a.quote, a.translation,
            ]
        )  # fmt: skip
    return out.getvalue()
