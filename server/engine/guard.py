"""Refuse, before the engine parses it, a query that would reach out, or that nests too deep to parse safely.

The guard reads the text the way the engine's parser does. Oxigraph's SPARQL parser (spargebra 0.5) is a
PEG grammar over characters with no separate lexer, and so: whitespace is space, tab, CR and LF; a comment runs
from ``#`` to CR *or* LF; a keyword is matched case-insensitively with nothing required after it
(``SERVICEl:x`` is ``SERVICE`` then ``l:x``); ``<`` starts an IRI where an IRI is expected and is "less than"
elsewhere (``?a<'x>'`` compares ``?a`` with the string ``'x>'``). A regular expression that blanks out strings
and IRIs must choose one reading of ``<`` and ``'``, and a query can be written so that the engine takes the
other: that is how a regex guard was bypassed.

This guard does not choose. It follows every reading at once: starting from the first character, it collects
every position where a token can start in *some* reading of the text (whitespace, comments, strings, IRIs,
names, numbers, keywords and punctuation as spargebra's grammar defines them, each matched as greedily as the
grammar does), and then looks for ``SERVICE`` and ``FROM`` at those positions. A query is refused when any
reading calls ``SERVICE`` or names a ``FROM``/``FROM NAMED`` graph we do not hold (after ``PREFIX`` and
``BASE``): the engine's reading is one of them. The same positions give the query's nesting depth (groups,
parentheses, brackets, ``!`` and ``^`` chains), checked before the engine parses: spargebra parses recursively
and a few thousand levels overflow its stack (hundreds of nested ``[`` or collections already take seconds).

This is the first line only: the query workers have no network at all (:mod:`server.engine.isolation`).
"""

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from server.config import DEFAULT_MAX_QUERY_DEPTH, DEFAULT_MAX_QUERY_LENGTH
from server.errors import QueryError, QueryRefused

#: Every keyword of spargebra 0.5's grammar (its ``i("…")`` rules: case-insensitive, no boundary after).
KEYWORDS = (
    "ABS ADD ADJUST ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR COALESCE CONCAT CONSTRUCT CONTAINS COPY "
    "COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE DISTINCT DROP ENCODE_FOR_URI EXISTS FILTER FLOOR "
    "FROM GRAPH GROUP GROUP_CONCAT HAVING HOURS IF IN INSERT INTO IRI LANG LANGDIR LANGMATCHES LATERAL LCASE LIMIT "
    "LOAD MAX MD5 MIN MINUS MINUTES MONTH MOVE NAMED NOT NOW OBJECT OFFSET OPTIONAL ORDER PREDICATE PREFIX RAND "
    "REDUCED REGEX REPLACE ROUND SAMPLE SECONDS SELECT SEPARATOR SERVICE SHA1 SHA256 SHA384 SHA512 SILENT STR "
    "STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLANGDIR STRLEN STRSTARTS STRUUID SUBJECT SUBSTR SUM TIMEZONE TO "
    "TRIPLE TZ UCASE UNDEF UNION URI USING UUID VALUES VERSION WHERE WITH YEAR HASLANG HASLANGDIR ISBLANK ISIRI "
    "ISLITERAL ISNUMERIC ISTRIPLE ISURI SAMETERM"
).split()
_BY_INITIAL: dict[str, list[str]] = {}
for _word in KEYWORDS:
    _BY_INITIAL.setdefault(_word[0], []).append(_word)
#: Case-sensitive words of the grammar (``a`` for rdf:type, boolean literals).
_EXACT = ("a", "true", "false")
_SPACE = " \t\r\n"
_PUNCTUATION = "{}()[],;.*=!|&^/+-<>~"
_OPENERS, _CLOSERS, _PREFIX_OPERATORS = "{([", "})]", "!^"

_BASE_CHARS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d\u2070-\u218f"
    "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHARS_U = f"_{_BASE_CHARS}"
