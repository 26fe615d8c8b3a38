"""``msckg publish --virtuoso`` while readers query the same Virtuoso: each read sees one whole release.

Virtuoso 7.2.5 has two hazards for a publish under readers (docs/deploy.md, "Publishing while readers query"):
a change of its private-graph set can crash it (the set is read without a lock), and a bulk load beside a query
that runs on several threads can freeze it. A publish changes the set only when it must (a first publish, more
graphs than the staging slots already private) and says so; ``--online`` refuses such a publish, and one into a
server with ``ThreadsPerQuery`` above 1, before it changes anything.

And Virtuoso's read committed holds per row: a query that runs while the switch commits can mix two releases.
The switch marks its commit in the registry; the front's remote engine fences its queries with that mark
(:mod:`server.engine.fence`), so that readers of ``msckg serve --store`` never see a mix.

These tests run on a Virtuoso of their own (a new database: the first publish is one of the cases) with
``ThreadsPerQuery = 1``.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from server.cli import main
from server.release.layout import DUMP_FILE
from server.release.virtuoso import slots_for
from server.release.virtuoso_sql import PRIVATE, RELEASE_MARK
from tests.release.store_checks import (
    COUNT_UNION,
    number,
    release_counts,
    select,
    served_counts,
    sql,
    sql_number,
    staged_quads,
)
from tests.stores import Virtuoso

#: Re-publishes while the readers query (alternating two releases).
REPUBLISHES = 6
#: Readers querying the front at once.
READERS = 3


@pytest.fixture(scope="module")
def online_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A Virtuoso of this module's own, on a new database, nothing published."""
    from tests.stores import virtuoso_missing

    reason = virtuoso_missing()
    if reason:
        pytest.skip(reason)
    server = Virtuoso(tmp_path_factory.mktemp("online-virtuoso"), query_limit=30).start()
    try:
        yield server
    finally:
        server.stop()


def _publish(server: Virtuoso, release: Path, *options: str) -> Result:
    runner = CliRunner(env={"MSCKG_STORE_USER": "dba", "MSCKG_STORE_PASSWORD": server.password})
    args = [
        "publish",
        "--release",
        str(release),
        "--virtuoso",
        server.address,
        "--load-dir",
        str(server.load_dir),
        "--step-timeout",
        "120",
    ]  # a frozen store fails the test in minutes, not at pytest's limit
    return runner.invoke(main, [*args, *options])


def _private_members(server: Virtuoso) -> int:
    return sql_number(server, "select count (*) from DB.DBA.RDF_GRAPH_GROUP_MEMBER "
                              f"where RGGM_GROUP_IID = iri_to_id ('{PRIVATE}')")  # fmt: skip


def _many_graphs_release(folder: Path, graphs: int) -> Path:
    """A release of ``graphs`` one-triple graphs under the project's namespace."""
    folder.mkdir()
    lines = (f"<https://w3id.org/msc-liver/entity/t{n}> <http://www.w3.org/2000/01/rdf-schema#label> \"t{n}\" "
             f"<https://w3id.org/msc-liver/graph/test/{n}> .\n" for n in range(graphs))  # fmt: skip
    (folder / DUMP_FILE).write_text("".join(lines), encoding="utf-8")
    return folder


