"""Publish into Virtuoso with its bulk loader (``ld_dir`` / ``rdf_loader_run``), driven over ``isql``.

The staged dump (:mod:`server.release.publish`) is written as N-Quads files into a folder Virtuoso may read
(``DirsAllowed`` in ``virtuoso.ini``; the same path on both sides), graph *n* of the dump in the staging graph
``urn:x-msckg:staging:slot:<n>`` (a *slot*), then:

1. *hide*: a plan is read first (``MSCKG_PLAN``: the slots already private, the set-up still to do, the server's
   ``ThreadsPerQuery``; :meth:`Plan.hazards` says what could crash or freeze 7.2.5 under readers, a warning, or
   with ``online`` a refusal before anything changes); then quads a dead run left in the slots are dropped, the
   set-up is made where missing (``MSCKG_SETUP``: the SPARQL endpoint's users lose any role that writes or fetches
   remote data, ``SPARQL_UPDATE`` / ``SPARQL_SPONGE``; Virtuoso's own system graphs join its group of private
   graphs, which the public SPARQL user ``nobody`` may not read, so that the union default graph holds the data
   only), slots are made private when the release has more graphs than there are (``MSCKG_RESERVE_SLOTS``, with
   headroom: :func:`slots_for`), and a table (the *map*) pairs each slot's id with its release graph's id;
2. *load*: ``ld_dir`` + ``rdf_loader_run`` (the bulk loader), every file's errors checked, a ``checkpoint``;
3. *switch*: one procedure call (``MSCKG_SWITCH``), one transaction, three set-based statements, one pass over the
   quads each (never a statement per graph): the quads of every graph the project owns are deleted, the staged
   quads are copied under their release graph ids (a join with the map), the staged copies are deleted; the
   registry mark ``MSCKG_RELEASE`` says ``switching N+1`` just before the commit and ``stable N+1`` once it is
   done (readers fence their queries with it: :mod:`server.engine.fence`); then ``checkpoint``. The statements
   are compiled when run (``exec``), so that the optimizer sees the tables' real sizes: compiled with the
   procedure, against an empty map, the join ran once per graph (minutes at ×100).

A run killed while loading leaves its bulk load running in the server (Virtuoso finishes a statement whose
client has gone, as long as its isql lives) and its other files listed: before it empties the slots, hide
unlists them, asks the loader to stop after its file, and waits while the slots still gain quads
(``MSCKG_STOP_LOADS``; a file listed as being loaded while no quad arrives for 10 s was left by a loader that died,
with its isql or the server). Otherwise that loader would go on filling the slots of this run.

One publish at a time: hide, load and switch run under the store's publish lock (:class:`PublishLock`, an isql
session of its own holding a row lock for the whole run); a second publish into the same store gives up
after a wait, exit 2, and the switch checks that the map is still this run's (the registry key ``MSCKG_STAGING``).

Why slots, made private once. Virtuoso 7.2.5 reads its in-memory set of private graphs (the run-time check of
``GRAPH ?g`` and of the union) without the lock that adding or removing a member takes, and a change of that set
under running queries crashed it (docs/deploy.md). Slots are the same IRIs in every run and stay private, empty,
between runs: a re-publish of a release with no more graphs than there are slots changes no graph security. The
set grows only on a first publish or past the headroom, and that is said (or refused, ``online``).

Making slots private set-wise (``MSCKG_RESERVE_SLOTS``). Virtuoso's ``RDF_GRAPH_GROUP_INS`` takes one graph per
call, with two commits (minutes for 1.3 M graphs at ×1000); it writes the group's table,
``DB.DBA.RDF_GRAPH_GROUP_MEMBER``, then the in-memory state the SPARQL side reads (its
``RDF_GRAPH_GROUP_INS_MEMONLY``). We do the same for all the new slots at once: one ``INSERT`` into the table, a
commit, then one statement each for the caches: the set of private graphs, the graph IRI ↔ id caches (what the
compiler's check of a graph named in the query, ``GRAPH <g>`` / ``FROM <g>``, reads: a private graph missing
there is judged by the public's rights and read), the group's member list (rebuilt from the table as a restart's
``RDF_QUAD_LOAD_CACHE`` builds it), and recompilation marks for compiled queries that named a graph
(``jso_mark_affected``). A graph is never in the private set without its IRI cached (put before): with that order
broken on purpose, a bulk load beside SPARQL readers stalled until its time limit. Not done: the log records of
the cache calls, which serve a roll-forward (the caches are rebuilt from the tables at every start), and the
cluster edition's ``cl_exec``. The map is filled with ``for vectored`` (IRI ids made a batch at a time). A slot
readable through permissions of its own (``DB.DBA.RDF_GRAPH_USER``) stops the run.

IRI id 8192 (``#i8192``). Virtuoso 7 hands out IRI ids from 19 sequences (``__IRI0`` … ``__IRI18``), each over a
range of ids (``IRIRangeSize``, 1,996,544 by default); on a new database one of them draws from the first range,
which holds 8192. But Virtuoso also reads 8192 as a marker: the rows of ``DB.DBA.RDF_GRAPH_USER`` for the default
permissions of private graphs have that graph id, and the run-time check (``GRAPH ?g``, the union default graph)
looks a graph's own id up among the public's rows first — a graph whose IRI got 8192 has the public's *private*
default (none) and vanishes from the union (``rdf_graph_configured_perms``, ``rdfbox.c``, v7.2.5). Hide first
moves the sequence whose range holds 8192 past it (``MSCKG_RESERVE_IID``): no IRI made afterwards gets the id
(with ranges of more than 8192 ids, no later range holds it). An id handed out before (a database published into
by a version without this, or filled by other tools first) cannot be taken back, so a release graph that holds it
stops the run.

Bulk-loaded quads, and the IRIs they made, are not in the transaction log (the loader runs with ``log_enable
(2)``): the load ends with a ``checkpoint``, so that the switch, which is logged, never refers to ids a crash
would forget.

Every step runs within a time limit (``step_limit``): past it isql is stopped, which ends its session (Virtuoso
rolls back the open transaction of a client that has gone), the bulk loader is told to stop
(``rdf_load_stop``), the staged quads are dropped (``MSCKG_DISCARD``, while the map is still the run's), and the
run fails with the step named. A failure before the switch's commit leaves the served release as it was.

"""

