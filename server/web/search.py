"""``/search`` and ``/search/complete``: labels, synonyms and definitions in English and Chinese, ranked.

The index is SQLite's FTS5 (in Python's standard library, nothing to install) with its ``trigram`` tokenizer:
it matches any substring of three characters or more, which is what Chinese needs (no spaces between words:
"星状细胞" is found inside "肝星状细胞" and "活化的肝星状细胞") and what English partial words need ("stell"). A
term shorter than three characters ("肝", "IL") is matched with ``LIKE``, which the same table answers. Ranking
is in tiers: an exact label or synonym first, then labels with a word that starts with the query, then labels
that contain it (shorter labels first within a tier: the query is more of their name), then the rest by FTS5's
BM25 (labels weigh more than synonyms, synonyms more than definitions).

The index is built in memory from the served release, through the engine (SPARQL, whichever engine serves),
on the first search after the server starts, once per process; it holds a few thousand rows and builds in well
under a second.
"""

import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from html import escape

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from markupsafe import Markup

from server.namespaces import BASE, DOI, MSC
from server.web.rdfview import href, select, short_name

bp = Blueprint("search", __name__)

_START, _END = "\x02", "\x03"
#: Kinds shown on the search page; external terms (kind ``external …``) only feed the query editor's completion.
LOCAL_KINDS = ("entity", "class", "property", "term", "chain", "reference", "ontology")
#: BM25 weights of the columns iri, kind, label_en, label_zh, synonyms, definition.
_WEIGHTS = "0, 0, 10, 10, 4, 1"
_TEXT_COLUMNS = ("label_en", "label_zh", "synonyms", "definition")


@dataclass(frozen=True)
class Hit:
    """One search result."""

    iri: str
    kind: str
    label: str
    label_zh: str
    snippet: Markup

    @property
    def href(self) -> str:
        """Where the result links to (locally for our IRIs)."""
        return href(self.iri)

    @property
    def short(self) -> str:
        """The result's short identifier."""
        return short_name(self.iri)


def _kind(iri: str, types: set[str]) -> str:
    owl = "http://www.w3.org/2002/07/owl#"
    prop = {owl + "ObjectProperty", owl + "DatatypeProperty", owl + "AnnotationProperty"}
    if iri.startswith(BASE + "entity/"):
        return "entity"
    if iri.startswith(BASE + "chain/"):
        return "chain"
    if iri.startswith(str(DOI)):
        return "reference"
    if iri == BASE + "ontology":
        return "ontology"
    shape = "class" if owl + "Class" in types else "property" if types & prop else "term"
    return shape if iri.startswith(str(MSC)) else f"external {shape}"


def normalize(text: str) -> str:
    """Fold a query or an indexed text the same way: Unicode compatibility forms (full-width letters), case.

    :param text: any text.
    :returns: the folded text.

    >>> normalize("ＣＤ４７")
    'cd47'
    """
    return unicodedata.normalize("NFKC", text).casefold().strip()


