"""``msckg``: a thin click group over the library; errors become one line on stderr and an exit code.

Exit codes (pySHACL's convention): 0 OK; 1 the data do not conform (SHACL violation, QC row,
inconsistency); 2 usage or load error. ``--traceback`` shows the Python traceback, for developers.
"""

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import click

from server import __version__
from server.config import DEFAULT_MAX_PATHS, DEFAULT_PATH_LENGTH, MAX_PATH_LENGTH, ProjectPaths, project_paths
from server.errors import InconsistentOntology, LoadError, MsckgError, SetupError, ValidationFailed

EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_USAGE = 2

#: ``msckg export --format`` choices (``server.release.export.FORMATS``, spelled here so --help stays fast).
EXPORT_FORMATS = ("trig", "nquads", "turtle", "jsonld", "csv", "kgx", "sssom", "void", "all")

ROOT_OPTION = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: $MSCKG_ROOT or this checkout).",
)


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"msckg: error: {message}", err=True)
    sys.exit(code)


def run_guarded(ctx: click.Context, action: Callable[[], Any]) -> Any:
    """Run ``action``; turn project errors and file-system errors into one stderr line and the documented exit code.

    :param ctx: the click context (reads ``--traceback``).
    :param action: the library call.
    :returns: what ``action`` returns.
    """
    try:
        return action()
    except MsckgError as exc:
        if ctx.obj and ctx.obj.get("traceback"):
            raise
        if isinstance(exc, ValidationFailed | InconsistentOntology):
            if isinstance(exc, ValidationFailed) and ctx.obj and ctx.obj.get("verbose"):
                click.echo(exc.report, err=True)
            _fail(str(exc), EXIT_NONCONFORMING)
        code = EXIT_USAGE if isinstance(exc, LoadError | SetupError) else EXIT_NONCONFORMING
        _fail(str(exc), code)
    except OSError as exc:
        if ctx.obj and ctx.obj.get("traceback"):
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{where}{exc.strerror or exc}", EXIT_USAGE)


EXIT_INTERRUPTED = 130


class _Group(click.Group):
    """The command group, but Ctrl-C is one line on stderr and exit 130 (128 + SIGINT), as shells expect."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D102 - click's entry point, same contract
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("msckg: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        sys.exit(result if isinstance(result, int) else EXIT_OK)


def _release_version(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Accept ``--version`` only as a real date ``YYYY-MM-DD`` (it names a folder and an IRI)."""
    if value is None:
        return None
    from server.release.build import check_version

    try:
        return check_version(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


VERSION_OPTION = click.option(
    "--version", "version", default=None, callback=_release_version, help="Release date YYYY-MM-DD (default: today)."
)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="msckg")
@click.option("-v", "--verbose", is_flag=True, help="Print full reports on failure.")
@click.option("--traceback", is_flag=True, hidden=True, help="Show Python tracebacks (developers).")
@click.pass_context
def main(ctx: click.Context, verbose: bool, traceback: bool) -> None:
    """MSC-Liver KG: build, check and explore the knowledge graph of BM-MSCs in liver failure."""
    ctx.ensure_object(dict)
    ctx.obj.update(verbose=verbose, traceback=traceback)


def _paths(root: Path | None) -> ProjectPaths:
    return project_paths(root)


@main.command("build")
@ROOT_OPTION
@VERSION_OPTION
@click.pass_context
def build_cmd(ctx: click.Context, root: Path | None, version: str | None) -> None:
    """Validate, reason and publish a release into build/ (the last good one stays on failure)."""
    from server.engine.derived import add_derived_graph
    from server.release.build import build

    result = run_guarded(ctx, lambda: build(_paths(root), version, derive=add_derived_graph))
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    click.echo(f"release {result.version}: {result.quads} quads -> {result.release_dir} ({stages})")
    if result.reference is None:
        click.echo(
            "warning: no source tables found (MSCKG_REFERENCE); identifiers checked against the import modules only",
            err=True,
        )


