"""Read the terms of an OBO flat file (a downloaded ``go.obo``, ``cl.obo`` …), for ``msckg imports refresh``.

Only what an import module needs: id, name, definition, exact synonyms, namespace, obsolescence, stanza type,
and the header's ``data-version``. Format: https://owlcollab.github.io/oboformat/doc/obo-syntax.html
"""

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from server.errors import LoadError

_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"\s*(.*)$')
_ESCAPE = re.compile(r"\\(.)")


@dataclass
class OboTerm:
    """One ``[Term]`` or ``[Typedef]`` stanza."""

    id: str
    stanza: str
    name: str = ""
    definition: str | None = None
    namespace: str | None = None
    obsolete: bool = False
    exact_synonyms: list[str] = field(default_factory=list)


def read_obo(path: Path, only: Collection[str] | None = None) -> dict[str, OboTerm]:
    """Read an OBO file's ``[Term]`` and ``[Typedef]`` stanzas.

    :param path: the ``.obo`` file.
    :param only: the ids wanted (``None``: all).
    :returns: the terms by id.
    :raises LoadError: naming the line of a tag that cannot be read (an unterminated quoted value).
    """
    terms: dict[str, OboTerm] = {}
    current: OboTerm | None = None
    stanza: str | None = None
    for number, tag, value in _tags(path):
        if tag == "[":
            current, stanza = None, value
            continue
        if stanza is None:
            continue  # the header: see read_data_version
        if tag == "id":
            wanted = stanza in ("Term", "Typedef") and (only is None or value in only)
            current = OboTerm(value, stanza) if wanted else None  # unwanted stanzas are skipped, not parsed
            if current is not None:
                terms[value] = current
        elif current is not None:
            _apply(current, tag, value, path, number)
    return terms


def read_data_version(path: Path) -> str | None:
    """Return the header's ``data-version``, reading no further than the first stanza (OBO files are large).

    :param path: the ``.obo`` file.
    :returns: the version, or ``None`` if the header has none.
    """
    for _, tag, value in _tags(path):
        if tag == "[":
            return None
        if tag == "data-version":
            return value
    return None


def _tags(path: Path) -> Iterator[tuple[int, str, str]]:
    """Yield (line number, tag, value); a stanza header yields tag ``[`` and the stanza type."""
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line or line.startswith("!"):
                continue
            if line.startswith("[") and line.endswith("]"):
                yield number, "[", line[1:-1]
                continue
            tag, sep, value = line.partition(":")
            if sep:
                yield number, tag.strip(), value.strip()


def _apply(term: OboTerm, tag: str, value: str, path: Path, number: int) -> None:
    if tag == "name":
        term.name = value
    elif tag == "namespace":
        term.namespace = value
    elif tag == "is_obsolete":
        term.obsolete = value == "true"
    elif tag in ("def", "synonym"):
        match = _QUOTED.match(value)
        if not match:
            raise LoadError(path, number, f"unreadable {tag} value: {value[:60]}")
        text, rest = _ESCAPE.sub(r"\1", match.group(1)), match.group(2)
        if tag == "def":
            term.definition = text
        elif rest.split(" ", 1)[0] == "EXACT":
            term.exact_synonyms.append(text)