_CHARS = f"\\-0-9\u00b7\u0300-\u036f\u203f-\u2040{_CHARS_U}"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
#: PN_PREFIX and PN_LOCAL as the grammar's greedy repetitions (atomic groups: a PEG never gives characters back).
_PREFIX = f"[{_BASE_CHARS}](?>[{_CHARS}]*)(?>(?:\\.+[{_CHARS}]+)*)"
_LOCAL = f"(?:[{_CHARS_U}:0-9]|{_PLX})(?>(?:[{_CHARS}:]|{_PLX})*)(?>(?:\\.+(?:[{_CHARS}:]|{_PLX})+)?)"
_PNAME_NS = re.compile(f"(?>{_PREFIX})?:")
_PNAME_LN = re.compile(f"(?P<ns>(?>{_PREFIX})?):(?P<local>{_LOCAL})")
_VARNAME = re.compile(f"[0-9{_CHARS_U}](?>[0-9\u00b7\u0300-\u036f\u203f-\u2040{_CHARS_U}]*)")
_BLANK = re.compile(f"_:[0-9{_CHARS_U}](?>[{_CHARS}]*)(?>(?:\\.+[{_CHARS}]+)*)")
_LANGTAG = re.compile(r"@[A-Za-z]+(?>(?:-[A-Za-z0-9]+)*)(?:--[A-Za-z]+)?")
_NUMBERS = [re.compile(p) for p in (r"[0-9]+", r"[0-9]*\.[0-9]+", r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+")]
_ESCAPES = r"""\\[tbnrf"'\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"""
_STRINGS = [
    re.compile(f"'''(?>(?:(?:''|')?(?:[^'\\\\]|{_ESCAPES}))*)'''"),
    re.compile(f'"""(?>(?:(?:""|")?(?:[^"\\\\]|{_ESCAPES}))*)"""'),
    re.compile(f"'(?>(?:[^'\\\\\\n\\r]|{_ESCAPES})*)'"),
    re.compile(f'"(?>(?:[^"\\\\\\n\\r]|{_ESCAPES})*)"'),
]
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: Every spelling the scan's ``str.upper`` test reads as SERVICE or FROM (U+017F upper-cases to S, U+0131 to I:
#: no other character upper-cases to one of these letters).
_WATCHED = re.compile("[Ss\u017f][Ee][Rr][Vv][Ii\u0131][Cc][Ee]|[Ff][Rr][Oo][Mm]")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Reading:
    """What the guard found in a query it let through."""

    #: Whether some reading has a dataset clause (FROM / FROM NAMED): the query then chooses its own dataset.
    own_dataset: bool
    #: Deepest nesting found (groups, parentheses, brackets, ``!``/``^`` chains); when the query names neither
    #: SERVICE nor FROM, an upper bound (every opener counted, whether or not it is read as one).
    depth: int


class _Scan:
    """Every position of ``text`` where a token can start, in any reading of spargebra's grammar."""

    def __init__(self, text: str) -> None:
        self.text = text
        size = len(text)
        self.next_gt = [size] * (size + 1)  # index of the next '>' at or after each position
        self.next_eol = [size] * (size + 1)  # index of the next CR or LF
        for i in range(size - 1, -1, -1):
            self.next_gt[i] = i if text[i] == ">" else self.next_gt[i + 1]
            self.next_eol[i] = i if text[i] in "\r\n" else self.next_eol[i + 1]
        self.starts = self._reach(0)

    def _reach(self, start: int) -> set[int]:
        seen: set[int] = set()
        todo = [start]
        while todo:
            at = todo.pop()
            if at in seen or at >= len(self.text):
                continue
            seen.add(at)
            todo.extend(self.ends(at))
        return seen

    def ends(self, at: int) -> Iterator[int]:
        """Yield the end of every token that can start at ``at``.

        :param at: a position of the text.
        :returns: positions just after each possible token.
        """
        text, char = self.text, self.text[at]
        if char in _SPACE:
            yield at + 1
        elif char == "#":
            yield self.next_eol[at]
        elif char in "'\"":
            yield from (m.end() for p in _STRINGS if (m := p.match(text, at)))
        elif char in "?$":
            var = _VARNAME.match(text, at + 1)
            if var:
                yield var.end()
            elif char == "?":
                yield at + 1
        elif char == "@":
            yield from (m.end() for m in (_LANGTAG.match(text, at),) if m)
        elif char == "_" and text.startswith("_:", at):
            yield from (m.end() for m in (_BLANK.match(text, at),) if m)
        else:
            yield from self._word_or_symbol(at, char)

    def _word_or_symbol(self, at: int, char: str) -> Iterator[int]:
        text = self.text
        if char == "<" and self.next_gt[at + 1] < len(text):
            yield self.next_gt[at + 1] + 1  # an IRIREF: anything up to the next '>'
        if char in _PUNCTUATION:
            yield at + 1
        if char.isdigit() or char == ".":
            yield from (m.end() for p in _NUMBERS if (m := p.match(text, at)))
        name = _PNAME_LN.match(text, at)
        if name:
            yield name.end()
        elif ns := _PNAME_NS.match(text, at):
            yield ns.end()
        for word in _BY_INITIAL.get(char.upper(), ()):
            if text[at : at + len(word)].upper() == word:
                yield at + len(word)
        yield from (at + len(w) for w in _EXACT if text.startswith(w, at))

    def spaces_after(self, at: int) -> set[int]:
        """Positions reachable from ``at`` through whitespace and comments only (``at`` included).

        :param at: a position.
        :returns: the positions.
        """
        found, todo = set(), [at]
        while todo:
            here = todo.pop()
            if here in found:
                continue
            found.add(here)
            if here < len(self.text) and self.text[here] in _SPACE:
                todo.append(here + 1)
            elif here < len(self.text) and self.text[here] == "#":
                todo.append(self.next_eol[here])
        return found

    def keyword_at(self, word: str) -> list[int]:
        """Return the token starts where ``word`` (case-insensitive) can be read.

        :param word: a keyword.
        :returns: sorted positions.
        """
        return sorted(p for p in self.starts if self.text[p : p + len(word)].upper() == word)

    def depth(self) -> int:
        """Return the deepest nesting over the token starts of every reading.

        :returns: levels of groups, parentheses and brackets, plus the longest run of ``!``/``^`` there.
        """
        level = deepest = chain = 0
        for at in sorted(self.starts):
            char = self.text[at]
            if char in _OPENERS:
                level += 1
            elif char in _CLOSERS:
                level = max(0, level - 1)
            if char in _PREFIX_OPERATORS:
                chain += 1
            elif char not in _SPACE:
                chain = 0
            deepest = max(deepest, level + chain)
        return deepest


def _iri_refs(scan: _Scan, at: int) -> list[tuple[str, int]]:
    """IRIREFs (unescaped content, end) that can follow ``at`` after whitespace."""
    found = []
    for here in scan.spaces_after(at):
        if scan.text.startswith("<", here) and scan.next_gt[here + 1] < len(scan.text):
            end = scan.next_gt[here + 1]
            found.append((_unescape_iri(scan.text[here + 1 : end]), end + 1))
    return found


def _unescape_iri(raw: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), raw)


def _declarations(scan: _Scan) -> tuple[list[str], dict[str, set[str]]]:
    """Every BASE and PREFIX any reading declares (bases in text order; prefix → its possible IRIs)."""
    bases = [iri for at in scan.keyword_at("BASE") for iri, _ in _iri_refs(scan, at + 4)]
    prefixes: dict[str, set[str]] = {}
    for at in scan.keyword_at("PREFIX"):
        for here in scan.spaces_after(at + 6):
            ns = _PNAME_NS.match(scan.text, here)
            if ns:
                for iri, _ in _iri_refs(scan, ns.end()):
                    prefixes.setdefault(ns.group(0)[:-1], set()).update(_resolve(iri, bases))
    return bases, prefixes


def _resolve(iri: str, bases: list[str]) -> set[str]:
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri):
        return {iri}
    return {urljoin(base, iri) for base in bases} or {iri}