@main.command("validate")
@ROOT_OPTION
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.pass_context
def validate_cmd(ctx: click.Context, root: Path | None, files: tuple[Path, ...], fmt: str) -> None:
    """Validate the project, or the given TriG/Turtle/N-Quads FILES, against the project's shapes."""
    from server.checks.shacl import validate, validate_files
    from server.curation.load import load_project

    paths = _paths(root)
    report = run_guarded(ctx, lambda: validate_files(paths, files) if files else validate(load_project(paths)))
    rendered = {"text": report.to_text, "turtle": report.to_turtle, "json": report.to_json}[fmt]()
    click.echo(rendered)
    sys.exit(EXIT_OK if report.conforms else EXIT_NONCONFORMING)


@main.command("reason")
@ROOT_OPTION
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the inferred axioms (default: build/inferred.ttl).",
)
@click.pass_context
def reason_cmd(ctx: click.Context, root: Path | None, output: Path | None) -> None:
    """Check consistency with HermiT; name unsatisfiable classes; write the inferred axioms."""
    from server.checks.reason import reason, write_inferred
    from server.curation.load import load_project

    paths = _paths(root)
    target = output or paths.build / "inferred.ttl"
    result = run_guarded(ctx, lambda: reason(load_project(paths)))
    run_guarded(ctx, lambda: write_inferred(result, target))
    click.echo(
        f"consistent: {result.classes} classes, {result.individuals} individuals; "
        f"{len(result.inferred)} inferred triples -> {target}"
    )


@main.command("stats")
@ROOT_OPTION
@click.pass_context
def stats_cmd(ctx: click.Context, root: Path | None) -> None:
    """Count instances per class, triples per predicate, graphs per kind, claims per reference."""
    from server.curation.load import load_project
    from server.release.stats import compute

    stats = run_guarded(ctx, lambda: compute(load_project(_paths(root))))
    click.echo(stats.to_text(), nl=False)


@main.command("export")
@ROOT_OPTION
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="all", show_default=True,
              help="What to export.")  # fmt: skip
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default: build/exports/).",
)
@VERSION_OPTION
@click.pass_context
def export_cmd(ctx: click.Context, root: Path | None, fmt: str, output: Path | None, version: str | None) -> None:
    """Export TriG, N-Quads, ontology Turtle, JSON-LD, a CSV of assertions, KGX, SSSOM and VoID/DCAT."""
    from server.checks.reason import reason
    from server.curation.load import Loaded, load_project
    from server.engine.derived import add_derived_graph
    from server.release.export import WHOLE_DATASET, export
    from server.release.inferred import add_inferred_graph

    paths = _paths(root)
    target = output or paths.build / "exports"
    chosen = version or dt.datetime.now(dt.UTC).date().isoformat()

    def computed() -> Loaded:
        """Load the data and, for the formats that hold every graph, add the computed ones in the build's order."""
        loaded = load_project(paths)
        if fmt in (*WHOLE_DATASET, "all"):  # the reasoner takes seconds and Java: only where its answer is written
            inferred = reason(loaded).inferred
            add_derived_graph(loaded)
            add_inferred_graph(loaded, inferred)
        return loaded

    files = run_guarded(ctx, lambda: export(computed(), fmt, target, chosen))
    for path in files:
        click.echo(path)


@main.command("fmt")
@ROOT_OPTION
@click.option("--check", is_flag=True, help="Only list files that are not canonical; exit 1 if any.")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def fmt_cmd(ctx: click.Context, root: Path | None, check: bool, files: tuple[Path, ...]) -> None:
    """Rewrite ontology/, instances/ and shapes/ (or FILES) in the one canonical Turtle/TriG form."""
    from server.curation.fmt import format_files
    from server.curation.load import source_files

    targets = list(files) or source_files(_paths(root))
    changed = run_guarded(ctx, lambda: format_files(targets, check))
    for path in changed:
        click.echo(f"{'would reformat' if check else 'reformatted'} {path}")
    if check and changed:
        _fail(f"{len(changed)} file(s) not canonical; run 'msckg fmt'", EXIT_NONCONFORMING)


@main.group("imports")
def imports_group() -> None:
    """Manage the import modules of external terms (ontology/imports/)."""


