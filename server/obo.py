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


@dataclass
class OboFile:
    """The header's data-version and the stanzas wanted."""

    version: str | None
    terms: dict[str, OboTerm]


def read_obo(path: Path, only: Collection[str] | None = None) -> OboFile:
    """Read an OBO file's header and stanzas.

    :param path: the ``.obo`` file.
    :param only: the ids wanted (``None``: all).
    :returns: the data-version (``None`` if the header has none) and the terms by id.
    :raises LoadError: naming the line of a tag that cannot be read (an unterminated quoted value).
    """
    version: str | None = None
    terms: dict[str, OboTerm] = {}
    current: OboTerm | None = None
    stanza: str | None = None
    for number, tag, value in _tags(path):
        if tag == "[":
            current, stanza = None, value
            continue
        if stanza is None:
            version = value if tag == "data-version" else version
        elif tag == "id":
            current = OboTerm(value, stanza) if stanza in ("Term", "Typedef") else None
            if current is not None and (only is None or value in only):
                terms[value] = current
        elif current is not None:
            _apply(current, tag, value, path, number)
    return OboFile(version, terms)


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
