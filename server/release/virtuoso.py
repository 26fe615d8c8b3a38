"""Publish into Virtuoso with its bulk loader (``ld_dir`` / ``rdf_loader_run``), driven over ``isql``.

The staged dump (:mod:`server.release.publish`) is written as N-Quads files into a folder Virtuoso may read
(``DirsAllowed`` in ``virtuoso.ini``; the same path on both sides), then:

1. *hide*: the SPARQL endpoint's users lose any role that writes or fetches remote data (``SPARQL_UPDATE``,
   ``SPARQL_SPONGE``); Virtuoso's own system graphs join its group of private graphs, which the public SPARQL
   user (``nobody``) may not read (graph-level security), so that the union default graph holds the data only;
   a table (the *map*) pairs each staging graph's id with its release graph's id; then the staging graphs join
   the private group set-wise (below) — so no reader ever sees a staging graph;
2. *load*: ``ld_dir`` + ``rdf_loader_run`` (the bulk loader), every file's errors checked, a ``checkpoint``;
3. *switch*: one procedure call, one transaction, three set-based statements, one pass over the quads each
   (never a statement per graph): the quads of every graph the project owns are deleted, the staged quads are
   copied under their release graph ids (a join with the map), the staged copies are deleted; then
   ``checkpoint``. Atomic for a store with no readers: Virtuoso 7.2.5 can crash or freeze when its private-graph
   set changes under running queries (docs/deploy.md), so publish into a standby store and switch the fronts.
   The statements are compiled when run (``exec``), so that the optimizer sees the tables' real sizes: compiled
   with the procedure, against an empty map, the join ran once per graph (minutes at ×100);
4. *clean up*: the staging graphs, empty now, leave the private group set-wise; the load files are removed.

Joining and leaving the private group set-wise (``MSCKG_PRIVATE``). Virtuoso's ``RDF_GRAPH_GROUP_INS`` / ``_DEL``
take one graph per call, each with two commits (minutes for 1.3 M graphs at ×1000); they write the group's
table, ``DB.DBA.RDF_GRAPH_GROUP_MEMBER``, then the in-memory state the SPARQL side reads (its
``RDF_GRAPH_GROUP_INS_MEMONLY``). We do the same for all the run's graphs at once: one ``INSERT`` (``DELETE``)
of the map's staging ids into (from) the table, a commit, then, in one statement each over the map, the
caches: the set of private graphs (what the run-time check of a ``GRAPH ?g`` or union pattern reads), the
graph IRI ↔ id caches (what the compiler's check of a graph named in the query, ``GRAPH <g>`` / ``FROM <g>``,
reads: a private graph missing there is judged by the public's rights and read), the group's member list
(rebuilt from the table as a restart's ``RDF_QUAD_LOAD_CACHE`` builds it), and compiled queries that named a
graph are marked for recompilation (``jso_mark_affected``). Leaving removes the IRI cache entries too (a
restart would not reload them; Virtuoso's ``_DEL`` keeps them, 1.3 M per ×1000 publish, and every one is a
name in Virtuoso's table of interned strings, 8191 chains that every later lookup walks). A graph is never in the
private set without its IRI cached (put before, removed after): with that order broken on purpose, a bulk load
beside concurrent SPARQL readers stalled until its time limit. The map is filled with ``for vectored`` (IRI ids made a
batch at a time; a row-at-a-time loop made ×1000's 2.6 M IRIs in about 70 s). Not done: the log
records of the cache calls, which serve a roll-forward — the caches are rebuilt from the tables after it at
every start — and the cluster edition's ``cl_exec``. A staging graph readable through permissions of its own
(``DB.DBA.RDF_GRAPH_USER``) stops the run. A run that fails after its graphs were hidden drops its staged
quads and only then (same procedure, same commit) takes its graphs out of the group; the map is the run's
only while the registry key ``MSCKG_STAGING`` names its staging prefix.

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
(``rdf_load_stop``), the staged graphs are removed, and the run fails with the step named. A failure before the
switch's commit leaves the served release as it was.

``isql`` is given the password on its standard input, never on its command line: it first tries the default
password (Virtuoso logs that as one failed login), then reads the real one.
"""

