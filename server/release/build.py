"""``msckg build``: load → SHACL → QC gates → HermiT → a versioned release, published atomically.

Each release is written into its own folder under ``build/releases/`` and only then made current by
atomically replacing the ``build/current`` symlink, so a failing validation or an inconsistent ontology
never replaces the last good release (ODK's ``--output $@.tmp.owl && mv``).
"""

import datetime as dt
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rdflib import Graph

from server import __version__
from server.checks.qc import gate_files, run_gates
from server.checks.reason import reason
from server.checks.shacl import validate
from server.checks.terms import term_problems
from server.config import ProjectPaths
from server.curation.load import Loaded, load_project
from server.errors import ValidationFailed
from server.release.export import FILES, render
from server.release.layout import (
    INFERRED_FILE,
    INFO_FILE,
    RELEASE_FILES,
    RELEASE_MEDIA_TYPES,
    SHAPES_FILE,
    VOID_FILE,
    current_release,
)
from server.release.void import void_graph

#: How many older releases to keep next to the current one.
KEEP_RELEASES = 3

T = TypeVar("T")


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


def build(paths: ProjectPaths, version: str | None = None) -> BuildResult:
    """Build and publish a release; on any failure the current release stays as it was.

    :param paths: the project's folders.
    :param version: release date ``YYYY-MM-DD`` (default: today, UTC).
    :returns: the new release.
    :raises LoadError: if a source file does not parse.
    :raises ValidationFailed: on a SHACL violation, a QC gate row (the report names file, node, shape) or a
        wrong external identifier (named with the label its source gives).
    :raises InconsistentOntology: if HermiT finds an inconsistency or an unsatisfiable class.
    """
    version = version or dt.datetime.now(dt.UTC).date().isoformat()
    timings: dict[str, float] = {}
    total = time.perf_counter()
    loaded = _timed(timings, "load", lambda: load_project(paths))
    report = _timed(timings, "shacl", lambda: validate(loaded))
    if not report.conforms:
        raise ValidationFailed(f"SHACL: {len(report.results)} result(s); nothing published", report.to_text())
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
    reasoning = _timed(timings, "reason", lambda: reason(loaded))
    target = _timed(timings, "write", lambda: _write_release(paths, loaded, reasoning.inferred, version))
    timings["total"] = round(time.perf_counter() - total, 3)
    quads = sum(len(g) for g in loaded.data_graphs())
    checked = f"source tables in {tables}" if tables else "import modules only (no source tables found)"
    info = {"version": version, "software": __version__, "quads": quads, "identifiers_checked_against": checked,
            "timings_s": timings}  # fmt: skip
    (target / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    _publish(paths, target)
    return BuildResult(target, version, quads, timings, tables)


def _write_release(paths: ProjectPaths, loaded: Loaded, inferred: Graph, version: str) -> Path:
    releases = paths.build / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    work = releases / f".{version}-{stamp}.tmp"
    work.mkdir()
    try:
        for name, content in render(loaded, [f for f in FILES if f != "void"], version).items():
            (work / name).write_bytes(content)
        inferred.serialize(work / INFERRED_FILE, format="turtle", encoding="utf-8")
        loaded.shapes_graph().serialize(work / SHAPES_FILE, format="turtle", encoding="utf-8")
        files = [(name, RELEASE_MEDIA_TYPES[name]) for name in RELEASE_FILES if name != VOID_FILE]
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


def _publish(paths: ProjectPaths, target: Path) -> None:
    link = current_release(paths)
    tmp_link = paths.build / ".current.tmp"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(target.relative_to(paths.build))
    os.replace(tmp_link, link)
    releases = sorted((p for p in (paths.build / "releases").iterdir() if not p.name.startswith(".")), reverse=True)
    keep = {target.resolve()} | {p.resolve() for p in releases[:KEEP_RELEASES]}
    for old in releases:
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)
