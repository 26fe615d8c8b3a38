"""What every page needs from the graph: SELECT through the engine, labels in English and Chinese, local links.

Pages ask the engine (whichever serves the release) with SPARQL, never the files behind it, so they read what a
SPARQL client reads. Labels are fetched for a batch of IRIs at once (:func:`labels`), after the query that found
them, so page queries stay small and every node shown gets its English and Chinese name the same way.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from server.engine import QuerySpec
from server.iris import curie_of
from server.namespaces import BASE, DOI, OBO, PREFIXES, shorten
from server.web import engine_of

_JSON = "application/sparql-results+json"
#: Rows a page query may return (pages that could need more collapse and link to a query instead).
PAGE_ROWS = 5000
#: What an IRI cannot hold (RFC 3987: controls, space, and ``<>"{}|^`\``): such a path names nothing of ours.
_NOT_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|^`\\]')
#: IRIs per label query (a query must stay under the engine's length limit).
_CHUNK_SIZE = 150
#: The prefix block of every page query: the project's own prefix map.
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


#: Names of the W3C and DCMI predicates, which the graph does not label itself.
VOCABULARY_LABELS = {
    str(RDFS.subClassOf): "subclass of", str(RDFS.subPropertyOf): "subproperty of", str(RDFS.domain): "domain",
    str(RDFS.range): "range", str(OWL.disjointWith): "disjoint with", str(OWL.versionIRI): "version IRI",
    str(OWL.versionInfo): "version", str(DCTERMS.source): "source", str(DCTERMS.identifier): "identifier",
    str(DCTERMS.license): "licence", str(DCTERMS.creator): "creator", str(DCTERMS.created): "created",
    str(DCTERMS.title): "title", str(SKOS.editorialNote): "editorial note", str(SKOS.note): "note",
    str(SKOS.exactMatch): "exact match", str(SKOS.closeMatch): "close match", str(SKOS.broadMatch): "broad match",
    str(SKOS.narrowMatch): "narrow match", str(SKOS.relatedMatch): "related match", str(RDF.type): "type",
    str(OBO.IAO_0000119): "definition source", str(DCTERMS.isReferencedBy): "is referenced by",
    "http://purl.org/spar/cito/cites": "cites", "http://www.w3.org/ns/prov#wasDerivedFrom": "was derived from",
    "http://www.w3.org/ns/prov#wasQuotedFrom": "was quoted from", "http://purl.org/ontology/bibo/doi": "DOI",
    "http://purl.org/ontology/bibo/volume": "volume", "http://purl.org/ontology/bibo/pages": "pages",
    "http://purl.org/ontology/bibo/issue": "issue", "http://purl.org/dc/terms/bibliographicCitation": "citation",
}  # fmt: skip


@dataclass(frozen=True)
class Term:
    """One RDF term of a result row, as SPARQL JSON gives it."""

    value: str
    kind: str  # "uri", "literal" or "bnode"
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        """Whether the term is an IRI."""
        return self.kind == "uri"


@dataclass(frozen=True)
class Label:
    """The names of one node: English and Chinese labels, and a short identifier to fall back on."""

    iri: str
    en: str
    zh: str
    short: str

    @property
    def text(self) -> str:
        """The English label, else the Chinese one, else the short identifier."""
        return self.en or self.zh or self.short


class Rows(list[dict[str, Term]]):
    """Result rows, and whether the engine cut them at the row limit (a page then says it shows a part)."""

    cut: bool = False


def select(query: str, limit: int = PAGE_ROWS) -> Rows:
    """Run a SELECT query (the project's prefixes prepended) through the engine.

    :param query: the query, without prefix declarations.
    :param limit: most rows to return.
    :returns: one dict per row, variable → term (unbound variables are absent); ``cut`` when rows were left out.
    """
    result = engine_of(current_app).query(QuerySpec(SPARQL_PREFIXES + query, accept=_JSON, row_limit=limit))
    rows: list[dict[str, Any]] = json.loads(result.body)["results"]["bindings"]
    found = Rows(
        [
            {
                k: Term(
                    v["value"],
                    v["type"] if v["type"] != "typed-literal" else "literal",
                    v.get("xml:lang", ""),
                    v.get("datatype", ""),
                )
                for k, v in row.items()
            }  # fmt: skip
            for row in rows
        ]
    )
    found.cut = result.truncated
    return found


#: Where :func:`select_in_chunks` writes each chunk's IRIs into its query.
CHUNK = "#CHUNK#"


def select_in_chunks(iris: Iterable[str], query: str) -> Rows:
    """Run a query once per chunk of IRIs, so it stays under the engine's length limit.

    :param iris: the IRIs to ask about.
    :param query: the query, with :data:`CHUNK` where a chunk's IRIs go (the body of a ``VALUES`` block).
    :returns: the rows of every chunk; ``cut`` if any chunk was cut.
    """
    wanted = sorted(set(iris))
    found = Rows()
    for start in range(0, len(wanted), _CHUNK_SIZE):
        rows = select(query.replace(CHUNK, values(wanted[start : start + _CHUNK_SIZE])))
        found.extend(rows)
        found.cut = found.cut or rows.cut
    return found


def iri_ref(iri: str) -> str:
    """Write an IRI for a query, refusing characters that could break out of ``<…>``.

    :param iri: an absolute IRI.
    :returns: ``<iri>``.
    :raises ValueError: if the IRI holds a character not allowed in an IRI reference.

    >>> iri_ref("https://w3id.org/msc-liver/entity/bm-msc")
    '<https://w3id.org/msc-liver/entity/bm-msc>'
    """
    if _NOT_IRI.search(iri):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def values(iris: Iterable[str], separator: str = " ") -> str:
    """Write IRIs as the body of a ``VALUES`` block (or, with ``", "``, of an ``IN (…)`` list).

    :param iris: absolute IRIs.
    :param separator: what goes between the terms.
    :returns: the ``<iri>`` terms, sorted.
    """
    return separator.join(iri_ref(i) for i in sorted(iris))


def href(iri: str) -> str:
    """Return where a link to ``iri`` should go: a local page for our IRIs, references and imported terms.

    ``https://w3id.org/msc-liver/entity/bm-msc`` is served here at ``/entity/bm-msc`` (w3id redirects to
    this server), so a click never leaves for a host that may not resolve; a reference (a DOI) goes to its
    page here, which lists the claims it supports and links to the DOI; an external term (an OBO class, an HGNC
    gene …) goes to its page here, which shows what its source says (our import modules), our nodes of that
    type or mapped to it, and links to the term's canonical page; anything else is left as it is.

    :param iri: an absolute IRI.
    :returns: a root-relative path for our IRIs, else the IRI itself.

    >>> href("https://w3id.org/msc-liver/entity/bm-msc")
    '/entity/bm-msc'
    >>> href("https://doi.org/10.1002/hep.31831")
    '/references/10.1002/hep.31831'
    >>> href("http://purl.obolibrary.org/obo/CL_0002540")
    '/term/CL:0002540'
    """
    if iri.startswith(BASE):
        return "/" + iri[len(BASE) :]
    if iri + "/" == BASE:
        return "/"
    if iri.startswith(str(DOI)):
        return "/references/" + iri[len(DOI) :]
    curie = curie_of(iri)
    return f"/term/{curie}" if curie else iri


def minted(iri: str) -> bool:
    """Tell whether an IRI is one of ours (under ``https://w3id.org/msc-liver/``).

    :param iri: an absolute IRI.
    :returns: ``True`` for our IRIs.
    """
    return iri.startswith(BASE)


def short_name(iri: str) -> str:
    """Return the shortest readable identifier of an IRI: a CURIE, ``doi:…``, or the IRI.

    :param iri: an absolute IRI.
    :returns: e.g. ``CL:0002540``, ``msce:bm-msc``, ``doi:10.1002/hep.31831``.

    >>> short_name("https://doi.org/10.1002/hep.31831")
    'doi:10.1002/hep.31831'
    """
    if iri.startswith(str(DOI)):
        return "doi:" + iri[len(DOI) :]
    curie = curie_of(iri)
    if curie:
        return curie
    short = shorten(iri)
    return short[1:-1] if short.startswith("<") else short


def name_of(term: Term, names: dict[str, Label]) -> Label:
    """Name any term of a result: an IRI by its labels, a blank node as anonymous, a literal by its value.

    :param term: the term.
    :param names: what :func:`labels` found.
    :returns: the label.
    """
    if term.is_iri:
        return names.get(term.value) or Label(term.value, "", "", short_name(term.value))
    if term.kind == "bnode":
        return Label("", "(anonymous node)", "", "_:" + term.value)
    return Label(term.value, term.value, "", term.value)


def labels(iris: Iterable[str]) -> dict[str, Label]:
    """Look up the English and Chinese names of many IRIs in one query.

    A reference (a DOI) is named by its title; a node with no name keeps its short identifier.

    :param iris: absolute IRIs (duplicates and blank nodes are ignored).
    :returns: IRI → :class:`Label`, for every IRI given.
    """
    wanted = sorted({i for i in iris if i and not i.startswith("_:")})
    found: dict[str, Label] = {}
    rows = select_in_chunks(
        wanted,
        f"""
SELECT ?x (SAMPLE(?en) AS ?en_) (SAMPLE(?zh) AS ?zh_) WHERE {{
  VALUES ?x {{ {CHUNK} }}
  OPTIONAL {{ ?x rdfs:label|dcterms:title|<http://xmlns.com/foaf/0.1/name> ?en
             FILTER(lang(?en) = "en" || lang(?en) = "") }}
  OPTIONAL {{ ?x rdfs:label|dcterms:title ?zh FILTER(lang(?zh) = "zh") }}
}} GROUP BY ?x""",
    )
    for row in rows:
        iri = row["x"].value
        en, zh = row.get("en_"), row.get("zh_")
        found[iri] = Label(iri, en.value if en else "", zh.value if zh else "", short_name(iri))
    return {i: found.get(i, Label(i, "", "", short_name(i))) for i in wanted}


def named(predicate: str, names: dict[str, Label]) -> Label:
    """Name a predicate: its label in the graph, else the W3C/DCMI name we know, else its short identifier.

    :param predicate: the predicate IRI.
    :param names: labels found in the graph.
    :returns: the label.
    """
    found = names.get(predicate)
    if found and (found.en or found.zh):
        return found
    known = VOCABULARY_LABELS.get(predicate, "")
    return Label(predicate, known, "", found.short if found else predicate)