def test_online_publish_refuses_what_could_crash_or_freeze_virtuoso(
        online_virtuoso: Virtuoso, real_release: Path, endpoint_release: Path, tmp_path: Path) -> None:  # fmt: skip
    server = online_virtuoso
    union_before, members_before = number(select(server.sparql, COUNT_UNION)[0]), _private_members(server)
    # a first publish changes the private-graph set: refused online, and nothing changed
    refused = _publish(server, real_release, "--online")
    assert refused.exit_code == 2, refused.output
    assert "not safe while readers query (--online): nothing published, graph security unchanged" in refused.output
    assert "private-graph set changes" in refused.output and "a first publish" in refused.output
    assert "Traceback" not in refused.output
    assert _private_members(server) == members_before
    assert number(select(server.sparql, COUNT_UNION)[0]) == union_before
    # without --online it says why readers should wait, and publishes
    first = _publish(server, real_release)
    assert first.exit_code == 0, first.output
    assert "warning: the store's private-graph set changes" in first.output
    assert served_counts(server.sparql) == list(release_counts(real_release))
    # now a publish changes no graph security: online it goes through, without a warning
    members = _private_members(server)
    online = _publish(server, endpoint_release, "--online")
    assert online.exit_code == 0, online.output
    assert "warning" not in online.output
    assert served_counts(server.sparql) == list(release_counts(endpoint_release))
    assert _private_members(server) == members
    # a server that runs a query on several threads: refused online
    sql(server, "__dbf_set ('enable_qp', 4);\n")
    try:
        threaded = _publish(server, real_release, "--online")
    finally:
        sql(server, "__dbf_set ('enable_qp', 1);\n")
    assert threaded.exit_code == 2, threaded.output
    assert "up to 4 threads (ThreadsPerQuery)" in threaded.output
    assert served_counts(server.sparql) == list(release_counts(endpoint_release))
    # more graphs than the staging slots private already: refused online, taken offline (a warning)
    reserved = slots_for(release_counts(real_release)[0])
    big = _many_graphs_release(tmp_path / "big", reserved + 1)
    grows = _publish(server, big, "--online")
    assert grows.exit_code == 2, grows.output
    assert f"the release has {reserved + 1} graphs, {reserved} staging graphs are private already" in grows.output
    assert _private_members(server) == members and staged_quads(server) == 0
    assert served_counts(server.sparql) == list(release_counts(endpoint_release))
    taken = _publish(server, big)
    assert taken.exit_code == 0 and "warning" in taken.output, taken.output
    assert served_counts(server.sparql) == [reserved + 1, reserved + 1]
    assert _private_members(server) == members + slots_for(reserved + 1) - reserved


def _select(url: str, query: str) -> list[dict[str, str]]:
    """A SELECT's rows as name -> value, over HTTP."""
    import requests

    response = requests.post(url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                             timeout=30)  # fmt: skip
    response.raise_for_status()
    return [{name: term["value"] for name, term in row.items()} for row in response.json()["results"]["bindings"]]


#: What a reader asks: quads per named graph, and the quads of the union default graph.
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _answer(url: str) -> tuple[Counter[str], int]:
    per_graph = Counter({row["g"]: int(row["n"]) for row in _select(url, PER_GRAPH)})
    return per_graph, int(_select(url, COUNT_UNION)[0]["q"])


def _release_answer(release: Path) -> tuple[Counter[str], int]:
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(release / DUMP_FILE), format=ox.RdfFormat.N_QUADS))
    return Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)), len(quads)


def _mark(server: Virtuoso) -> str:
    rows = _select(server.sparql, f'SELECT (bif:registry_get("{RELEASE_MARK}") AS ?mark) {{}}')
    return rows[0]["mark"]


