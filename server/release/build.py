"""``msckg build``: load → SHACL → QC gates → HermiT → a versioned release, published atomically.

Each release is written into its own folder under ``build/releases/`` and only then made current by
atomically replacing the ``build/current`` symlink, so a failing validation or an inconsistent ontology
never replaces the last good release (ODK's ``--output $@.tmp.owl && mv``).
"""

import datetime as dt
import json
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rdflib import Graph, URIRef

from server import __version__
from server.checks.agents import agent_problems
from server.checks.policy import project_shapes
from server.checks.qc import gate_files, run_gates
from server.checks.reason import reason, reason_with_mappings
from server.checks.shacl import validate
from server.checks.terms import term_problems
from server.config import ProjectPaths
from server.curation.ledger import project_ledger
from server.curation.load import Loaded, load_project
from server.errors import LoadError, ValidationFailed
from server.iris import NANOPUB_PARTS, graph_kind
from server.namespaces import PREFIXES
from server.release.export import FILES, render
from server.release.inferred import add_inferred_graph
from server.release.layout import (
    INFERRED_FILE,
    INFO_FILE,
    NANOPUBS_FILE,
    RELEASE_FILES,
    RELEASE_MEDIA_TYPES,
    SHAPES_FILE,
    VOID_FILE,
    publish_release,
    release_lock,
)
from server.release.nanopubs.rdfio import to_trig
from server.release.void import void_graph

#: How many violations the one-line failure names (all of them go to the full report, ``-v``).
FIRST_SHOWN = 3

T = TypeVar("T")
_PREFIXES = {prefix: str(ns) for prefix, ns in PREFIXES.items()}


@dataclass
class BuildResult:
    """What a successful build produced and how long each stage took."""

    release_dir: Path
    version: str
    quads: int
    timings: dict[str, float] = field(default_factory=dict)
    #: Source tables the external identifiers were checked against (``None``: import modules only).
    reference: Path | None = None


