"""Result media types, one table per result kind, each row with the specification it follows.

Content negotiation (:func:`negotiate`) reads an HTTP ``Accept`` header with q-values, falls back on the
``format`` parameter, and picks the first format of the table when the client states no preference.
"""

from dataclasses import dataclass

import pyoxigraph as ox

from server.errors import NotAcceptable


@dataclass(frozen=True)
class Format:
    """One serialization we can produce."""

    media_type: str
    short: str
    spec: str
    rdf: ox.RdfFormat | None = None


#: SELECT / ASK results.
SOLUTION_FORMATS: list[Format] = [
    Format("application/sparql-results+json", "json", "https://www.w3.org/TR/sparql11-results-json/"),
    Format("application/sparql-results+xml", "xml", "https://www.w3.org/TR/rdf-sparql-XMLres/"),
    Format("text/csv", "csv", "https://www.w3.org/TR/sparql11-results-csv-tsv/"),
    Format("text/tab-separated-values", "tsv", "https://www.w3.org/TR/sparql11-results-csv-tsv/"),
]
#: CONSTRUCT / DESCRIBE results (and entity pages).
GRAPH_FORMATS: list[Format] = [
    Format("text/turtle", "turtle", "https://www.w3.org/TR/turtle/", ox.RdfFormat.TURTLE),
    Format("application/n-triples", "ntriples", "https://www.w3.org/TR/n-triples/", ox.RdfFormat.N_TRIPLES),
    Format("application/ld+json", "jsonld", "https://www.w3.org/TR/json-ld11/", ox.RdfFormat.JSON_LD),
    Format("application/rdf+xml", "rdfxml", "https://www.w3.org/TR/rdf-syntax-grammar/", ox.RdfFormat.RDF_XML),
    Format("application/n-quads", "nquads", "https://www.w3.org/TR/n-quads/", ox.RdfFormat.N_QUADS),
    Format("application/trig", "trig", "https://www.w3.org/TR/trig/", ox.RdfFormat.TRIG),
]
#: Media types clients send that mean one of ours.
ALIASES = {"application/json": "application/sparql-results+json", "application/xml": "application/rdf+xml"}


def _parse_accept(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    best, best_specificity = 0.0, -1
    major = media_type.split("/", 1)[0]
    for pattern, quality in ranges:
        pattern = ALIASES.get(pattern, pattern)
        if pattern == media_type:
            specificity = 2
        elif pattern == f"{major}/*":
            specificity = 1
        elif pattern == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best, best_specificity = quality, specificity
    return best


def negotiate(formats: list[Format], accept: str | None, short: str | None = None) -> Format:
    """Choose the result format.

    :param formats: what this kind of result can be written as, in order of preference.
    :param accept: the ``Accept`` header, or ``None``.
    :param short: the ``format`` request parameter (``json``, ``turtle`` …, or a media type), a fallback
        used when it names one of ``formats``.
    :returns: the chosen format.
    :raises NotAcceptable: when nothing the client accepts fits.

    >>> negotiate(SOLUTION_FORMATS, "text/csv;q=0.5, application/sparql-results+xml").short
    'xml'
    >>> negotiate(GRAPH_FORMATS, None).media_type
    'text/turtle'
    """
    if short:
        for fmt in formats:
            if short.lower() in (fmt.short, fmt.media_type):
                return fmt
    if not accept or not accept.strip():
        return formats[0]
    ranges = _parse_accept(accept)
    scored = [(_quality(fmt.media_type, ranges), -i, fmt) for i, fmt in enumerate(formats)]
    quality, _, chosen = max(scored, key=lambda t: (t[0], t[1]))
    if quality <= 0:
        offered = ", ".join(f.media_type for f in formats)
        raise NotAcceptable(f"none of the accepted types ({accept}) fits this result; available: {offered}")
    return chosen
