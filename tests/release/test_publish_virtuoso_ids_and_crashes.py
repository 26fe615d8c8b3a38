"""``msckg publish --virtuoso`` against two things of Virtuoso's own: IRI id 8192, and a crash.

IRI id 8192: Virtuoso 7.2 reads it as the graph id of the default permissions of private graphs, so a public
graph whose IRI got that id is hidden from the public's ``GRAPH ?g`` and union default graph; a new database
hands the id out like any other. A publish takes it out of the allocator's reach before it makes any IRI, and
refuses a release graph that holds it already (a database published into before).

A crash: ``SIGKILL`` (no checkpoint, no clean shutdown), then a start on the same database. Virtuoso replays its
transaction log and rebuilds its graph-security caches from its tables (the publish writes the caches without
log records); the bulk load is not logged, so the load ends with a checkpoint. Killed after the load, the old
release is served and the loaded staging graphs stay hidden; killed after the switch's commit, before its
checkpoint, the new release is served with every IRI's name.

These tests use a Virtuoso of their own: a new database (the refusal test gives an IRI the reserved id for
good, and the crash tests kill the server), and a server whose logins no test has refused (after four failed
logins from an address, Virtuoso refuses every login from it for a minute).
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.release.layout import DUMP_FILE
from server.release.publish import OWNED, Credentials
from server.release.virtuoso import publish_virtuoso
from server.release.virtuoso_sql import RELEASE_MARK
from tests.release.store_checks import (
    STAGED,
    ask,
    number,
    private_state,
    release_counts,
    security_audit_clean,
    select,
    served_counts,
    slot_of,
    sql,
    sql_number,
    staged_quads,
)
from tests.stores import Virtuoso

#: The IRI id Virtuoso reads as "private graphs" in ``DB.DBA.RDF_GRAPH_USER`` (and as ``nodeID://8192``).
RESERVED = 8192
#: A graph of the endpoint fixture that no other release holds.
FORCED_GRAPH = "https://w3id.org/msc-liver/np/t-01/assertion"
#: A graph of the paths fixture's release.
FIXTURE_GRAPH = "https://w3id.org/msc-liver/graph/entities/fixture"
#: A graph of every release.
ONTOLOGY_GRAPH = "https://w3id.org/msc-liver/graph/ontology"

#: The next ids every IRI sequence in use hands out, drawn up to ``wanted``; the sequence that gives ``wanted``
#: itself, or -1. (``iri_id_new (n)`` is Virtuoso's allocator, as ``iri_to_id`` uses it, without a name.)
_DRAW = """
create procedure DB.DBA.MSCKG_TEST_DRAW (in wanted integer)
{
  declare seq, got integer;
  for (seq := 0; seq < 19; seq := seq + 1)
    if (sequence_set (sprintf ('__IRI_MAX%d', seq), 0, 2) > wanted)
      {
        got := 0;
        while (got < wanted)
          got := iri_id_num (iri_id_new (seq));
        if (got = wanted)
          return seq;
      }
  return -1;
}
;
"""

#: Give ``target`` the id ``wanted``, as Virtuoso's allocator did on a database published into before the id was
#: reserved: this transaction's sequence (the one whose range holds a probe's new id) hands out exactly that id
#: once, then is put back. (The sequence whose range holds the id is left as it was: a publish moves it on.)
_GIVE = """
create procedure DB.DBA.MSCKG_TEST_GIVE (in target varchar, in wanted integer)
{
  declare probe, seq, mine, mine_max, saved_next, got integer;
  if (iri_to_id (target, 0) is not null)
    signal ('MSCKG', sprintf ('<%s> has an IRI id already', target));
  if (exists (select 1 from DB.DBA.RDF_IRI where RI_ID = iri_id_from_num (wanted)))
    signal ('MSCKG', sprintf ('IRI id %d is taken', wanted));
  probe := iri_id_num (iri_to_id (sprintf ('urn:x-msckg:test:probe:%s', uuid ())));
  mine := -1;
  for (seq := 0; seq < 19; seq := seq + 1)
    if (sequence_set (sprintf ('__IRI_MAX%d', seq), 0, 2) > probe
        and (mine < 0 or sequence_set (sprintf ('__IRI_MAX%d', seq), 0, 2) < mine_max))
      {
        mine := seq;
        mine_max := sequence_set (sprintf ('__IRI_MAX%d', seq), 0, 2);
      }
  saved_next := sequence_set (sprintf ('__IRI%d', mine), 0, 2);
  sequence_set (sprintf ('__IRI%d', mine), wanted, 0);
  sequence_set (sprintf ('__IRI_MAX%d', mine), wanted + 1, 0);
  got := iri_id_num (iri_to_id (target));
  sequence_set (sprintf ('__IRI%d', mine), saved_next, 0);
  sequence_set (sprintf ('__IRI_MAX%d', mine), mine_max, 0);
  if (got <> wanted)
    signal ('MSCKG', sprintf ('<%s> got IRI id %d', target, got));
}
;
"""


def _publish_args(server: Virtuoso, release: Path) -> list[str]:
    return ["publish", "--release", str(release), "--virtuoso", server.address, "--load-dir", str(server.load_dir)]


def _served_names(endpoint: str) -> set[str]:
    """Every IRI a public reader sees in a quad, graph included, by name: an id that lost its name is not one."""
    import json
    import urllib.parse
    import urllib.request

    url = endpoint + "?" + urllib.parse.urlencode({"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:  # our own 127.0.0.1 server
        rows = json.load(response)["results"]["bindings"]
    return {term["value"] for row in rows for term in row.values() if term["type"] == "uri"}


def _release_names(release: Path) -> set[str]:
    import pyoxigraph as ox

    quads = ox.parse(path=str(release / DUMP_FILE), format=ox.RdfFormat.N_QUADS)
    terms = (term for quad in quads for term in (quad.subject, quad.predicate, quad.object, quad.graph_name))
    return {term.value for term in terms if isinstance(term, ox.NamedNode)}


@pytest.fixture(scope="module")
def own_virtuoso(tmp_path_factory: pytest.TempPathFactory, real_release: Path) -> Iterator[Virtuoso]:
    """A Virtuoso of this module's own, on a new database, serving the real release."""
    from tests.stores import virtuoso_missing

    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)
    server = Virtuoso(tmp_path_factory.mktemp("own-virtuoso"), query_limit=30).start()
    try:
        publish_virtuoso(real_release, server.address, Credentials("dba", server.password), server.load_dir,
                         lambda line: None)  # fmt: skip
        yield server
    finally:
        server.stop()


