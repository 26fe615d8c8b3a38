"""Write SELECT results with pyoxigraph's own serializers, cut after ``limit`` rows, and ASK answers.

pyoxigraph writes a whole result natively but cannot stop after N rows, and the endpoint must cap rows and
say so. :func:`write_solutions` streams the native writer into a sink that counts rows as the bytes arrive
(its 8 KiB chunks, scanned with ``bytes`` methods: no Python work per row), stops the query at the first row
past the cap and closes the document after the last row kept. Counting relies on how pyoxigraph lays rows out:
a JSON row starts with ``[{`` or ``,{`` outside strings, an XML row with ``<result>``, a CSV row ends with
CRLF outside quotes, a TSV row with LF (TSV escapes line breaks inside terms).
"""

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}


@dataclass(frozen=True)
class _Layout:
    """Where rows begin or end in one of pyoxigraph's result serializations."""

    #: byte sequences that mark a row, each with the offset, within it, of the boundary between two rows
    markers: tuple[tuple[bytes, int], ...]
    #: markers end rows, after a header line that ends the same way (CSV, TSV), rather than start them
    terminated: bool
    #: markers can also occur inside double-quoted strings, which are skipped
    quoted: bool
    #: escape sequences inside strings that hide a quote, blanked (same length) before quotes are found
    escapes: tuple[bytes, ...]
    #: what closes the document after the last row kept
    closing: bytes


_LAYOUTS = {
    "json": _Layout(((b",{", 0), (b"[{", 1)), False, True, (b"\\\\", b'\\"'), b"]}}"),
    "xml": _Layout(((b"<result>", 0),), False, False, (), b"</results></sparql>"),
    "csv": _Layout(((b"\r\n", 2),), True, True, (), b""),
    "tsv": _Layout(((b"\n", 1),), True, False, (), b""),
}


class _Full(Exception):
    """Raised into pyoxigraph's writer to stop it at the first row past the cap."""


class _CappedSink(io.BytesIO):
    """A binary file for pyoxigraph's writer: keeps the bytes, counts rows, stops past a row or byte cap."""

    def __init__(self, layout: _Layout, limit: int, byte_limit: int | None = None) -> None:
        super().__init__()
        self.layout = layout
        self.byte_limit = byte_limit
        self.cut_by: str | None = None
        self.data = bytearray()
        self.scanned = 0  # bytes counted so far (they end outside an escape and a marker)
        self.in_string = False  # whether ``scanned`` falls inside a quoted string
        self.markers = 0
        self.boundary: int | None = None  # offset where the rows past the cap begin
        # the marker after which the cap's row ends, and the one that proves a row past the cap
        self.boundary_marker = limit + 1
        self.full_marker = limit + 1 + (1 if layout.terminated else 0)
        self.full = False
        # Markers anywhere, strings included: an upper bound on the rows. While it stays below the cap nothing
        # can be cut, and the exact scan (the costly part) waits until it does not.
        self.rough = 0
        self.exact = False
        self.overlap = max(len(marker) for marker, _ in layout.markers) - 1

    def write(self, buffer: "ReadableBuffer", /) -> int:
        """Keep a chunk and count the rows it completes.

        :param buffer: bytes from pyoxigraph's writer.
        :returns: the number of bytes taken.
        :raises _Full: once a row past the cap has been seen (and on every later call).
        """
        if self.full:
            raise _Full
        chunk = bytes(buffer)
        region = bytes(self.data[len(self.data) - self.overlap :]) + chunk if self.data else chunk
        self.data += chunk
        if not self.exact:
            self.rough += sum(region.count(marker) for marker, _ in self.layout.markers)
            self.exact = self.rough >= self.boundary_marker
        if self.exact:
            self._scan(final=False)
        if not self.full and self.byte_limit is not None and len(self.data) > self.byte_limit:
            self.boundary, self.full, self.cut_by = self._last_boundary(self.byte_limit), True, "bytes"
        if self.full:
            raise _Full
        return len(chunk)

    def finish(self) -> None:
        """Count the last bytes, once the writer is done."""
        if self.exact and not self.full:
            self._scan(final=True)

    def body(self) -> bytes:
        """Return the document, closed after the last row kept.

        :returns: the serialized result.
        """
        if not self.full:
            return bytes(self.data)
        assert self.boundary is not None  # noqa: S101 - set before the marker that makes the sink full
        return bytes(self.data[: self.boundary]) + self.layout.closing

    def _scan(self, final: bool) -> None:
        layout, end = self.layout, len(self.data)
        while not final and end > self.scanned:  # hold back what the next chunk may continue
            held = self._partial(end)
            if not held:
                break
            end -= held
        if end <= self.scanned:
            return
        region = bytes(self.data[self.scanned : end])
        parts = [region]
        if layout.quoted:
            for escape in layout.escapes:
                region = region.replace(escape, b"_" * len(escape))
            parts = region.split(b'"')
        # the parts outside strings are every other one; a NUL between them never makes a marker
        outside = b"\0".join(parts[1 if self.in_string else 0 :: 2])
        found = sum(outside.count(marker) for marker, _ in layout.markers)
        if self.markers + found >= self.boundary_marker:
            self._locate(parts)
        else:
            self.markers += found
        self.in_string ^= len(parts) % 2 == 0
        self.scanned = end

    def _last_boundary(self, limit: int) -> int:
        """Return the last offset at or before ``limit`` where a row ends (the header's end at least)."""
        layout, data = self.layout, bytes(self.data[:limit])
        parts = [data]
        if layout.quoted:
            for escape in layout.escapes:
                data = data.replace(escape, b"_" * len(escape))
            parts = data.split(b'"')
        boundaries, offset = [], 0
        for i, part in enumerate(parts):
            if i % 2 == 0:
                boundaries += [offset + at + shift for marker, shift in layout.markers
                               for at in _occurrences(part, marker) if offset + at + shift <= limit]  # fmt: skip
            offset += len(part) + 1
        return max(boundaries, default=0)

    def _partial(self, end: int) -> int:
        """How many bytes before ``end`` may begin a marker or an escape that the next chunk completes."""
        for marker, _ in self.layout.markers:
            for size in range(len(marker) - 1, 0, -1):
                if self.data[end - size : end] == marker[:size]:
                    return size
        return 1 if self.data[end - 1] == 0x5C else 0  # a backslash

    def _locate(self, parts: list[bytes]) -> None:
        """Walk the markers of a region (its parts between quotes) one by one, where the cap is crossed."""
        positions, offset = [], self.scanned
        for i, part in enumerate(parts):
            if (i % 2 == 1) == self.in_string:
                positions += [offset + at + shift for marker, shift in self.layout.markers
                              for at in _occurrences(part, marker)]  # fmt: skip
            offset += len(part) + 1
        for position in sorted(positions):
            self.markers += 1
            if self.markers == self.boundary_marker:
                self.boundary = position
            if self.markers == self.full_marker:
                self.full = True
                return