def test_republish_while_readers_query_the_front_shows_one_whole_release_at_a_time(
        online_virtuoso: Virtuoso, real_release: Path, endpoint_release: Path) -> None:  # fmt: skip
    """Readers of ``msckg serve --store`` (a live front, real HTTP) count the quads of every named graph and of
    the union throughout six re-publishes that alternate two releases: every answer is one release's, whole."""
    from server.engine.remote import RemoteEngine
    from server.web import create_app
    from tests.conftest import _start_live, make_settings

    server = online_virtuoso
    setup = _publish(server, real_release)  # the module's first publish may be this one
    assert setup.exit_code == 0, setup.output
    releases = (endpoint_release, real_release)
    wholes = [_release_answer(release) for release in releases]
    settings = make_settings(real_release)
    front = _start_live(create_app(settings, RemoteEngine(server.sparql, settings.query_timeout)))
    url = f"http://127.0.0.1:{front.effective_port}/sparql"
    reads, wrong = Counter[str](), list[str]()
    stop = threading.Event()

    def read(name: str) -> None:
        while not stop.is_set():
            try:
                per_graph, union = _answer(url)
            except Exception as exc:  # a failed read is a finding, whatever its kind
                wrong.append(f"{name}: {exc!r}")
                continue
            reads[name] += 1
            if not (any(per_graph == graphs for graphs, _ in wholes) and union in {quads for _, quads in wholes}):
                wrong.append(f"{name}: {sum(per_graph.values())} quads in {len(per_graph)} graphs, union {union}")

    # (Virtuoso's own endpoint has no fence: benchmarks/bench_switch.py counts its mixed reads)
    readers = [threading.Thread(target=read, args=(f"reader {n}",)) for n in range(READERS)]
    epoch = int(_mark(server).split()[1])
    for reader in readers:
        reader.start()
    try:
        for run in range(REPUBLISHES):
            result = _publish(server, releases[run % 2], "--online")
            assert result.exit_code == 0, result.output
    finally:
        stop.set()
        for reader in readers:
            reader.join()
        front.close()
    assert not wrong, wrong[:5]
    assert sum(reads.values()) >= 2 * REPUBLISHES, reads
    assert _mark(server).split()[:2] == ["stable", str(epoch + REPUBLISHES)]
    assert _answer(server.sparql) == wholes[(REPUBLISHES - 1) % 2]


def test_front_waits_while_the_store_marks_a_switch(online_virtuoso: Virtuoso, real_release: Path) -> None:
    """A query sent while the mark says ``switching`` is answered once it says ``stable`` again; if it never
    does within the time limit, the answer is a 503 that says why."""
    from server.engine import QuerySpec
    from server.engine.remote import RemoteEngine
    from server.errors import StoreUnavailable

    server = online_virtuoso
    assert _publish(server, real_release).exit_code == 0
    mark = _mark(server)
    epoch = int(mark.split()[1])
    engine = RemoteEngine(server.sparql, timeout=5)
    spec = QuerySpec(COUNT_UNION, accept="application/sparql-results+json")
    assert engine.query(spec).body  # the fence has read the stable mark
    answered: list[float] = []
    set_mark = "registry_set ('{}', '{} {}');\n"
    sql(server, set_mark.format(RELEASE_MARK, "switching", epoch + 1))
    try:
        waiting = threading.Thread(target=lambda: answered.append(len(engine.query(spec).body)))
        waiting.start()
        waiting.join(1.0)
        assert not answered, "a query was answered while the store marked a switch"
        sql(server, set_mark.format(RELEASE_MARK, "stable", epoch + 1))
        waiting.join(5.0)
        assert answered, "the query was not answered once the switch was over"
        sql(server, set_mark.format(RELEASE_MARK, "switching", epoch + 2))
        quick = RemoteEngine(server.sparql, timeout=1)
        with pytest.raises(StoreUnavailable, match="switching to a new release"):
            quick.query(spec)
    finally:
        sql(server, set_mark.format(RELEASE_MARK, "stable", epoch + 2))