def _dataset_graphs(scan: _Scan) -> Iterator[tuple[int, str]]:
    """Yield (position, graph IRI) of every FROM / FROM NAMED clause of any reading."""
    bases, prefixes = _declarations(scan)
    for at in scan.keyword_at("FROM"):
        spots = scan.spaces_after(at + 4)
        spots |= {
            p for here in spots if scan.text[here : here + 5].upper() == "NAMED" for p in scan.spaces_after(here + 5)
        }
        for here in spots:
            if scan.text.startswith("<", here) and scan.next_gt[here + 1] < len(scan.text):
                for iri in _resolve(_unescape_iri(scan.text[here + 1 : scan.next_gt[here + 1]]), bases):
                    yield at, iri
            elif name := _PNAME_LN.match(scan.text, here) or _PNAME_NS.match(scan.text, here):
                prefix, _, local = name.group(0).partition(":")
                for namespace in prefixes.get(prefix) or {f"{prefix}:"}:
                    yield at, namespace + _LOCAL_ESCAPE.sub(r"\1", local)


def read_query(
    text: str,
    local_graphs: Container[str],
    max_length: int = DEFAULT_MAX_QUERY_LENGTH,
    max_depth: int = DEFAULT_MAX_QUERY_DEPTH,
) -> Reading:
    r"""Refuse queries that are too long or too deep, call SERVICE, or name a dataset graph we do not hold.

    :param text: the SPARQL query.
    :param local_graphs: IRIs of the named graphs in our store (any container: a remote store answers lazily).
    :param max_length: longest query accepted, characters.
    :param max_depth: deepest nesting accepted.
    :returns: what the guard read (whether the query has its own dataset, its depth).
    :raises QueryError: if the query is longer than ``max_length`` or nests deeper than ``max_depth``.
    :raises QueryRefused: for SERVICE, or a FROM / FROM NAMED graph that is not one of ours, in any reading.

    >>> read_query('SELECT * { ?s ?p "SERVICE" }', set()).own_dataset
    False
    >>> read_query("SELECT * { ?s ?p ?o #c\rSERVICE <http://x/> { } }", set())
    Traceback (most recent call last):
    ...
    server.errors.QueryRefused: line 2, column 1: SERVICE (federated query) is not allowed on this endpoint
    """
    if len(text) > max_length:
        raise QueryError(f"query is {len(text)} characters long; the limit is {max_length}")
    return _quick_reading(text, max_depth) or full_reading(text, local_graphs, max_depth)