def _occurrences(data: bytes, marker: bytes) -> list[int]:
    found, start = [], data.find(marker)
    while start >= 0:
        found.append(start)
        start = data.find(marker, start + len(marker))
    return found


def write_solutions(
    solutions: ox.QuerySolutions, short: str, limit: int, byte_limit: int | None = None
) -> tuple[bytes, str | None]:
    """Write SELECT solutions with pyoxigraph's serializer, keeping at most ``limit`` rows and ``byte_limit`` bytes.

    :param solutions: the query's solutions (consumed; evaluation stops at the first row past a cap).
    :param short: the format: ``json``, ``xml``, ``csv`` or ``tsv``.
    :param limit: the row cap.
    :param byte_limit: the size cap (rows that would cross it are left out whole); ``None``: no cap.
    :returns: the document, and which cap cut it (``"rows"``, ``"bytes"``), ``None`` when nothing was cut.

    >>> import json
    >>> store = ox.Store()
    >>> for i in range(3):
    ...     store.add(ox.Quad(ox.NamedNode(f"http://example.com/{i}"), ox.NamedNode("http://example.com/p"),
    ...                       ox.Literal('a},{"b')))
    >>> body, cut = write_solutions(store.query("SELECT ?o { ?s ?p ?o }"), "json", 1)
    >>> cut, json.loads(body)["results"]["bindings"]
    ('rows', [{'o': {'type': 'literal', 'value': 'a},{"b'}}])
    >>> body, cut = write_solutions(store.query("SELECT ?o { ?s ?p ?o }"), "json", 10, byte_limit=100)
    >>> cut, len(json.loads(body)["results"]["bindings"])
    ('bytes', 1)
    >>> write_solutions(store.query("SELECT ?s { ?s ?p ?o } ORDER BY ?s"), "csv", 3)[0].split()
    [b's', b'http://example.com/0', b'http://example.com/1', b'http://example.com/2']
    """
    sink = _CappedSink(_LAYOUTS[short], limit, byte_limit)
    try:
        solutions.serialize(sink, format=_FORMATS[short])
    except _Full:
        pass
    sink.finish()
    return sink.body(), (sink.cut_by or "rows") if sink.full else None


def write_boolean(short: str, answer: bool) -> bytes:
    """Write an ASK answer (CSV and TSV, which SPARQL leaves open, as one ``_askResult`` column, as Jena does).

    :param short: the format: ``json``, ``xml``, ``csv`` or ``tsv``.
    :param answer: the ASK answer.
    :returns: UTF-8 bytes.

    >>> write_boolean("csv", True).split()
    [b'_askResult', b'true']
    """
    word = "true" if answer else "false"
    return {
        "json": f'{{"head":{{}},"boolean":{word}}}',
        "xml": '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f"<head/><boolean>{word}</boolean></sparql>",
        "csv": f"_askResult\r\n{word}\r\n",
        "tsv": f"?_askResult\n{word}\n",
    }[short].encode()