@imports_group.command("refresh")
@ROOT_OPTION
@click.option(
    "--from",
    "source_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of source tables or <src>.obo releases (default: ../shared/reference, or MSCKG_REFERENCE).",
)
@click.pass_context
def imports_refresh_cmd(ctx: click.Context, root: Path | None, source_dir: Path | None) -> None:
    """Regenerate <src>_terms.tsv and <src>_import.ttl for every external term the project uses."""
    from server.curation.load import load_project
    from server.links.imports import refresh

    paths = _paths(root)
    reference = source_dir or paths.reference_tables
    counts = run_guarded(ctx, lambda: refresh(load_project(paths), paths, reference))
    click.echo(", ".join(f"{src} {n}" for src, n in counts.items()))


@main.command("ledger")
@ROOT_OPTION
@click.option(
    "--source",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The review's text (default: $MSCKG_SOURCE_TEXT or sources/qi-2024-review.txt).",
)
@click.option("--write", is_flag=True, help="Write docs/curation-ledger.md.")
@click.pass_context
def ledger_cmd(ctx: click.Context, root: Path | None, source: Path | None, write: bool) -> None:
    """Check that every sentence and citation marker of the review is carried by a nanopublication."""
    from server.curation.ledger import project_ledger, write_ledger
    from server.curation.load import load_project

    paths = _paths(root)
    ledger = run_guarded(ctx, lambda: project_ledger(load_project(paths), source or paths.source_text))
    if write:
        run_guarded(ctx, lambda: write_ledger(ledger, paths.root))
    covered = sum(1 for s in ledger.sentences if s.nanopubs)
    click.echo(
        f"{covered}/{len(ledger.sentences)} sentences and "
        f"{sum(1 for ids in ledger.marker_nanopubs.values() if ids)}/{len(ledger.marker_nanopubs)} "
        "citation markers carried"
    )
    for problem in ledger.problems:
        click.echo(problem, err=True)
    if ledger.problems:
        sys.exit(EXIT_NONCONFORMING)


@main.group("nanopub")
def nanopub_group() -> None:
    """Nanopublications for the nanopub network: check, sign, compare and publish releases."""


@nanopub_group.command("migrate")
@ROOT_OPTION
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--curator", default=None, help="ORCID iD IRI to name as dcterms:creator instead of the curation team.")
@click.pass_context
def nanopub_migrate_cmd(ctx: click.Context, root: Path | None, paths: tuple[Path, ...], curator: str | None) -> None:
    """Rewrite sources to the nanopub IRI layout (np/<id>/<part>) and dateTime creation dates; re-runnable.

    Default PATHS: instances/, shapes/, queries/, tests/data/, docs/, benchmarks/ of the project.
    """
    from server.curation.migrate import migrate

    project = _paths(root)
    targets = list(paths) or [project.root / d for d in ("instances", "shapes", "queries", "tests/data", "docs",
                                                          "benchmarks") if (project.root / d).is_dir()]  # fmt: skip
    changed = run_guarded(ctx, lambda: migrate(targets, [project.instances], curator))
    for path in changed:
        click.echo(f"migrated {path}")
    click.echo(f"{len(changed)} file(s) changed")