import itertools
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server.errors import SetupError
from server.release.isql import STEP_LIMIT, PublishLock, run_isql, sql_string
from server.release.publish import (
    OWNED,
    Credentials,
    Progress,
    PublishResult,
    Timer,
    release_dump,
    staged_batches,
    staging_prefix,
)
from server.release.virtuoso_sql import SLOT_BLOCK, SLOTS, procedures

#: Quads per load file.
BATCH = 500_000
#: Graph IRIs per list file read by the hiding procedure.
LIST_BATCH = 50_000
#: Least time the removal of a failed run's staged graphs is given (seconds), whatever the step limit.
DISCARD_LIMIT = 120.0


def _write_load_files(dump: Path, folder: Path, graphs: dict[str, str]) -> int:
    """Write the staged dump as N-Quads files and the map's pairs as list files; return the quads.

    Graph *n* of the dump (in the order it first names them) is loaded into slot *n*; a list line is the slot's
    IRI, a space, the release graph's IRI.
    """
    slot = itertools.count()
    quads = 0
    batches = staged_batches(dump, lambda graph: f"{SLOTS}{next(slot)}", BATCH, graphs)
    for number, (body, count) in enumerate(batches):
        (folder / f"staged-{number:05d}.nq").write_bytes(body)
        quads += count
    pairs = [f"{staged} {graph}" for graph, staged in graphs.items()]
    for number, start in enumerate(range(0, len(pairs), LIST_BATCH)):
        (folder / f"graphs-{number:05d}.txt").write_text("\n".join(pairs[start : start + LIST_BATCH]) + "\n")
    return quads