def test_a_store_that_refuses_the_mark_is_served_unfenced_with_a_warning(
        online_virtuoso: Virtuoso, real_release: Path, caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    import dataclasses
    import logging

    from server.engine import QuerySpec
    from server.engine.dialect import VIRTUOSO
    from server.engine.remote import RemoteEngine

    server = online_virtuoso
    assert _publish(server, real_release).exit_code == 0
    refusing = dataclasses.replace(VIRTUOSO, release_mark_query="SELECT (bif:msckg_no_such_function () AS ?m) {}")
    engine = RemoteEngine(server.sparql, 5, refusing)
    with caplog.at_level(logging.WARNING, logger="msckg.remote"):
        body = engine.query(QuerySpec(COUNT_UNION, accept="text/csv")).body
    assert body.decode().splitlines()[1] == str(release_counts(real_release)[1])
    assert engine.fence is None
    assert "are not fenced against release switches" in caplog.text


def test_one_publish_at_a_time(online_virtuoso: Virtuoso, real_release: Path, endpoint_release: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """While a run holds the store's publish lock, a second publish gives up (exit 2) and changes nothing; a run
    whose process died leaves no lock behind."""
    from server.release import isql
    from server.release.publish import Credentials

    server = online_virtuoso
    assert _publish(server, real_release).exit_code == 0
    monkeypatch.setattr(isql, "LOCK_WAIT", 2.0)
    account = Credentials("dba", server.password)
    with isql.PublishLock(server.address, account, "urn:x-msckg:staging:other-run:"):
        refused = _publish(server, endpoint_release)
    assert refused.exit_code == 2, refused.output
    assert "another publish into this store is running (run urn:x-msckg:staging:other-run:)" in refused.output
    assert "Traceback" not in refused.output
    assert served_counts(server.sparql) == list(release_counts(real_release)) and staged_quads(server) == 0
    # a run that dies holding the lock: its isql session goes with it (here: killed), and so does the lock
    dead = isql.PublishLock(server.address, account, "urn:x-msckg:staging:dead-run:").__enter__()
    assert dead.session is not None
    dead.session.kill()
    dead.session.wait()
    taken = _publish(server, endpoint_release)
    assert taken.exit_code == 0, taken.output
    assert served_counts(server.sparql) == list(release_counts(endpoint_release))


@pytest.mark.parametrize("group", [False, True], ids=["process", "process-group"])
def test_a_publisher_killed_while_loading_leaves_nothing_in_the_next_release(
        online_virtuoso: Virtuoso, endpoint_release: Path, tmp_path: Path, group: bool) -> None:  # fmt: skip
    """``msckg publish`` killed during its bulk load. The process alone: the load goes on in Virtuoso (its isql
    outlives it); the next publish stops it and waits for it before it empties the slots. With its isql (a process
    group: a container stop): the load dies with its client, its file stays listed as being loaded, and the next
    publish sees that no quad arrives any more. Either way the next release is exactly its own, and in time."""
    import os
    import signal
    import subprocess
    import sys
    import time

    server = online_virtuoso
    big = tmp_path / "big"
    big.mkdir()
    lines = (f"<https://w3id.org/msc-liver/entity/k{n}> <http://www.w3.org/2000/01/rdf-schema#label> \"k{n}\" "
             f"<https://w3id.org/msc-liver/graph/test/{n % 50}> .\n" for n in range(1_200_000))  # fmt: skip
    (big / DUMP_FILE).write_text("".join(lines), encoding="utf-8")
    env = {**os.environ, "MSCKG_STORE_USER": "dba", "MSCKG_STORE_PASSWORD": server.password}
    killed = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "server", "publish", "--release", str(big), "--virtuoso", server.address,
         "--load-dir", str(server.load_dir)], env=env, stderr=subprocess.PIPE, text=True,
        start_new_session=group)  # fmt: skip
    assert killed.stderr is not None
    for line in killed.stderr:
        if line.startswith("hide: done"):
            break
    time.sleep(0.5)  # the bulk load has begun
    if group:
        os.killpg(killed.pid, signal.SIGKILL)
    else:
        killed.kill()
    killed.wait()
    started = time.monotonic()
    result = _publish(server, endpoint_release)
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < 90, "the next publish waited for a load that was gone"
    assert _answer(server.sparql) == _release_answer(endpoint_release)
    assert staged_quads(server) == 0


def test_online_is_for_virtuoso_only(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--gsp", "http://127.0.0.1:9/store", "--online"])
    assert result.exit_code == 2
    assert "--online is for --virtuoso" in result.output