import itertools
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from server.errors import SetupError
from server.release.publish import (
    OWNED,
    STAGING,
    Credentials,
    Progress,
    PublishResult,
    Timer,
    release_dump,
    staged_batches,
    staging_prefix,
)

#: Virtuoso's group of private graphs (readable only by users granted so).
PRIVATE = "http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs"
#: Graphs a new Virtuoso 7.2 database holds by itself, hidden from the public so that the union is our data.
SYSTEM_GRAPHS = ("http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#",
                 "http://localuriqaserver/sparql")  # fmt: skip
#: ``MSCKG_SETUP``'s list of those graphs, as SQL strings.
_SYSTEM_LIST = ", ".join("'" + graph + "'" for graph in SYSTEM_GRAPHS)
#: Staging graphs are *slots*, ``<SLOTS><n>``, the same IRIs in every run: they stay private between runs.
SLOTS = STAGING + "slot:"
#: The registry key the switch marks its commit under, which a SPARQL reader can read (``bif:registry_get``):
#: ``stable N`` between switches, ``switching N+1`` while the switch commits (:mod:`server.engine.fence`).
RELEASE_MARK = "MSCKG_RELEASE"
#: Slots are made private in blocks of this many.
SLOT_BLOCK = 1024
#: Quads per load file.
BATCH = 500_000
#: Graph IRIs per list file read by the hiding procedure.
LIST_BATCH = 50_000
#: The password isql tries before it asks for one.
ISQL_DEFAULT_PASSWORD = "dba"  # noqa: S105 - isql's built-in first try, not ours
#: Longest one step on the server may take by default (seconds): a loader that never returns fails the run.
STEP_LIMIT = 1800.0
#: Least time the removal of a failed run's staged graphs is given (seconds), whatever the step limit.
DISCARD_LIMIT = 120.0