@nanopub_group.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_context
def nanopub_check_cmd(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Check that every nanopublication in FILES (or folders) is one the network accepts.

    Exit 0 if all are valid, 1 if one is not, 2 if a file cannot be read.
    """
    from server.release.nanopubs.check import check_paths

    results = run_guarded(ctx, lambda: check_paths(files))
    worst = EXIT_OK
    for result in results:
        if isinstance(result, MsckgError):
            click.echo(f"{result}: unreadable", err=True)
            worst = EXIT_USAGE
            continue
        for line in result.lines():
            click.echo(line)
        if not result.valid:
            worst = max(worst, EXIT_NONCONFORMING)
    valid = sum(1 for r in results if not isinstance(r, MsckgError) and r.valid)
    click.echo(f"{valid}/{len(results)} file(s) valid", err=True)
    sys.exit(worst)


PROFILE_OPTION = click.option(
    "--profile",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The signer's nanopub profile (default: $NANOPUB_PROFILE or ~/.nanopub/profile.yml).",
)
PLACEHOLDER_OPTION = click.option(
    "--allow-placeholder", is_flag=True, help="Accept a placeholder ORCID iD (tests and local test servers only)."
)


@nanopub_group.command("sign")
@ROOT_OPTION
@PROFILE_OPTION
@click.option("--release", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Release folder to sign (default: build/current).")  # fmt: skip
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The last release's msc-liver.signed.trig (default: the newest other release's).")  # fmt: skip
@PLACEHOLDER_OPTION
@click.pass_context
def nanopub_sign_cmd(
    ctx: click.Context, root: Path | None, profile: Path | None, release: Path | None, previous: Path | None,
    allow_placeholder: bool,
) -> None:  # fmt: skip
    """Sign the release's nanopublications (trusty URIs, RSA) into a new current release."""
    from server.release.nanopubs.profile import load_profile
    from server.release.nanopubs.sign import sign_release

    paths = _paths(root)
    signer = run_guarded(ctx, lambda: load_profile(profile))
    result = run_guarded(ctx, lambda: sign_release(paths, signer, release, previous, allow_placeholder))
    for old, new in result.superseded:
        click.echo(f"supersedes {old} with {new}")
    for old, retraction in result.retracted:
        click.echo(f"retracts {old} by {retraction}")
    click.echo(
        f"{len(result.signed)} signed, {result.kept} kept, {len(result.superseded)} superseded, "
        f"{len(result.retracted)} retracted; {result.total} signed nanopublications -> {result.release_dir}"
    )


@nanopub_group.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def nanopub_diff_cmd(ctx: click.Context, old: Path, new: Path) -> None:
    """List what the signed release NEW supersedes, retracts and adds against OLD (msc-liver.signed.trig files)."""
    from server.release.nanopubs.versions import diff, history_of

    result = run_guarded(ctx, lambda: diff(history_of(old), history_of(new)))
    for line in result.lines():
        click.echo(line)


@nanopub_group.command("publish")
@ROOT_OPTION
@click.option("--server", "server_url", required=True, help="The nanopub server's URL.")
@click.option("--release", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Signed release folder (default: build/current).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Check and list what would be sent; send nothing.")
@PLACEHOLDER_OPTION
@click.pass_context
def nanopub_publish_cmd(
    ctx: click.Context, root: Path | None, server_url: str, release: Path | None, dry_run: bool,
    allow_placeholder: bool,
) -> None:  # fmt: skip
    """Post the release's signed nanopublications to a nanopub server (all checked first)."""
    from server.release.layout import SIGNED_FILE, current_release
    from server.release.nanopubs.publish import publish

    signed = (release or current_release(_paths(root))) / SIGNED_FILE
    result = run_guarded(ctx, lambda: publish(signed, server_url, dry_run, allow_placeholder))
    verb = "would send" if dry_run else "sent"
    for iri in result.sent:
        click.echo(f"{verb} {iri}")
    click.echo(f"{len(result.sent)} nanopublication(s) {verb} to {result.server}")


#: ``--release`` of the commands that read a built release (paths, contradictions).
RELEASE_OPTION = click.option("--release", type=click.Path(file_okay=False, path_type=Path), default=None,
                              help="Release folder (default: build/current).")  # fmt: skip
#: ``--store`` of the commands that can ask a SPARQL endpoint instead.
STORE_OPTION = click.option("--store", metavar="URL", default=None,
                            help="Ask this SPARQL endpoint instead of the release's dump.")  # fmt: skip


@main.command("paths")
@ROOT_OPTION
@click.argument("source", metavar="FROM")
@click.argument("target", metavar="TO")
@click.option(
    "--max-length",
    type=click.IntRange(1, MAX_PATH_LENGTH),
    default=DEFAULT_PATH_LENGTH,
    show_default=True,
    help="Longest path, in claims.",
)
@click.option("--same-context", is_flag=True, help="Only paths whose steps share one species and one model.")
@click.option("--species", metavar="CURIE", default=None, help="Only steps in this species (NCBITaxon:10090).")
@click.option(
    "--max-paths",
    type=click.IntRange(1),
    default=DEFAULT_MAX_PATHS,
    show_default=True,
    help="Most paths of each kind (stated, derived).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@RELEASE_OPTION
@STORE_OPTION
@click.pass_context
def paths_cmd(
    ctx: click.Context,
    root: Path | None,
    source: str,
    target: str,
    max_length: int,
    same_context: bool,
    species: str | None,
    max_paths: int,
    fmt: str,
    release: Path | None,
    store: str | None,
) -> None:
    """How does FROM affect TO: mechanism paths with composed signs, stated or derived, and their evidence.

    FROM and TO are CURIEs (CL:0002540, GO:0006954, msce:bm-msc), slugs (bm-msc) or labels in English or Chinese.
    """
    import json

    from server.config import Settings
    from server.engine.paths import Options
    from server.engine.paths_report import answer, as_json, as_text, species_iri
    from server.errors import QueryError, UnknownName

    settings = Settings.from_env(release or current_release_of(root))
    try:
        graph = run_guarded(ctx, lambda: causal_graph(settings.release, store, settings.query_timeout))
        options = Options(max_length, same_context, species_iri(species) if species else None, max_paths,
                          settings.query_timeout)  # fmt: skip
        result = answer(graph, source, target, options)
    except UnknownName as exc:
        listed = "".join(f"\n  {short_iri(iri)}  {label}" for iri, label in exc.candidates)
        _fail(f"{exc}" + (f"; candidates:{listed}" if listed else ""), EXIT_USAGE)
    except QueryError as exc:
        _fail(str(exc), EXIT_USAGE)
    if fmt == "json":
        click.echo(json.dumps(as_json(result, graph), ensure_ascii=False, indent=2))
    else:
        click.echo(as_text(result, graph), nl=False)


@main.command("contradictions")
@ROOT_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output).",
)
@RELEASE_OPTION
@STORE_OPTION
@click.pass_context
def contradictions_cmd(ctx: click.Context, root: Path | None, fmt: str, output: Path | None, release: Path | None,
                       store: str | None) -> None:  # fmt: skip
    """List the claims that disagree (opposite signs, or a null result against an effect), with both sources."""
    import json

    from server.config import Settings
    from server.engine.evidence import contradictions
    from server.engine.paths_report import contradiction_json, contradictions_csv
    from server.files import write_atomically

    settings = Settings.from_env(release or current_release_of(root))
    graph = run_guarded(ctx, lambda: causal_graph(settings.release, store, settings.query_timeout))
    if fmt == "csv":
        text = contradictions_csv(graph)
    else:
        text = json.dumps([contradiction_json(c) for c in contradictions(graph.edges)], ensure_ascii=False, indent=2)
    if output is None:
        click.echo(text, nl=False)
    else:
        run_guarded(ctx, lambda: write_atomically({output: text.encode("utf-8")}))
        click.echo(f"wrote {output}", err=True)


def current_release_of(root: Path | None) -> Path:
    """Return the current release folder of the project at ``root``.

    :param root: the project folder, or ``None``.
    :returns: ``build/current`` there.
    """
    from server.release.layout import current_release

    return current_release(_paths(root))


def causal_graph(release: Path, store: str | None, timeout: float) -> Any:
    """Read the causal graph from a release's dump (in process) or from a SPARQL endpoint.

    :param release: the release folder.
    :param store: a SPARQL endpoint's URL, or ``None`` for the release's dump.
    :param timeout: the time limit of each query on a remote store, seconds.
    :returns: the :class:`~server.engine.causal.CausalGraph`.
    """
    from server.engine.causal import load_causal_graph

    if store is not None:
        from server.engine.remote import RemoteEngine

        return load_causal_graph(RemoteEngine(store, timeout))
    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE

    return load_causal_graph(OxigraphEngine.from_dump(release / DUMP_FILE))


def short_iri(iri: str) -> str:
    """Write an IRI as a CURIE for a message.

    :param iri: the IRI.
    :returns: its CURIE.
    """
    from server.engine.paths_report import short

    return short(iri)


@main.command("serve")
@ROOT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (public: 0.0.0.0).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="TCP port.")
@click.option(
    "--release",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Release folder to serve (default: build/current, built first if missing).",
)
@click.option(
    "--store",
    metavar="URL",
    default=None,
    help="Answer from this SPARQL 1.1 query endpoint (e.g. Virtuoso's /sparql), not the release's dump.",
)
@click.pass_context
def serve_cmd(ctx: click.Context, root: Path | None, host: str, port: int, release: Path | None,
              store: str | None) -> None:  # fmt: skip
    """Serve the SPARQL endpoint, entity pages and query UI with a production WSGI server."""
    from server.config import Settings
    from server.release.layout import current_release
    from server.web.server import serve

    paths = _paths(root)
    chosen = release or current_release(paths)
    if release is None and store is None and not chosen.exists():
        from server.engine.derived import add_derived_graph
        from server.release.build import build

        click.echo("no release yet: building one first", err=True)
        run_guarded(ctx, lambda: build(paths, derive=add_derived_graph))
    settings = Settings.from_env(chosen)
    if not os.environ.get("MSCKG_PUBLIC_URL"):
        settings = replace(settings, public_url=f"http://{host}:{port}/")
    if store is None:
        run_guarded(ctx, lambda: serve(settings, host, port))
        return
    from server.engine.remote import RemoteEngine

    engine = run_guarded(ctx, lambda: RemoteEngine(store, settings.query_timeout))
    run_guarded(ctx, lambda: serve(settings, host, port, engine, store))