def full_reading(text: str, local_graphs: Container[str], max_depth: int = DEFAULT_MAX_QUERY_DEPTH) -> Reading:
    """Read a query by the full scan of every reading (what :func:`read_query` falls back on).

    :param text: the SPARQL query.
    :param local_graphs: IRIs of the named graphs in our store.
    :param max_depth: deepest nesting accepted.
    :returns: what the scan read.
    :raises QueryError: if the query nests deeper than ``max_depth``.
    :raises QueryRefused: for SERVICE, or a FROM / FROM NAMED graph that is not one of ours, in any reading.
    """
    scan = _Scan(text)
    depth = scan.depth()
    if depth > max_depth:
        raise QueryError(
            f"the query nests {depth} levels deep (groups, parentheses, brackets, '!'); the limit is {max_depth}"
        )
    for at in scan.keyword_at("SERVICE"):
        raise QueryRefused(f"{_position(text, at)}: SERVICE (federated query) is not allowed on this endpoint")
    own = False
    for at, iri in _dataset_graphs(scan):
        if iri not in local_graphs:
            raise QueryRefused(
                f"{_position(text, at)}: FROM <{iri}> is not a graph of this dataset; this endpoint never fetches "
                "remote data"
            )
        own = True
    return Reading(own, depth)


def _header_end(text: str) -> int:
    """Where the leading whitespace and comment lines end: every reading walks them the same single way."""
    at = 0
    while at < len(text) and (text[at] in _SPACE or text[at] == "#"):
        if text[at] == "#":
            ends = [i for i in (text.find("\r", at), text.find("\n", at)) if i >= 0]
            at = min(ends, default=len(text))
        else:
            at += 1
    return at


def _may_start_token(text: str, at: int) -> bool:
    """Whether a token may start at ``at`` in some reading, judged from the character before it alone.

    Only a keyword (or ``a``, ``true``, ``false``) can end on an ASCII letter right before another ASCII letter:
    names, variables, blank nodes and language tags are matched greedily and would have taken that letter too.
    Anything else is answered "maybe", which sends the query to the full scan.
    """
    if at == 0 or not (text[at - 1].isascii() and text[at - 1].isalpha() and text[at].isascii()):
        return True
    return any(at >= len(w) and text[at - len(w) : at].upper() == w for w in KEYWORDS) or any(
        text.startswith(w, at - len(w)) for w in _EXACT if at >= len(w)
    )


def _quick_reading(text: str, max_depth: int) -> Reading | None:
    """Decide without the full scan when no reading can call SERVICE or FROM and the nesting is surely allowed.

    The common case (a query naming neither outside its leading comments, except inside longer names such as
    ``prov:wasDerivedFrom``): the same verdict as the scan at a fraction of its cost.

    :returns: the reading (its depth an upper bound: every opener and ``!``/``^`` counted), or ``None`` when only
        the full scan can tell.
    """
    start = _header_end(text)
    body = text[start:]
    bound = sum(body.count(c) for c in _OPENERS + _PREFIX_OPERATORS)
    if bound > max_depth or any(_may_start_token(text, start + m.start()) for m in _WATCHED.finditer(body)):
        return None
    return Reading(False, bound)


def _position(text: str, offset: int) -> str:
    line_start = max(text.rfind("\n", 0, offset), text.rfind("\r", 0, offset)) + 1
    line = len(re.findall(r"\r\n|\r|\n", text[:offset])) + 1
    return f"line {line}, column {offset - line_start + 1}"