def _timed(timings: dict[str, float], stage: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    timings[stage] = round(time.perf_counter() - start, 3)
    return result


def check_version(version: str) -> str:
    """Accept a release version only as a real calendar date ``YYYY-MM-DD`` (it names a folder and an IRI).

    :param version: the candidate.
    :returns: the version.
    :raises ValueError: for anything else (``2026-13-45``, ``not a date``, a path).

    >>> check_version("2026-01-31")
    '2026-01-31'
    >>> check_version("../../evil")
    Traceback (most recent call last):
    ...
    ValueError: '../../evil' is not a date YYYY-MM-DD
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", version):
        raise ValueError(f"{version!r} is not a date YYYY-MM-DD")
    try:
        dt.date.fromisoformat(version)
    except ValueError:
        raise ValueError(f"{version!r} is not a real date (YYYY-MM-DD)") from None
    return version


def _first(items: list[str]) -> str:
    shown = "; ".join(items[:FIRST_SHOWN])
    return shown + (f"; … {len(items) - FIRST_SHOWN} more (-v for all)" if len(items) > FIRST_SHOWN else "")


def build(paths: ProjectPaths, version: str | None = None, *, derive: Callable[[Loaded], None]) -> BuildResult:
    """Build and publish a release; on any failure the current release stays as it was.

    :param paths: the project's folders.
    :param version: release date ``YYYY-MM-DD`` (default: today, UTC).
    :param derive: adds the derived graph to the checked data (the path engine's, which sits above this layer:
        :func:`server.engine.derived.add_derived_graph`).
    :returns: the new release.
    :raises LoadError: if a source file does not parse.
    :raises ValidationFailed: on a SHACL violation, a QC gate row (the report names file, node, shape), a
        wrong external identifier (named with the label its source gives) or a creator who is not a named
        curator of ``instances/agents.ttl`` (a placeholder ORCID iD is refused).
    :raises InconsistentOntology: if HermiT finds an inconsistency or an unsatisfiable class, in the ontology
        and data or in their merge with every SSSOM exactMatch as an equivalence.
    :raises LoadError: for a version that is not a real date.
    """
    try:
        version = check_version(version or dt.datetime.now(dt.UTC).date().isoformat())
    except ValueError as exc:
        raise LoadError("--version", None, str(exc)) from exc
    timings: dict[str, float] = {}
    total = time.perf_counter()
    loaded = _timed(timings, "load", lambda: load_project(paths))
    report = _timed(timings, "shacl", lambda: validate(loaded))
    if not report.conforms:
        located = [f"{v.file or v.graph}: {v.focus} ({v.shape}): {v.message}" for v in report.results
                   if v.severity == "Violation"]  # fmt: skip
        raise ValidationFailed(
            f"SHACL: {len(report.results)} result(s); nothing published; first: {_first(located)}", report.to_text()
        )
    ledger = _timed(timings, "ledger", lambda: project_ledger(loaded, paths.source_text))
    if ledger.problems:
        raise ValidationFailed(
            f"ledger against {paths.source_text}: {len(ledger.problems)} problem(s); nothing published; "
            f"first: {_first(ledger.problems)}",
            "\n".join(ledger.problems),
        )
    failures = _timed(timings, "qc", lambda: run_gates(loaded, gate_files(paths.queries)))
    if failures:
        text = "\n".join(map(str, failures))
        raise ValidationFailed(f"QC gates: {len(failures)} row(s); nothing published; first: {failures[0]}", text)
    tables = paths.reference_tables if paths.reference_tables.is_dir() else None
    problems = _timed(timings, "terms", lambda: term_problems(loaded, paths.term_kinds, tables))
    if problems:
        raise ValidationFailed(
            f"external identifiers: {len(problems)} problem(s); nothing published; first: {problems[0]}",
            "\n".join(problems),
        )
    curators = _timed(timings, "agents", lambda: agent_problems(loaded))
    if curators:
        raise ValidationFailed(f"curators: {len(curators)} problem(s); nothing published; first: {curators[0]}",
                               "\n".join(curators))  # fmt: skip
    reasoning = _timed(timings, "reason", lambda: reason(loaded))
    _timed(timings, "merge", lambda: reason_with_mappings(loaded))
    _timed(timings, "derive", lambda: derive(loaded))
    _timed(timings, "entail", lambda: add_inferred_graph(loaded, reasoning.inferred))
    quads = sum(len(g) for g in loaded.data_graphs())
    checked = f"source tables in {tables}" if tables else "import modules only (no source tables found)"
    with release_lock(paths):
        target = _timed(timings, "write", lambda: _write_release(paths, loaded, reasoning.inferred, version))
        timings["total"] = round(time.perf_counter() - total, 3)
        info = {"version": version, "software": __version__, "quads": quads,
                "identifiers_checked_against": checked, "timings_s": timings}  # fmt: skip
        (target / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        publish_release(paths, target)
    return BuildResult(target, version, quads, timings, tables)


def _write_release(paths: ProjectPaths, loaded: Loaded, inferred: Graph, version: str) -> Path:
    releases = paths.build / "releases"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    work = releases / f".{version}-{stamp}.tmp"
    work.mkdir()
    try:
        for name, content in render(loaded, [f for f in FILES if f != "void"], version).items():
            (work / name).write_bytes(content)
        nanopub_graphs = [g for g in loaded.data_graphs() if graph_kind(URIRef(g.identifier)) in NANOPUB_PARTS]
        nanopub_quads = [(URIRef(g.identifier), s, p, o) for g in nanopub_graphs for s, p, o in g]
        (work / NANOPUBS_FILE).write_text(to_trig(nanopub_quads, _PREFIXES), encoding="utf-8")
        inferred.serialize(work / INFERRED_FILE, format="turtle", encoding="utf-8")
        project_shapes(loaded).serialize(work / SHAPES_FILE, format="turtle", encoding="utf-8")
        files = [(name, RELEASE_MEDIA_TYPES[name]) for name in RELEASE_FILES if (work / name).is_file()]
        void_graph(loaded, version, files).serialize(work / VOID_FILE, format="turtle", encoding="utf-8")
        (work / "queries").mkdir()
        for cq in sorted((paths.queries / "cq").glob("*.rq")):
            shutil.copy(cq, work / "queries" / cq.name)
        final = releases / f"{version}-{stamp}"
        work.rename(final)
        return final
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