def _map_calls(folder: Path, run: str) -> str:
    return (
        f"DB.DBA.MSCKG_MAP_START ({sql_string(run)});\n"
        + "".join(f"DB.DBA.MSCKG_MAP_ADD ({sql_string(str(path))});\n" for path in sorted(folder.glob("graphs-*.txt")))
        + "DB.DBA.MSCKG_MAP_CHECK ();\n"
    )


def _discard(address: str, credentials: Credentials, folder: Path, run: str, limit: float,
             progress: Progress) -> None:  # fmt: skip
    """Undo a failed run, still holding the publish lock: stop its bulk load, and drop its staged quads.

    The load files go first, so that a loader still running (Virtuoso runs a statement on after its client has
    gone) fails on the files left; ``MSCKG_DISCARD`` then waits while it still adds quads.
    """
    shutil.rmtree(folder, ignore_errors=True)
    where = sql_string(str(folder) + "/")
    script = f"DB.DBA.MSCKG_DISCARD ({sql_string(SLOTS)}, {sql_string(run)}, {where}, {round(limit)});\n"
    try:
        run_isql(address, credentials, script, limit + 30, "discard")
    except SetupError as exc:
        progress(f"could not undo the failed run ({exc}); the next publish empties the staging graphs first")


def slots_for(graphs: int) -> int:
    """How many staging slots a store gets when a release of ``graphs`` graphs needs more than it has.

    A quarter more, in blocks of 1024: the next releases, a little larger, find their slots private already.

    :param graphs: the release's graphs.
    :returns: the slots to make private.

    >>> slots_for(777), slots_for(1024), slots_for(1_300_000)
    (1024, 2048, 1625088)
    """
    return -(-(graphs + graphs // 4) // SLOT_BLOCK) * SLOT_BLOCK


@dataclass(frozen=True)
class Plan:
    """What a publish would change in a store's graph-level security, read before it changes anything."""

    #: Staging slots private already.
    reserved: int
    #: Set-up changes still to make (the private group, the public's default rights, Virtuoso's own graphs, the
    #: SPARQL users' write roles): a first publish makes them.
    setup: int
    #: Threads a query may run on (``ThreadsPerQuery``).
    threads: int

    @classmethod
    def read(cls, output: str, address: str) -> "Plan":
        """Parse ``MSCKG_PLAN``'s line in isql's output.

        :param output: isql's output.
        :param address: the server, for the message.
        :returns: the plan.
        :raises SetupError: if the line is missing.
        """
        found = re.search(r"MSCKG-PLAN reserved=(\d+) setup=(\d+) threads=(\d+)", output)
        if found is None:
            raise SetupError(f"Virtuoso at {address}: no answer to the publish plan query")
        return cls(*(int(value) for value in found.groups()))

    def hazards(self, graphs: int) -> list[str]:
        """Say why readers querying during this publish could crash or freeze Virtuoso 7.2.5 (docs/deploy.md).

        :param graphs: the release's graphs.
        :returns: one sentence per hazard (none: safe under readers).
        """
        found = []
        changes = [f"{self.setup} set-up changes (a first publish)"] if self.setup else []
        if graphs > self.reserved:
            changes.append(f"{slots_for(graphs) - self.reserved} staging graphs join it (the release has {graphs} "
                           f"graphs, {self.reserved} staging graphs are private already)")  # fmt: skip
        if changes:
            found.append(f"the store's private-graph set changes: {' and '.join(changes)}; Virtuoso 7.2.5 reads "
                         "that set without a lock, and a query running meanwhile can crash it")  # fmt: skip
        if self.threads > 1:
            found.append(f"Virtuoso runs a query on up to {self.threads} threads (ThreadsPerQuery): 7.2.5 can freeze "
                         "when a query runs during the bulk load; set ThreadsPerQuery = 1 in virtuoso.ini")  # fmt: skip
        return found


def publish_virtuoso(release: Path, address: str, credentials: Credentials, load_dir: Path, progress: Progress,
                     step_limit: float = STEP_LIMIT, online: bool = False) -> PublishResult:  # fmt: skip
    """Publish a release into Virtuoso with its bulk loader, switching atomically in one transaction.

    :param release: the release folder.
    :param address: Virtuoso's SQL address, ``HOST:PORT`` (isql's).
    :param credentials: a DBA account.
    :param load_dir: a folder Virtuoso may read (``DirsAllowed``), at the same path for it and for us.
    :param progress: receives progress lines.
    :param step_limit: longest one step on the server may take, seconds (past it the run fails, the old release
        stays served).
    :param online: readers query the store meanwhile: refuse, before changing anything, a publish that could crash
        or freeze Virtuoso 7.2.5 under them (:meth:`Plan.hazards`); without it those are warnings.
    :returns: what was loaded, with timings.
    :raises LoadError: if the release has no readable dump.
    :raises SetupError: if isql is missing, the server refuses, a step fails or passes its time limit, or
        ``online`` and the publish is not safe for readers (the old release stays served).
    """
    dump = release_dump(release)
    credentials.required(f"Virtuoso at {address}")
    load_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="msckg-publish-", dir=load_dir)).resolve()
    folder.chmod(0o755)
    run = staging_prefix()
    timer = Timer(progress)
    graphs: dict[str, str] = {}
    quads = 0
    slots, token = sql_string(SLOTS), sql_string(run)

    def isql(step: str, script: str) -> str:
        return run_isql(address, credentials, script, step_limit, step)

    def write() -> None:
        nonlocal quads
        quads = _write_load_files(dump, folder, graphs)
        progress(f"staged {quads} quads in {len(graphs)} graphs under {folder}")

    def hide() -> None:
        plan = Plan.read(isql("hide", procedures() + f"select DB.DBA.MSCKG_PLAN ({slots}, {len(graphs)});\n"), address)
        hazards = plan.hazards(len(graphs))
        if hazards and online:
            raise SetupError(f"Virtuoso at {address}: not safe while readers query (--online): nothing published, "
                             "graph security unchanged: "
                             + "; ".join(hazards) + " (docs/deploy.md, 'Publishing while readers query')")  # fmt: skip
        for hazard in hazards:
            progress(f"warning: {hazard}: publish with no reader querying (docs/deploy.md)")
        wanted = slots_for(len(graphs))
        grow = f"DB.DBA.MSCKG_RESERVE_SLOTS ({slots}, {wanted});\n" if len(graphs) > plan.reserved else ""
        clear = f"DB.DBA.MSCKG_STOP_LOADS ('%/msckg-publish-%/staged-%', {round(step_limit)});\n"
        clear += f"DB.DBA.MSCKG_DROP_GRAPHS ({slots});\n"
        isql("hide", f"{clear}DB.DBA.MSCKG_SETUP ();\n{grow}" + _map_calls(folder, run))

    def load() -> None:
        where = sql_string(str(folder) + "/")  # every value below is quoted by _sql_string
        forget = f"delete from DB.DBA.LOAD_LIST where LL_FILE like {where} || '%';\n"  # noqa: S608
        isql("load", f"{forget}ld_dir ({sql_string(str(folder))}, 'staged-*.nq', 'urn:x-msckg:unused');\n"
                     f"rdf_loader_run ();\nDB.DBA.MSCKG_CHECK_LOAD ({where});\n{forget}checkpoint;\n")  # fmt: skip

    def switch() -> None:
        isql("switch", f"DB.DBA.MSCKG_SWITCH ({sql_string(OWNED)}, {token});\ncheckpoint;\n")

    progress(f"publishing {release} to Virtuoso at {address} (staging graphs {SLOTS}…, run {run})")
    try:
        timer.step("stage", write)
        with PublishLock(address, credentials, run):
            try:
                timer.step("hide", hide)
                timer.step("load", load)
                timer.step("switch", switch)
            except BaseException:
                _discard(address, credentials, folder, run, max(step_limit, DISCARD_LIMIT), progress)
                raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return PublishResult(f"virtuoso://{address}", quads, len(graphs), timer.finish())