@main.command("publish")
@ROOT_OPTION
@click.option(
    "--release",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Release folder to publish (default: build/current).",
)
@click.option(
    "--gsp",
    metavar="URL",
    default=None,
    help="SPARQL 1.1 Graph Store Protocol URL (e.g. oxigraph serve's http://127.0.0.1:7878/store).",
)
@click.option(
    "--update",
    metavar="URL",
    default=None,
    help="With --gsp: the store's SPARQL Update URL for the switch (default: .../update beside it).",
)
@click.option(
    "--virtuoso",
    metavar="HOST:SQLPORT",
    default=None,
    help="Virtuoso's SQL address: load with its bulk loader over isql.",
)
@click.option(
    "--load-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With --virtuoso: a folder Virtuoso may read (DirsAllowed), same path on both sides (default: build/publish).",
)
@click.option(
    "--step-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=1800.0,
    show_default=True,
    help="With --virtuoso: seconds one step (hide, load, switch) may take on the server; past it the run "
    "fails (exit 2) and the previous release stays served.",
)
@click.option(
    "--online",
    is_flag=True,
    help="With --virtuoso: readers query the store meanwhile; refuse (exit 2, nothing changed) a publish that could "
    "crash or freeze Virtuoso 7.2.5 under them: one that changes its private-graph set (a first publish, more graphs "
    "than the staging graphs reserved) or a server with ThreadsPerQuery above 1.",
)
@click.option(
    "--credentials",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File of MSCKG_STORE_USER=... / MSCKG_STORE_PASSWORD=... lines (default: those variables).",
)
@click.pass_context
def publish_cmd(ctx: click.Context, root: Path | None, release: Path | None, gsp: str | None, update: str | None,
                virtuoso: str | None, load_dir: Path | None, step_timeout: float, online: bool,
                credentials: Path | None) -> None:  # fmt: skip
    """Load a built release into a triple store, replacing the previous release's graphs in one switch."""
    from server.release.layout import current_release
    from server.release.publish import Credentials

    if (gsp is None) == (virtuoso is None):
        _fail("give exactly one of --gsp URL and --virtuoso HOST:SQLPORT", EXIT_USAGE)
    if online and virtuoso is None:
        _fail("--online is for --virtuoso (a Graph Store Protocol store shows staged graphs as they load)", EXIT_USAGE)
    paths = _paths(root)
    chosen = release or current_release(paths)
    account = run_guarded(ctx, lambda: Credentials.load(credentials))

    def progress(line: str) -> None:
        click.echo(line, err=True)

    if gsp is not None:
        from server.release.gsp import publish_gsp

        result = run_guarded(ctx, lambda: publish_gsp(chosen, gsp, update, account, progress))
    else:
        from server.release.virtuoso import publish_virtuoso

        folder = load_dir or paths.build / "publish"
        result = run_guarded(
            ctx, lambda: publish_virtuoso(chosen, str(virtuoso), account, folder, progress, step_timeout, online)
        )
    steps = ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items())
    click.echo(f"published {chosen.resolve().name}: {result.quads} quads in {result.graphs} graphs -> {result.target} "
               f"({steps})")  # fmt: skip