_PROCEDURES = """
create procedure DB.DBA.MSCKG_TABLES ()
{
  if (not exists (select 1 from DB.DBA.SYS_KEYS where KEY_TABLE = 'DB.DBA.MSCKG_MAP'))
    exec ('create table DB.DBA.MSCKG_MAP (FROM_G IRI_ID primary key, TO_G IRI_ID)');
  if (not exists (select 1 from DB.DBA.SYS_KEYS where KEY_TABLE = 'DB.DBA.MSCKG_DROP'))
    exec ('create table DB.DBA.MSCKG_DROP (G IRI_ID primary key)');
}
;
DB.DBA.MSCKG_TABLES ();
create procedure DB.DBA.MSCKG_RESERVE_IID ()
{
  declare seq integer;
  for (seq := 0; seq < 19; seq := seq + 1)
    if (sequence_set (sprintf ('__IRI_MAX%d', seq), 0, 2) > 8192)
      sequence_set (sprintf ('__IRI%d', seq), 8193, 1);
}
;
DB.DBA.MSCKG_RESERVE_IID ();
create procedure DB.DBA.MSCKG_READ_ONLY (in sparql_user varchar)
{
  foreach (varchar role_name in vector ('SPARQL_UPDATE', 'SPARQL_SPONGE')) do
    if (exists (select 1 from DB.DBA.SYS_ROLE_GRANTS, DB.DBA.SYS_USERS R, DB.DBA.SYS_USERS U
                where GI_DIRECT = 1 and GI_SUB = R.U_ID and R.U_NAME = role_name
                and GI_SUPER = U.U_ID and U.U_NAME = sparql_user))
      exec (sprintf ('revoke "%I" from "%I"', role_name, sparql_user));
}
;
create procedure DB.DBA.MSCKG_CHECK_LOAD (in dir varchar)
{
  for (select LL_FILE, LL_ERROR, LL_STATE from DB.DBA.LOAD_LIST where LL_FILE like dir || '%') do
    if (LL_ERROR is not null or LL_STATE <> 2)
      signal ('MSCKG', sprintf ('bulk load of %s failed: %s', LL_FILE, coalesce (LL_ERROR, 'not loaded')));
}
;
create procedure DB.DBA.MSCKG_MAP_START (in run varchar)
{
  exec ('delete from DB.DBA.MSCKG_MAP');
  registry_set ('MSCKG_STAGING', run);
}
;
create procedure DB.DBA.MSCKG_MAP_ADD (in list_file varchar)
{
  declare pairs any;
  pairs := split_and_decode (file_to_string (list_file), 0, '\\0\\0\\n');
  if (length (pairs[length (pairs) - 1]) = 0)
    pairs := subseq (pairs, 0, length (pairs) - 1);
  for vectored (in pair varchar := pairs)
    {
      insert soft DB.DBA.MSCKG_MAP (FROM_G, TO_G)
        values (iri_to_id (subseq (pair, 0, strchr (pair, ' '))), iri_to_id (subseq (pair, strchr (pair, ' ') + 1)));
    }
  if (exists (select 1 from DB.DBA.MSCKG_MAP where TO_G = #i8192))
    foreach (varchar pair in pairs) do
      if (iri_to_id (subseq (pair, strchr (pair, ' ') + 1)) = #i8192)
        signal ('MSCKG', sprintf ('graph <%s> has IRI id #i8192, which Virtuoso reads as the default permissions of '
                                  || 'private graphs: the public could not read it; publish into a new database',
                                  subseq (pair, strchr (pair, ' ') + 1)));
}
;
create procedure DB.DBA.MSCKG_MAP_CHECK ()
{
  if (exists (select 1 from DB.DBA.MSCKG_MAP, DB.DBA.RDF_GRAPH_USER
              where RGU_GRAPH_IID = FROM_G and RGU_USER_ID <> 0 and bit_and (RGU_PERMISSIONS, 1)))
    signal ('MSCKG', 'a staging graph is readable through permissions of its own (DB.DBA.RDF_GRAPH_USER)');
}
;
create procedure DB.DBA.MSCKG_SETUP_CHANGES ()
{
  declare changes integer;
  changes := 0;
  if (not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP where RGG_IRI = '{private}'))
    changes := changes + 1;
  if (not exists (select 1 from DB.DBA.RDF_GRAPH_USER
                  where RGU_GRAPH_IID = #i8192 and RGU_USER_ID = http_nobody_uid () and RGU_PERMISSIONS = 0))
    changes := changes + 1;
  foreach (varchar system_graph in vector ({system})) do
    if (not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                    where RGGM_GROUP_IID = iri_to_id ('{private}') and RGGM_MEMBER_IID = iri_to_id (system_graph)))
      changes := changes + 1;
  foreach (varchar sparql_user in vector ('SPARQL', 'nobody')) do
    foreach (varchar role_name in vector ('SPARQL_UPDATE', 'SPARQL_SPONGE')) do
      if (exists (select 1 from DB.DBA.SYS_ROLE_GRANTS, DB.DBA.SYS_USERS R, DB.DBA.SYS_USERS U
                  where GI_DIRECT = 1 and GI_SUB = R.U_ID and R.U_NAME = role_name
                  and GI_SUPER = U.U_ID and U.U_NAME = sparql_user))
        changes := changes + 1;
  return changes;
}
;
create procedure DB.DBA.MSCKG_PLAN (in slots varchar, in needed integer)
{
  declare reserved integer;
  reserved := registry_get ('MSCKG_SLOTS');
  reserved := case when isstring (reserved) then atoi (reserved) else 0 end;
  if (reserved > 0 and dict_get (__rdf_graph_group_of_privates_dict (),
                                 iri_to_id (sprintf ('%s%d', slots, reserved - 1), 0), 0) = 0)
    reserved := 0;
  return sprintf ('MSCKG-PLAN reserved=%d setup=%d threads=%d', reserved, DB.DBA.MSCKG_SETUP_CHANGES (),
                  sys_stat ('enable_qp'));
}
;
create procedure DB.DBA.MSCKG_SETUP ()
{
  DB.DBA.RDF_GRAPH_GROUP_CREATE ('{private}', 1);
  if (not exists (select 1 from DB.DBA.RDF_GRAPH_USER
                  where RGU_GRAPH_IID = #i8192 and RGU_USER_ID = http_nobody_uid () and RGU_PERMISSIONS = 0))
    DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
  foreach (varchar system_graph in vector ({system})) do
    if (not exists (select 1 from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                    where RGGM_GROUP_IID = iri_to_id ('{private}') and RGGM_MEMBER_IID = iri_to_id (system_graph)))
      DB.DBA.RDF_GRAPH_GROUP_INS ('{private}', system_graph);
  DB.DBA.MSCKG_READ_ONLY ('SPARQL');
  DB.DBA.MSCKG_READ_ONLY ('nobody');
}
;
create procedure DB.DBA.MSCKG_RESERVE_SLOTS (in slots varchar, in wanted integer)
{
  declare group_iid IRI_ID;
  declare members, inx integer;
  declare numbers, membs, fake any;
  group_iid := iri_to_id ('{private}');
  numbers := make_array (wanted, 'any');
  for (inx := 0; inx < wanted; inx := inx + 1)
    numbers[inx] := inx;
  exec ('delete from DB.DBA.MSCKG_DROP');
  for vectored (in slot integer := numbers)
    {
      insert soft DB.DBA.MSCKG_DROP (G) values (iri_to_id (sprintf ('%s%d', slots, slot)));
    }
  exec ('delete from DB.DBA.MSCKG_DROP where G in (select RGGM_MEMBER_IID from DB.DBA.RDF_GRAPH_GROUP_MEMBER '
        || 'where RGGM_GROUP_IID = iri_to_id (''{private}''))');
  if (exists (select 1 from DB.DBA.MSCKG_DROP))
    {
      exec ('insert soft DB.DBA.RDF_GRAPH_GROUP_MEMBER (RGGM_GROUP_IID, RGGM_MEMBER_IID) '
            || 'select iri_to_id (''{private}''), G from DB.DBA.MSCKG_DROP');
      commit work;
      fake := (select count (dict_put (__rdf_graph_id2iri_dict (), G, __uname (id_to_canonicalized_iri (G))))
               from DB.DBA.MSCKG_DROP);
      fake := (select count (dict_put (__rdf_graph_iri2id_dict (), dict_get (__rdf_graph_id2iri_dict (), G), G))
                      + count (dict_put (__rdf_graph_group_of_privates_dict (), G, 1))
               from DB.DBA.MSCKG_DROP);
      fake := (select count (jso_mark_affected (dict_get (__rdf_graph_id2iri_dict (), G))) from DB.DBA.MSCKG_DROP);
      members := (select count (*) from DB.DBA.RDF_GRAPH_GROUP_MEMBER where RGGM_GROUP_IID = group_iid);
      if (members < 1000)
        {
          membs := (select DB.DBA.VECTOR_AGG (RGGM_MEMBER_IID) from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                    where RGGM_GROUP_IID = group_iid);
          if (membs is null) membs := vector ();
          gvector_digit_sort (membs, 1, 0, 1);
        }
      else
        {
          membs := dict_new (members);
          fake := (select count (dict_put (membs, RGGM_MEMBER_IID, 1)) from DB.DBA.RDF_GRAPH_GROUP_MEMBER
                   where RGGM_GROUP_IID = group_iid);
        }
      dict_put (__rdf_graph_group_dict (), group_iid, membs);
      jso_mark_affected ('{private}');
    }
  registry_set ('MSCKG_SLOTS', cast (wanted as varchar));
}
;
create procedure DB.DBA.MSCKG_DROP_GRAPHS (in prefix varchar)
{
  delete from DB.DBA.MSCKG_DROP;
  insert soft DB.DBA.MSCKG_DROP (G)
    select G from (select distinct G from DB.DBA.RDF_QUAD) x where starts_with (id_to_iri (G), prefix);
  exec ('delete from DB.DBA.RDF_QUAD where G in (select G from DB.DBA.MSCKG_DROP)');
}
;
create procedure DB.DBA.MSCKG_DISCARD (in slots varchar, in run varchar)
{
  if (isstring (registry_get ('MSCKG_STAGING')) and registry_get ('MSCKG_STAGING') = run)
    DB.DBA.MSCKG_DROP_GRAPHS (slots);
}
;
create procedure DB.DBA.MSCKG_SWITCH (in owned varchar, in run varchar, in staged integer)
{
  declare held, epoch integer;
  declare state, message, meta, rows, mark any;
  if (not isstring (registry_get ('MSCKG_STAGING')) or registry_get ('MSCKG_STAGING') <> run)
    signal ('MSCKG', 'another publish into this store started after this one: both stop, the served release stays');
  state := '00000';
  exec ('select count (*) from DB.DBA.MSCKG_MAP M, DB.DBA.RDF_QUAD Q where Q.G = M.FROM_G',
        state, message, vector (), 1, meta, rows);
  if (state <> '00000')
    signal (state, message);
  held := rows[0][0];
  if (held <> staged)
    signal ('MSCKG', sprintf ('the staging graphs hold %d quads, not the %d loaded: '
                              || 'another publish into this store ran at the same time; the served release stays',
                              held, staged));
  DB.DBA.MSCKG_DROP_GRAPHS (owned);
  exec ('insert into DB.DBA.RDF_QUAD (G, S, P, O) select M.TO_G, Q.S, Q.P, Q.O '
        || 'from DB.DBA.MSCKG_MAP M, DB.DBA.RDF_QUAD Q where Q.G = M.FROM_G');
  exec ('delete from DB.DBA.RDF_QUAD where G in (select FROM_G from DB.DBA.MSCKG_MAP)');
  mark := registry_get ('{mark}');
  epoch := case when isstring (mark) and strchr (mark, ' ') is not null
                then atoi (subseq (mark, strchr (mark, ' ') + 1)) else 0 end;
  {
    declare exit handler for sqlstate '*'
      {
        registry_set ('{mark}', sprintf ('stable %d', epoch));
        signal (__SQL_STATE, __SQL_MESSAGE);
      };
    registry_set ('{mark}', sprintf ('switching %d', epoch + 1));
    commit work;
  }
  registry_set ('{mark}', sprintf ('stable %d', epoch + 1));
}
;
"""


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def find_isql() -> str:
    """Find Virtuoso's isql (Debian calls it ``isql-vt``; unixODBC's ``isql`` is another program).

    :returns: the program's path.
    :raises SetupError: if it is not installed.
    """
    found = shutil.which("isql-vt")
    if found is None:
        raise SetupError("Virtuoso's isql-vt is not installed: apt-get install virtuoso-opensource-7-bin")
    return found


