"""``/sparql``: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/), query operation only.

GET ``?query=``; POST as ``application/x-www-form-urlencoded`` or ``application/sparql-query``; the
protocol's ``default-graph-uri`` / ``named-graph-uri``; a query given twice is 400; an update (form
``update=`` or ``application/sparql-update``) is 403; any other body type is 415; no query at all returns
the service description, or the query page to a browser. HEAD answers as GET does, without the body; a
form or query body that is not valid text in its charset is 400 (never read as "no query").
"""

from urllib.parse import parse_qsl

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict

from server.engine import QuerySpec
from server.engine.formats import GRAPH_FORMATS, negotiate
from server.errors import QueryError
from server.web import READ_ONLY, engine_of, plain_error, settings_of
from server.web.describe import service_description

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


def _single(values: MultiDict[str, str], name: str) -> str | None:
    found = values.getlist(name)
    if len(found) > 1:
        raise QueryError(f"the '{name}' parameter is given {len(found)} times; give it once")
    return found[0] if found else None


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", *[f.media_type for f in GRAPH_FORMATS]])
    return best == "text/html"


def _body_text() -> str:
    """Decode the request body in its declared charset (UTF-8 by default), or refuse it (400)."""
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        return request.get_data(cache=False).decode(charset)
    except (UnicodeError, LookupError) as exc:
        raise QueryError(f"the request body is not valid text in {charset!r}: {exc}") from exc


def _form() -> MultiDict[str, str]:
    """Parse a form body strictly: a body or a %-escape that is not valid text is refused, not dropped."""
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        pairs = parse_qsl(_body_text(), keep_blank_values=True, encoding=charset, errors="strict")
    except (UnicodeError, LookupError) as exc:
        raise QueryError(f"the form body is not valid text in {charset!r}: {exc}") from exc
    return MultiDict(pairs)


def _query_and_params() -> tuple[str | None, MultiDict[str, str]] | Response:
    """Read the query and the protocol parameters from a GET, HEAD or POST, or return the refusal."""
    if request.method in ("GET", "HEAD"):
        return _single(request.args, "query"), request.args
    mimetype = request.mimetype
    if mimetype == UPDATE:
        return plain_error(403, READ_ONLY)
    if mimetype == FORM:
        form = _form()
        if "update" in form:
            return plain_error(403, READ_ONLY)
        in_url, in_body = _single(request.args, "query"), _single(form, "query")
        if in_url is not None and in_body is not None:
            raise QueryError("the query is given both in the URL and in the request body; give it once")
        params = MultiDict(list(request.args.items(multi=True)) + list(form.items(multi=True)))
        return in_body if in_body is not None else in_url, params
    if mimetype == DIRECT:
        if "query" in request.args:
            raise QueryError("the query is given both in the URL and in the request body; give it once")
        return _body_text(), request.args
    return plain_error(
        415,
        f"unsupported request body type {mimetype or '(none)'!r}: use {FORM} or {DIRECT} (read-only endpoint)",
    )


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def sparql() -> Response:
    """Answer a SPARQL query, or describe the service when there is none."""
    if request.method == "OPTIONS":
        return Response(status=204)
    read = _query_and_params()
    if isinstance(read, Response):
        return read
    query, params = read
    settings = settings_of(current_app)
    if query is None or not query.strip():
        if request.method in ("GET", "HEAD") and _wants_html():
            from server.web.ui import query_page

            return query_page()
        fmt = negotiate(GRAPH_FORMATS[:4], request.headers.get("Accept"), params.get("format"))
        return _rdf_response(service_description(settings.public_url, fmt.media_type), fmt.media_type)
    if len(query) > settings.max_query_length:
        raise QueryError(f"query is {len(query)} characters long; the limit is {settings.max_query_length}")
    spec = QuerySpec(
        text=query,
        accept=request.headers.get("Accept"),
        format=params.get("format"),
        default_graph_uris=tuple(params.getlist("default-graph-uri")),
        named_graph_uris=tuple(params.getlist("named-graph-uri")),
        row_limit=settings.row_limit,
        max_length=settings.max_query_length,
        max_depth=settings.max_query_depth,
        byte_limit=settings.max_result_bytes,
    )
    result = engine_of(current_app).query(spec)
    response = _rdf_response(result.body, result.media_type)
    if result.truncated:
        response.headers["Result-Truncated"] = "true"
        if result.truncated_by == "bytes":
            response.headers["Result-Byte-Limit"] = str(settings.max_result_bytes)
        else:
            response.headers["Result-Row-Limit"] = str(settings.row_limit)
    return response


def _rdf_response(body: bytes, media_type: str) -> Response:
    response = Response(body, status=200)
    response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
    response.headers["Vary"] = "Accept"
    return response
