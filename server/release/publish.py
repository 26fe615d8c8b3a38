"""``msckg publish``: what both transports share — credentials, the staging IRIs, the staged dump, progress.

A release is published into a store in three steps, so that the release's graphs are never half-loaded (what a
reader querying during a publish sees depends on the store: docs/deploy.md names the limits of each):

1. every quad of the release's N-Quads dump is loaded into a *staging* graph (IRIs under ``urn:x-msckg:staging:``;
   GSP: the release graph's IRI behind a fresh prefix, ``urn:x-msckg:staging:<token>:https://w3id.org/…``;
   Virtuoso: a fixed slot per graph, ``urn:x-msckg:staging:slot:<n>``), beside the graphs of the release being
   served;
2. one transaction then drops every graph the project owns (IRIs under ``https://w3id.org/msc-liver/``: the
   previous release's, whatever it held) and renames each staging graph to its release IRI;
3. nothing staged is left (a failed run drops what it staged).

The transports (:mod:`server.release.gsp`, :mod:`server.release.virtuoso`) differ in how they load and switch.
Credentials come from ``MSCKG_STORE_USER`` / ``MSCKG_STORE_PASSWORD`` or a file, never from the command line.
"""

import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from server.errors import LoadError, SetupError
from server.namespaces import BASE
from server.release.layout import DUMP_FILE

#: Staging graph IRIs start with this, then a token per publish run.
STAGING = "urn:x-msckg:staging:"
#: The graphs a publish replaces: every graph whose IRI starts with the project's namespace.
OWNED = BASE
#: Environment variables (and keys of a credentials file) that hold the store's account.
USER_VARIABLE = "MSCKG_STORE_USER"
PASSWORD_VARIABLE = "MSCKG_STORE_PASSWORD"  # noqa: S105 - the variable's name, not a password

#: Receives one line of progress at a time.
Progress = Callable[[str], None]


@dataclass(frozen=True)
class Credentials:
    """An account on the store; the password never appears in ``repr`` or messages."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def load(cls, file: Path | None = None) -> "Credentials":
        """Read the account from a file (``MSCKG_STORE_USER=…`` / ``MSCKG_STORE_PASSWORD=…`` lines) or the environment.

        :param file: a credentials file, or ``None`` for the environment only.
        :returns: the account (either part may be missing).
        :raises LoadError: if the file cannot be read or has a line that is not ``NAME=value``.
        """
        values = {USER_VARIABLE: os.environ.get(USER_VARIABLE), PASSWORD_VARIABLE: os.environ.get(PASSWORD_VARIABLE)}
        if file is not None:
            try:
                lines = file.read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise LoadError(file, None, f"cannot read the credentials file: {exc.strerror or exc}") from exc
            for number, line in enumerate(lines, 1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                name, sep, value = line.partition("=")
                if not sep or name.strip() not in values:
                    raise LoadError(file, number, f"expected {USER_VARIABLE}=… or {PASSWORD_VARIABLE}=…")
                values[name.strip()] = value.strip()
        return cls(values[USER_VARIABLE] or None, values[PASSWORD_VARIABLE] or None)

    def required(self, store: str) -> tuple[str, str]:
        """Return user and password, or say how to give them.

        :param store: the store, for the message.
        :returns: user and password.
        :raises SetupError: if either is missing.
        """
        if not self.user or not self.password:
            raise SetupError(
                f"{store} needs an account: set {USER_VARIABLE} and {PASSWORD_VARIABLE} "
                "(or give --credentials FILE); a password is never taken on the command line"
            )
        return self.user, self.password


@dataclass
class PublishResult:
    """What a publish run loaded, and how long each step took."""

    target: str
    quads: int
    graphs: int
    timings: dict[str, float] = field(default_factory=dict)


def staging_prefix() -> str:
    """Return a fresh staging prefix for one publish run.

    :returns: ``urn:x-msckg:staging:<token>:``.
    """
    return f"{STAGING}{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}:"


def release_dump(release: Path) -> Path:
    """Return the N-Quads dump of a release folder.

    :param release: the release folder (``build/current`` or one of ``build/releases/``).
    :returns: its ``msc-liver.nq``.
    :raises LoadError: if there is none.
    """
    dump = release / DUMP_FILE
    if not dump.is_file():
        raise LoadError(release, None, f"not a release folder (no {DUMP_FILE}); run 'msckg build'")
    return dump


def staged_batches(dump: Path, stage: Callable[[str], str], size: int,
                   graphs: dict[str, str]) -> Iterator[tuple[bytes, int]]:  # fmt: skip
    """Read a release dump and yield it as N-Quads batches whose graphs carry their staging names.

    :param dump: the release's N-Quads dump.
    :param stage: a release graph's staging IRI, asked once per graph in the order the dump first names them.
    :param size: quads per batch.
    :param graphs: filled with each release graph IRI met and its staging IRI.
    :returns: an iterator of (N-Quads bytes, quads in them).
    :raises LoadError: if the dump does not parse or holds a triple outside every named graph.
    """
    renamed: dict[str, ox.NamedNode] = {}
    batch: list[ox.Quad] = []
    try:
        for quad in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode):
                raise LoadError(dump, None, f"a triple outside every named graph cannot be staged: {quad}")
            target = renamed.get(graph.value)
            if target is None:
                graphs[graph.value] = stage(graph.value)
                target = renamed[graph.value] = ox.NamedNode(graphs[graph.value])
            batch.append(ox.Quad(quad.subject, quad.predicate, quad.object, target))
            if len(batch) == size:
                yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS) or b"", len(batch)
                batch = []
    except SyntaxError as exc:
        raise LoadError(dump, None, f"the release dump does not parse: {exc}") from exc
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS) or b"", len(batch)


def sparql_switch(prefix: str) -> str:
    """Return the SPARQL 1.1 Update that makes staged graphs the release's: one request, one transaction.

    :param prefix: the staging prefix of this run.
    :returns: the update text (drop every owned graph, rename every staged graph, drop the staged copies).

    >>> print(sparql_switch("urn:x-msckg:staging:t:").splitlines()[1][:60])
    INSERT { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?staged { ?s
    """
    staged = f'GRAPH ?staged {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?staged), "{prefix}"))'
    return (
        f"{_delete_graphs(OWNED)} ;\n"
        f"INSERT {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {staged} "
        f'BIND(IRI(STRAFTER(STR(?staged), "{prefix}")) AS ?g) }} ;\n'
        f"DELETE {{ GRAPH ?staged {{ ?s ?p ?o }} }} WHERE {{ {staged} }}"
    )


def sparql_discard(prefix: str) -> str:
    """Return the SPARQL 1.1 Update that removes the staged graphs of a failed run.

    :param prefix: the staging prefix of that run.
    :returns: the update text.
    """
    return _delete_graphs(prefix)


def _delete_graphs(prefix: str) -> str:
    where = f'GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{prefix}"))'
    return f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {where} }}"


class Timer:
    """Times the steps of a publish run and reports each as a line of progress."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.started = time.perf_counter()

    def step(self, name: str, action: Callable[[], object]) -> None:
        """Run one step and record its time.

        :param name: the step's name (``load``, ``switch`` …).
        :param action: what it does.
        """
        start = time.perf_counter()
        action()
        self.timings[name] = round(time.perf_counter() - start, 3)
        self.progress(f"{name}: done in {self.timings[name]:.1f} s")

    def finish(self) -> dict[str, float]:
        """Return the step timings with the total.

        :returns: seconds per step, and ``total``.
        """
        self.timings["total"] = round(time.perf_counter() - self.started, 3)
        return self.timings
