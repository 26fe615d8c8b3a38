"""Citation coverage and context words: what a marker of the review cites, and where a claim's species is written.

The rules are the curation guide's (``docs/curation-guide.md``): a marker ``<sup>[n]</sup>`` cites the clauses of
its own sentence that come before it, back to the previous marker; clauses after the last marker of a sentence are
the review's own; an unmarked sentence is the review's own unless the curators declared it a *continuation* of the
study the next marker cites (``sources/citation-coverage.tsv``, one row per sentence with the cue in the text that
says so). The review's list of retired nanopublication ids (``sources/retired-nanopublications.tsv``) keeps an id
from being reused. The species a claim states must be written in the sentences its marker covers, or, flagged
``msc:contextFromReferenceTitle``, in the cited reference's title.
"""

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from server.errors import LoadError
from server.namespaces import OBO

#: A citation marker of the review's text.
MARKER = re.compile(r"<sup>\[(\d+)\]</sup>")
#: Species → the words that state it in the review's Chinese text and in an English reference title.
SPECIES_WORDS: dict[str, tuple[tuple[str, ...], re.Pattern[str]]] = {
    str(OBO.NCBITaxon_10090): (("小鼠",), re.compile(r"\b(mouse|mice|murine)\b", re.IGNORECASE)),
    str(OBO.NCBITaxon_10116): (("大鼠",), re.compile(r"\brats?\b", re.IGNORECASE)),
    str(OBO.NCBITaxon_9606): (("患者", "人体", "人类"), re.compile(r"\b(human|patients?)\b", re.IGNORECASE)),
}


@dataclass(frozen=True)
class Continuation:
    """An unmarked sentence that the next marker of its paragraph covers, and the cue that says so."""

    marker: int
    opening: str
    cue: str


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t")
            if tuple(reader.fieldnames or ()) != columns:
                raise LoadError(path, 1, f"expected the columns {', '.join(columns)} (tab-separated)")
            rows = [(reader.line_num, row) for row in reader]
    except OSError as exc:
        raise LoadError(path, None, f"cannot read: {exc}") from exc
    for line, row in rows:
        if any(not (row.get(c) or "").strip() for c in columns):
            raise LoadError(path, line, f"every column needs a value: {', '.join(columns)}")
    return rows


def read_continuations(path: Path) -> list[Continuation]:
    """Read a table of declared sentences (``marker``, ``opening``, ``cue``): continuations, or species sentences.

    :param path: ``sources/citation-coverage.tsv`` or ``sources/species-sentences.tsv``.
    :returns: one per row, in order.
    :raises LoadError: if the file cannot be read, lacks a column or value, or a marker is not a number.
    """
    found = []
    for line, row in _rows(path, ("marker", "opening", "cue")):
        if not row["marker"].strip().isdigit():
            raise LoadError(path, line, f"marker must be a reference number, not {row['marker']!r}")
        found.append(Continuation(int(row["marker"]), row["opening"].strip(), row["cue"].strip()))
    return found


def read_retired(path: Path) -> dict[str, str]:
    """Read the retired nanopublication ids (``id``, ``reason``).

    :param path: ``sources/retired-nanopublications.tsv``.
    :returns: id → why it was retired.
    :raises LoadError: if the file cannot be read or lacks a column or value.
    """
    return {row["id"].strip(): row["reason"].strip() for _, row in _rows(path, ("id", "reason"))}


def clause_markers(sentence: str, start: int, end: int) -> list[int]:
    """Return the markers that cite ``sentence[start:end]``: the first marker at or after its end.

    >>> clause_markers("A<sup>[2]</sup>,B,C<sup>[3]</sup>,D", 16, 19)
    [3]
    >>> clause_markers("A<sup>[2]</sup>,B,C<sup>[3]</sup>,D", 34, 35)
    []

    :param sentence: the sentence's raw text, markers included.
    :param start: where the quoted clause starts in it.
    :param end: where it ends.
    :returns: the reference numbers of that marker (none when the clause follows the sentence's last marker).
    """
    after = [m for m in MARKER.finditer(sentence) if m.start() >= end]
    return [int(after[0].group(1))] if after else []


def species_problems(
    np_id: str, species: Iterable[str], texts: Iterable[str], title: str | None, from_title: bool
) -> list[str]:
    """Check that each species a claim states is written where the claim may take it from.

    >>> species_problems("x-01", [str(OBO.NCBITaxon_10090)], ["小鼠肝损伤模型证实"], None, False)
    []
    >>> species_problems("x-01", [str(OBO.NCBITaxon_10090)], ["巨噬细胞"], "in mouse liver injury", True)
    []
    >>> species_problems("x-01", [str(OBO.NCBITaxon_10090)], ["巨噬细胞"], "in mouse liver injury", False)[0][:35]
    'x-01: states obo:NCBITaxon_10090, w'

    :param np_id: the nanopublication's id, for the message.
    :param species: the claim's ``msc:species`` IRIs.
    :param texts: the sentences its citation marker covers (its own sentence for an uncited claim).
    :param title: the cited reference's title, or ``None`` for an uncited claim.
    :param from_title: whether the provenance says ``msc:contextFromReferenceTitle true``.
    :returns: one problem per species written in neither place it may come from.
    """
    joined = " ".join(texts)
    problems = []
    for iri in sorted(species):
        words, pattern = SPECIES_WORDS.get(iri, ((), re.compile(r"(?!)")))
        curie = "obo:" + iri.rsplit("/", 1)[-1]
        if any(w in joined for w in words):
            continue
        if from_title and title and pattern.search(title):
            continue
        problems.append(
            f"{np_id}: states {curie}, which neither the sentences its marker covers say ({'/'.join(words)}) nor, "
            "flagged msc:contextFromReferenceTitle true, the cited reference's title"
        )
    return problems
