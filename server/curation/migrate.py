"""``msckg nanopub migrate``: rewrite source files to the nanopub conventions; re-runnable, idempotent.

What it changes, as text so that it works on every kind of file (TriG, Turtle, SPARQL, Markdown, fixtures that
do not parse on purpose):

* the four graphs of a nanopublication, formerly ``graph/<part>/<id>`` (``mscgh:``, ``mscga:``, ``mscgp:``,
  ``mscgi:``), become ``np/<id>/<part>``; the four prefix declarations go;
* ``dcterms:created "YYYY-MM-DD"^^xsd:date`` becomes ``"YYYY-MM-DDT00:00:00Z"^^xsd:dateTime`` (the network
  expects a dateTime; the time of day was never recorded);
* with ``curator``, ``dcterms:creator mscag:msckg-curation-team`` becomes ``dcterms:creator <ORCID iD>``.

TriG and Turtle files under ``instances/`` are then rewritten canonically (``msckg fmt``). Running it again on
migrated files changes nothing.
"""

import re
from collections.abc import Iterable
from pathlib import Path

from server.curation.fmt import format_files
from server.namespaces import LEGACY_NANOPUB_GRAPHS, MSCNP

#: Files the migration reads; others below the given folders are left alone.
SUFFIXES = (".trig", ".ttl", ".rq", ".md", ".py")
_PARTS = "head|assertion|provenance|pubinfo"
_ID = r"[a-z0-9]+(?:[-.][a-z0-9]+)*"
_FULL = re.compile(rf"{re.escape(LEGACY_NANOPUB_GRAPHS)}({_PARTS})/({_ID})\b")
_PREFIXED = re.compile(rf"(?<![\w:/<])mscg([hapi]):({_ID})(?![\w-])")
_DECLARATION = re.compile(r"^(?:@prefix|PREFIX) mscg[hapi]: <[^>]*>\s*\.?[ \t]*\n", re.MULTILINE)
_DATE = re.compile(r'(dcterms:created\s+)"(\d{4}-\d{2}-\d{2})"\^\^xsd:date\b(?!Time)')
_TEAM = "dcterms:creator mscag:msckg-curation-team"
_PART_OF = {"h": "head", "a": "assertion", "p": "provenance", "i": "pubinfo"}


def migrate_text(text: str, curator: str | None = None) -> str:
    """Rewrite one file's text (see the module's list).

    :param text: the file's content.
    :param curator: ORCID iD IRI to name as creator instead of the team, or ``None`` to keep creators.
    :returns: the new content.

    >>> migrate_text("mscgh:s2-1-03 { mscnp:s2-1-03 a np:Nanopublication . }")
    '<https://w3id.org/msc-liver/np/s2-1-03/head> { mscnp:s2-1-03 a np:Nanopublication . }'
    >>> migrate_text('x dcterms:created "2026-11-26"^^xsd:date .')
    'x dcterms:created "2026-11-26T00:00:00Z"^^xsd:dateTime .'
    """
    text = _DECLARATION.sub("", text)
    text = _FULL.sub(lambda m: f"{MSCNP}{m.group(2)}/{m.group(1)}", text)
    text = _PREFIXED.sub(lambda m: f"<{MSCNP}{m.group(2)}/{_PART_OF[m.group(1)]}>", text)
    text = _DATE.sub(lambda m: f'{m.group(1)}"{m.group(2)}T00:00:00Z"^^xsd:dateTime', text)
    if curator:
        text = text.replace(_TEAM, f"dcterms:creator <{curator}>")
    return text


def migrate(paths: Iterable[Path], canonical: Iterable[Path], curator: str | None = None) -> list[Path]:
    """Migrate files in place, then write the canonical ones canonically.

    :param paths: files or folders to migrate (folders: every file with a suffix of :data:`SUFFIXES`).
    :param canonical: folders whose TriG/Turtle files are kept in ``msckg fmt`` form.
    :param curator: see :func:`migrate_text`.
    :returns: the files whose text changed.
    :raises ValueError: if ``curator`` is not an IRI under ``https://orcid.org/``.
    :raises LoadError: if a canonical file does not parse after the rewrite.
    """
    if curator is not None and not curator.startswith("https://orcid.org/"):
        raise ValueError(f"the curator must be an ORCID iD IRI (https://orcid.org/…), not {curator!r}")
    changed: list[Path] = []
    for path in _files(paths):
        text = path.read_text(encoding="utf-8")
        new = migrate_text(text, curator)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    roots = [c.resolve() for c in canonical]
    formatted = [p for p in changed if p.suffix in (".trig", ".ttl") and any(r in p.resolve().parents for r in roots)]
    format_files(formatted, check=False)
    return changed


def _files(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in SUFFIXES)
        elif path.suffix in SUFFIXES:
            found.append(path)
    return [p for p in found if not any(part.startswith(".") or part in ("build", "__pycache__") for part in p.parts)]