def test_virtuoso_publish_keeps_iri_id_8192_from_every_iri(own_virtuoso: Virtuoso) -> None:
    """After a publish into a new database, no IRI holds id 8192 (but the one given it on purpose below) and none
    of the next ids any sequence hands out is 8192."""
    server = own_virtuoso
    given = f"coalesce (iri_to_id ('{FORCED_GRAPH}', 0), #i0)"
    holders = f"select count (*) from DB.DBA.RDF_IRI where RI_ID = #i{RESERVED} and RI_ID <> {given}"
    assert sql_number(server, holders) == 0
    sql(server, _DRAW)
    assert sql_number(server, f"select DB.DBA.MSCKG_TEST_DRAW ({RESERVED})") == -1


def test_virtuoso_publish_refuses_a_release_graph_holding_iri_id_8192(own_virtuoso: Virtuoso,
                                                                      endpoint_release: Path) -> None:  # fmt: skip
    server = own_virtuoso
    before = served_counts(server.sparql)
    slots = private_state(server)
    sql(server, _GIVE + f"DB.DBA.MSCKG_TEST_GIVE ('{FORCED_GRAPH}', {RESERVED});\n")
    # what the refusal spares the release: the public may not read a graph with that id (0), a served one it may
    perms = "select __rdf_graph_approx_perms (iri_to_id ('{}'), http_nobody_uid ())"
    assert sql_number(server, perms.format(FORCED_GRAPH)) == 0
    assert sql_number(server, perms.format(ONTOLOGY_GRAPH)) & 1
    runner = CliRunner(env={"MSCKG_STORE_USER": "dba", "MSCKG_STORE_PASSWORD": server.password})
    result = runner.invoke(main, _publish_args(server, endpoint_release))
    assert result.exit_code == 2, result.output
    assert f"graph <{FORCED_GRAPH}> has IRI id #i{RESERVED}" in result.output
    assert "Traceback" not in result.output and result.output.count("msckg: error:") == 1
    assert served_counts(server.sparql) == before
    assert staged_quads(server) == 0
    assert private_state(server) == slots
    assert not list(server.load_dir.iterdir()), "load files left behind"