def run_isql(address: str, credentials: Credentials, script: str, limit: float = STEP_LIMIT, step: str = "isql") -> str:
    """Run SQL statements through isql; fail on the first error it reports.

    :param address: Virtuoso's SQL address, ``HOST:PORT``.
    :param credentials: the account (user and password required).
    :param script: statements, each ending with ``;``.
    :param limit: longest the whole script may run, seconds (then isql is stopped; Virtuoso rolls back the
        statement of a client that has gone).
    :param step: the publish step, for the messages.
    :returns: isql's output.
    :raises SetupError: if the server cannot be reached, refuses the login, or a statement fails.
    """
    user, password = credentials.required(f"Virtuoso at {address}")
    stdin = ("" if password == ISQL_DEFAULT_PASSWORD else password + "\n") + script
    try:
        done = subprocess.run(  # noqa: S603 - a fixed program; the password goes to stdin
            [find_isql(), address, user], input=stdin, capture_output=True, text=True, timeout=limit, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise SetupError(
            f"Virtuoso at {address}: step {step!r} did not finish within {limit:g} s and was stopped (--step-timeout)"
        ) from exc
    if done.returncode < 0:
        raise SetupError(f"Virtuoso at {address}: isql was stopped by signal {-done.returncode} during step {step!r}")
    output = (done.stdout + done.stderr).replace(password, "********")
    lines = output.splitlines()
    prompted = any("Enter password" in line for line in lines)
    errors = [line for line in lines if line.startswith("*** Error")]
    if prompted and errors and "Bad login" in errors[0]:
        errors = errors[1:]  # isql's first try, with its default password
    for error in errors:
        if "Bad login" in error:
            raise SetupError(
                f"Virtuoso at {address} refused the login of user {user!r}: check the credentials "
                "(after a few failed logins Virtuoso refuses every login from this address for a minute)"
            )
        if "Connect failed" in error or "CL033" in error:
            raise SetupError(f"cannot reach Virtuoso's SQL port at {address}: {error}")
        detail = " ".join(lines[lines.index(error) : lines.index(error) + 3])
        if "FA003" in error or "FA112" in error or "DirsAllowed" in detail:
            raise SetupError(f"Virtuoso may not read the load folder: add it to DirsAllowed in virtuoso.ini ({error})")
        raise SetupError(f"Virtuoso at {address}: {detail}")
    return output


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
        f"DB.DBA.MSCKG_MAP_START ({_sql_string(run)});\n"
        + "".join(f"DB.DBA.MSCKG_MAP_ADD ({_sql_string(str(path))});\n" for path in sorted(folder.glob("graphs-*.txt")))
        + "DB.DBA.MSCKG_MAP_CHECK ();\n"
    )


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
    slots, token = _sql_string(SLOTS), _sql_string(run)

    def isql(step: str, script: str) -> str:
        return run_isql(address, credentials, script, step_limit, step)

    def write() -> None:
        nonlocal quads
        quads = _write_load_files(dump, folder, graphs)
        progress(f"staged {quads} quads in {len(graphs)} graphs under {folder}")

    def hide() -> None:
        procedures = _PROCEDURES.replace("{private}", PRIVATE).replace("{system}", _SYSTEM_LIST)
        procedures = procedures.replace("{mark}", RELEASE_MARK)
        plan = Plan.read(isql("hide", procedures + f"select DB.DBA.MSCKG_PLAN ({slots}, {len(graphs)});\n"), address)
        hazards = plan.hazards(len(graphs))
        if hazards and online:
            raise SetupError(f"Virtuoso at {address}: not safe while readers query (--online), nothing changed: "
                             + "; ".join(hazards) + " (docs/deploy.md, 'Publishing while readers query')")  # fmt: skip
        for hazard in hazards:
            progress(f"warning: {hazard}: publish with no reader querying (docs/deploy.md)")
        wanted = slots_for(len(graphs))
        grow = f"DB.DBA.MSCKG_RESERVE_SLOTS ({slots}, {wanted});\n" if len(graphs) > plan.reserved else ""
        isql("hide", f"DB.DBA.MSCKG_DROP_GRAPHS ({slots});\nDB.DBA.MSCKG_SETUP ();\n{grow}" + _map_calls(folder, run))

    def load() -> None:
        where = _sql_string(str(folder) + "/")  # every value below is quoted by _sql_string
        forget = f"delete from DB.DBA.LOAD_LIST where LL_FILE like {where} || '%';\n"  # noqa: S608
        isql("load", f"{forget}ld_dir ({_sql_string(str(folder))}, 'staged-*.nq', 'urn:x-msckg:unused');\n"
                     f"rdf_loader_run ();\nDB.DBA.MSCKG_CHECK_LOAD ({where});\n{forget}checkpoint;\n")  # fmt: skip

    def switch() -> None:
        isql("switch", f"DB.DBA.MSCKG_SWITCH ({_sql_string(OWNED)}, {token}, {quads});\ncheckpoint;\n")

    progress(f"publishing {release} to Virtuoso at {address} (staging graphs {SLOTS}…, run {run})")
    try:
        timer.step("stage", write)
        timer.step("hide", hide)
        timer.step("load", load)
        timer.step("switch", switch)
    except BaseException:
        try:
            run_isql(address, credentials, f"rdf_load_stop ();\nDB.DBA.MSCKG_DISCARD ({slots}, {token});\n",
                     max(step_limit, DISCARD_LIMIT), "discard")  # fmt: skip
        except SetupError:
            progress(f"could not remove the staged quads of graphs {SLOTS}…; the next publish removes them")
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return PublishResult(f"virtuoso://{address}", quads, len(graphs), timer.finish())