class SearchIndex:
    """An in-memory FTS5 table of every labelled node of the release."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.lock = threading.Lock()
        self.db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(iri UNINDEXED, kind UNINDEXED, label_en, label_zh, synonyms,"
            " definition, tokenize='trigram')"
        )

    def load(self) -> int:
        """Fill the index from the served release (labels, synonyms, definitions; mapped terms' names too).

        :returns: the number of nodes indexed.
        """
        rows = select("""
SELECT ?x ?p ?o WHERE {
  VALUES ?p { rdfs:label skos:altLabel skos:definition oboInOwl:hasExactSynonym obo:IAO_0000115 dcterms:title }
  ?x ?p ?o FILTER(isIRI(?x) && isLiteral(?o))
}""", limit=200_000)  # fmt: skip
        mapped = select("""
SELECT ?x ?o WHERE {
  ?x skos:exactMatch|skos:closeMatch ?t . ?t rdfs:label|oboInOwl:hasExactSynonym ?o FILTER(isIRI(?x))
}""", limit=200_000)  # fmt: skip
        typed = select("SELECT ?x ?t WHERE { ?x a ?t FILTER(isIRI(?x) && STRSTARTS(STR(?t), str(owl:))) }", 200_000)
        docs: dict[str, dict[str, list[str]]] = {}
        for r in rows:
            doc = docs.setdefault(r["x"].value, {c: [] for c in _TEXT_COLUMNS})
            p, o = r["p"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], r["o"]
            column = {"label": "label_zh" if o.lang == "zh" else "label_en", "title": "label_en"}.get(p)
            if column is None:
                column = "definition" if p in ("definition", "IAO_0000115") else "synonyms"
            if p == "title" and o.lang == "zh":
                column = "label_zh"
            doc[column].append(o.value)
        for r in mapped:
            if r["x"].value in docs:
                docs[r["x"].value]["synonyms"].append(r["o"].value)
        types: dict[str, set[str]] = {}
        for r in typed:
            types.setdefault(r["x"].value, set()).add(r["t"].value)
        with self.lock:
            self.db.executemany(
                "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (iri, _kind(iri, types.get(iri, set())), *("|".join(dict.fromkeys(doc[c])) for c in _TEXT_COLUMNS))
                    for iri, doc in docs.items()
                ],  # fmt: skip
            )
        return len(docs)

    def search(self, query: str, kinds: tuple[str, ...] = LOCAL_KINDS, limit: int = 50) -> list[Hit]:
        """Find nodes whose names or definitions contain every word of ``query``.

        :param query: words in English or Chinese (each matched as a substring, case-folded).
        :param kinds: which kinds of node to return.
        :param limit: most results.
        :returns: results, exact names first, then by BM25.
        """
        q = normalize(query)
        words = [w for w in q.split() if w]
        if not words:
            return []
        long = [w for w in words if len(w) >= 3]
        params: dict[str, str] = {"q": q}

        def bind(value: str) -> str:
            name = f"p{len(params)}"
            params[name] = value
            return ":" + name

        where = []
        if long:
            where.append("docs MATCH " + bind(" AND ".join('"' + w.replace('"', '""') + '"' for w in long)))
        for w in (w for w in words if len(w) < 3):
            where.append("(" + " OR ".join(f"{c} LIKE {bind(f'%{w}%')}" for c in _TEXT_COLUMNS) + ")")
        where.append(f"kind IN ({', '.join(bind(k) for k in kinds)})")
        rank = f"bm25(docs, {_WEIGHTS})" if long else "0"
        # only placeholders, our column names and numbers are interpolated; the words are bound parameters
        sql = f"""
SELECT iri, kind, label_en, label_zh, definition,
  CASE WHEN lower(label_en) = :q OR lower(label_zh) = :q OR instr('|' || lower(label_en) || '|' || lower(label_zh)
              || '|' || lower(synonyms) || '|', '|' || :q || '|') > 0 THEN 0
       WHEN lower(label_en) LIKE :q || '%' OR lower(label_en) LIKE '% ' || :q || '%' OR label_zh LIKE :q || '%'
         THEN 1
       WHEN instr(lower(label_en), :q) > 0 OR instr(lower(label_zh), :q) > 0 THEN 2
       ELSE 3 END AS tier,
  CASE WHEN instr(lower(label_en), :q) > 0 THEN length(label_en)
       WHEN instr(lower(label_zh), :q) > 0 THEN length(label_zh) ELSE 0 END AS named_length,
  {rank} AS score
FROM docs WHERE {" AND ".join(where)}
ORDER BY tier, named_length, score, iri LIMIT {int(limit)}"""  # noqa: S608
        with self.lock:
            rows = self.db.execute(sql, params).fetchall()
        return [Hit(iri, kind, en.split("|")[0], zh.split("|")[0], _snippet(definition.split("|")[0], words))
                for iri, kind, en, zh, definition, *_ in rows]  # fmt: skip

    def complete(self, prefix_iri: str, kinds: tuple[str, ...], limit: int = 20) -> list[str]:
        """List IRIs that start with ``prefix_iri`` (the query editor completes a typed ``msc:Hep…``).

        :param prefix_iri: the start of an IRI.
        :param kinds: which kinds of node.
        :param limit: most results.
        :returns: IRIs, shortest first.
        """
        marks = ", ".join("?" * len(kinds))
        with self.lock:
            rows = self.db.execute(
                f"SELECT iri FROM docs WHERE substr(iri, 1, ?) = ? AND kind IN ({marks})"  # noqa: S608
                f" ORDER BY length(iri), iri LIMIT {int(limit)}",
                [len(prefix_iri), prefix_iri, *kinds],
            ).fetchall()
        return [r[0] for r in rows]


def _snippet(text: str, words: list[str], width: int = 180) -> Markup:
    """Cut a definition around the first word found and mark every occurrence of the words (HTML-safe)."""
    folded = normalize(text)
    at = min((folded.find(w) for w in words if folded.find(w) >= 0), default=0)
    start = max(0, at - width // 3)
    piece = text[start : start + width]
    lowered = piece.casefold()
    spans = sorted({(i, i + len(w)) for w in words for i in _all(lowered, w)})
    out, last = [], 0
    for begin, end in spans:
        if begin < last:
            continue
        out += [escape(piece[last:begin]), Markup("<mark>"), escape(piece[begin:end]), Markup("</mark>")]
        last = end
    out.append(escape(piece[last:]))
    html = ("…" if start else "") + "".join(out) + ("…" if start + width < len(text) else "")
    return Markup(html)  # noqa: S704 - every piece of text was escaped above


def _all(text: str, word: str) -> list[int]:
    found, at = [], text.find(word)
    while at >= 0 and word:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def index() -> SearchIndex:
    """Return this app's search index, building it from the release on first use.

    :returns: the index.
    """
    state = current_app.extensions["msckg"]
    with _BUILD_LOCK:
        if "search" not in state:
            built = SearchIndex()
            built.load()
            state["search"] = built
    found: SearchIndex = state["search"]
    return found


_BUILD_LOCK = threading.Lock()


@bp.route("/search")
def search() -> Response:
    """Render the search page: ranked results with their Chinese names and a piece of their definition."""
    q = request.args.get("q", "")[:200]
    hits = index().search(q) if q.strip() else []
    return Response(render_template("search.html", q=q, hits=hits), mimetype="text/html")


@bp.route("/search/complete")
def complete() -> Response:
    """Suggestions as JSON, for the search box and for the query editor (``kind=class`` or ``property``)."""
    q = request.args.get("q", "")[:200]
    wanted = request.args.get("kind", "")
    kinds = {"class": ("class", "external class"), "property": ("property", "external property")}.get(wanted)
    if kinds and q.startswith(("http://", "https://")):
        return jsonify([{"iri": i, "href": href(i)} for i in index().complete(q, kinds)])
    hits = index().search(q, kinds or LOCAL_KINDS, limit=10) if q.strip() else []
    return jsonify([{"iri": h.iri, "href": h.href, "label": h.label, "label_zh": h.label_zh, "kind": h.kind,
                     "short": h.short} for h in hits])  # fmt: skip