class _Killed(Exception):
    pass


def _publish_killed(server: Virtuoso, release: Path, switch_first: bool) -> str:
    """Publish; once the load is done, SIGKILL the server (after running the switch, if asked); after the restart,
    the slot the fixture graph was staged in.

    With ``switch_first`` the switch's own statement runs and commits, and the server dies before the checkpoint
    the switch step runs next.
    """
    seen: dict[str, str] = {}

    def progress(line: str) -> None:
        found = re.search(r", run (\S+)\)$", line)
        if found:
            seen["run"] = found.group(1)
        if line.startswith("load: done"):
            if switch_first:  # in a transaction left open: the mark's last change is not committed at the kill
                sql(server, f"set autocommit manual;\nDB.DBA.MSCKG_SWITCH ('{OWNED}', '{seen['run']}');\n")
            server.kill()
            raise _Killed

    with pytest.raises(_Killed):
        publish_virtuoso(release, server.address, Credentials("dba", server.password), server.load_dir, progress)
    server.restart()
    return slot_of(server, FIXTURE_GRAPH)


def test_virtuoso_killed_after_the_load_serves_the_old_release_and_hides_the_staged_graphs(
        own_virtuoso: Virtuoso, paths_release: Path, real_release: Path) -> None:  # fmt: skip
    server = own_virtuoso
    names = _served_names(server.sparql)
    counts = served_counts(server.sparql)
    assert names != _release_names(paths_release)
    staged = _publish_killed(server, paths_release, switch_first=False)
    loaded = f"select count (*) from DB.DBA.RDF_QUAD where G = iri_to_id ('{staged}')"
    assert sql_number(server, loaded) > 0, "the loaded staging graphs should outlive the crash (the load's checkpoint)"
    assert _served_names(server.sparql) == names and served_counts(server.sparql) == counts
    assert not ask(server.sparql, STAGED)
    assert not ask(server.sparql, f"ASK {{ GRAPH <{staged}> {{ ?s ?p ?o }} }}")
    assert number(select(server.sparql, f"SELECT (COUNT(*) AS ?q) FROM <{staged}> WHERE {{ ?s ?p ?o }}")[0]) == 0
    assert private_state(server)[1] == 0, "the private graphs' cache differs from the table after the restart"
    assert security_audit_clean(server)
    # the next publish loads into the same slots: it drops what the dead run left there first
    publish_virtuoso(real_release, server.address, Credentials("dba", server.password), server.load_dir,
                     lambda line: None)  # fmt: skip
    assert served_counts(server.sparql) == list(release_counts(real_release))
    assert staged_quads(server) == 0


def test_virtuoso_killed_after_the_switch_commit_serves_the_new_release_by_name(
        own_virtuoso: Virtuoso, paths_release: Path) -> None:  # fmt: skip
    server = own_virtuoso
    _publish_killed(server, paths_release, switch_first=True)
    assert _served_names(server.sparql) == _release_names(paths_release)
    # the switch's mark is "stable" after the restart ("switching" is never logged): the fronts' fence does not wait
    mark = f'SELECT (bif:registry_get("{RELEASE_MARK}") AS ?mark) {{}}'
    assert select(server.sparql, mark)[0].strip('"').startswith("stable ")
    assert served_counts(server.sparql) == list(release_counts(paths_release))
    assert not ask(server.sparql, STAGED)
    assert private_state(server)[1] == 0
    assert security_audit_clean(server)
