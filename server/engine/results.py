"""Write SELECT results, at most ``limit`` rows, in the four SPARQL result formats.

pyoxigraph serializes a whole result natively but cannot stop after N rows, and the endpoint must cap rows
and say so; these writers take the rows already read (the cap applied) and produce the same formats.
"""

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = Sequence[Term | None]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {"subject": _json_term(term.subject), "predicate": _json_term(term.predicate),
                  "object": _json_term(term.object)},
    }  # fmt: skip


def write_json(variables: list[str], rows: list[Row], boolean: bool | None = None) -> bytes:
    """Write SPARQL 1.1 Query Results JSON.

    :param variables: projected variable names.
    :param rows: solutions, one term (or ``None`` when unbound) per variable.
    :param boolean: the ASK answer, for an ASK query (then ``variables``/``rows`` are ignored).
    :returns: UTF-8 bytes.

    >>> write_json(["x"], [[ox.Literal("a", language="en")]])
    b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a","xml:lang":"en"}}]}}'
    """
    if boolean is not None:
        return json.dumps({"head": {}, "boolean": boolean}, separators=(",", ":")).encode()
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    parts = (("subject", term.subject), ("predicate", term.predicate), ("object", term.object))
    return "<triple>" + "".join(f"<{n}>{_xml_term(t)}</{n}>" for n, t in parts) + "</triple>"


def write_xml(variables: list[str], rows: list[Row], boolean: bool | None = None) -> bytes:
    """Write SPARQL Query Results XML.

    :param variables: projected variable names.
    :param rows: solutions.
    :param boolean: the ASK answer, for an ASK query.
    :returns: UTF-8 bytes.
    """
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if boolean is not None:
        out.append(f"<head/><boolean>{'true' if boolean else 'false'}</boolean></sparql>")
        return "".join(out).encode()
    out.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head><results>")
    for row in rows:
        cells = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
            for v, t in zip(variables, row, strict=True)
            if t is not None
        )
        out.append(f"<result>{cells}</result>")
    out.append("</results></sparql>")
    return "".join(out).encode()


def write_csv(variables: list[str], rows: list[Row], boolean: bool | None = None) -> bytes:
    """Write SPARQL 1.1 CSV results (plain values, CRLF line ends).

    :param variables: projected variable names.
    :param rows: solutions.
    :param boolean: the ASK answer (written as one ``_askResult`` column, as Jena does).
    :returns: UTF-8 bytes.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if boolean is not None:
        writer.writerows([["_askResult"], ["true" if boolean else "false"]])
        return buffer.getvalue().encode()
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if t is None else ("_:" + t.value if isinstance(t, ox.BlankNode) else _plain(t))
                         for t in row])  # fmt: skip
    return buffer.getvalue().encode()


def _plain(term: Term) -> str:
    return str(term) if isinstance(term, ox.Triple) else term.value


def write_tsv(variables: list[str], rows: list[Row], boolean: bool | None = None) -> bytes:
    """Write SPARQL 1.1 TSV results (terms in Turtle syntax).

    :param variables: projected variable names.
    :param rows: solutions.
    :param boolean: the ASK answer (one ``?_askResult`` column).
    :returns: UTF-8 bytes.
    """
    if boolean is not None:
        return f"?_askResult\n{'true' if boolean else 'false'}\n".encode()
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


WRITERS = {"json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv}
