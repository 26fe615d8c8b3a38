"""``msckg publish`` into real stores: Virtuoso (bulk loader over isql) and ``oxigraph serve`` (Graph Store Protocol).

A publish replaces the project's graphs, keeps each named graph intact, leaves no staged quad behind, and no
staging graph is readable while it loads (checked at a stop point here; with readers querying throughout in
test_publish_virtuoso_online.py); credentials come from the environment or a file and never show in the output;
a wrong password, a missing account or an unreachable store is one line and exit 2.
"""

import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from server.cli import main
from server.release.layout import DUMP_FILE
from tests.conftest import ENDPOINT_FIXTURE
from tests.release.store_checks import (
    COUNT_UNION,
    STAGED,
    ask,
    number,
    private,
    private_state,
    release_counts,
    security_audit_clean,
    select,
    served_counts,
    slot_of,
    sql_number,
    staged_quads,
)


def _small_release(tmp_path: Path) -> Path:
    from rdflib import Dataset

    release = tmp_path / "small"
    release.mkdir()
    ds = Dataset()
    ds.parse(ENDPOINT_FIXTURE, format="trig")
    ds.serialize(release / DUMP_FILE, format="nquads", encoding="utf-8")
    return release


def test_virtuoso_republish_replaces_the_release(published_virtuoso, real_release: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    server = published_virtuoso
    graphs, quads = release_counts(real_release)
    assert served_counts(server.sparql) == [graphs, quads]
    # Virtuoso's own graphs are private: the union default graph is the release
    assert number(select(server.sparql, COUNT_UNION)[0]) == quads
    slots = private_state(server)
    monkeypatch.setenv("MSCKG_STORE_USER", "dba")
    monkeypatch.setenv("MSCKG_STORE_PASSWORD", server.password)
    result = CliRunner().invoke(main, ["publish", "--release", str(real_release), "--virtuoso", server.address,
                                       "--load-dir", str(server.load_dir)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert server.password not in result.output
    assert "staged" in result.output and "switch: done" in result.output
    # a re-publish leaves the store's graph security as it was: no warning, the same private staging slots
    assert "warning" not in result.output
    assert private_state(server) == slots and slots[0] >= graphs and slots[1] == 0
    assert f"{quads} quads in {graphs} graphs" in result.output
    assert served_counts(server.sparql) == [graphs, quads]
    assert number(select(server.sparql, COUNT_UNION)[0]) == quads
    assert not ask(server.sparql, STAGED)
    assert not list(server.load_dir.iterdir()), "load files left behind"


def test_virtuoso_step_past_its_limit_fails_and_keeps_the_served_release(  # type: ignore[no-untyped-def]
        published_virtuoso, real_release: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    server = published_virtuoso
    before = served_counts(server.sparql)
    slots = private_state(server)
    monkeypatch.setenv("MSCKG_STORE_USER", "dba")
    monkeypatch.setenv("MSCKG_STORE_PASSWORD", server.password)
    result = CliRunner().invoke(main, ["publish", "--release", str(real_release), "--virtuoso", server.address,
                                       "--load-dir", str(server.load_dir), "--step-timeout", "0.01"])  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "step 'hide' did not finish within 0.01 s" in result.output and "Traceback" not in result.output
    assert served_counts(server.sparql) == before
    assert staged_quads(server) == 0
    assert private_state(server) == slots
    assert not list(server.load_dir.iterdir()), "load files left behind"


#: A graph of the release, and what a SPARQL reader asks of it under its staging name.
RELEASE_GRAPH = "https://w3id.org/msc-liver/graph/ontology"
STAGED_ASK = "ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}"
STAGED_FROM = "SELECT (COUNT(*) AS ?q) FROM <{g}> WHERE {{ ?s ?p ?o }}"


class _Interrupted(Exception):
    pass


def _publish_watching_load(server, release: Path, seen: dict[str, Any], interrupt: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Publish; when the bulk load is done (before the switch), look at one staged graph as SQL and as SPARQL see it."""
    from server.release.publish import Credentials
    from server.release.virtuoso import publish_virtuoso

    def progress(line: str) -> None:
        if line.startswith("load: done"):
            staged = seen["staged"] = slot_of(server, RELEASE_GRAPH)
            seen["quads"] = sql_number(server, f"select count(*) from DB.DBA.RDF_QUAD where G = iri_to_id('{staged}')")
            seen["private"] = private(server, staged)
            seen["sparql ask"] = ask(server.sparql, STAGED_ASK.format(g=staged))
            seen["sparql from"] = number(select(server.sparql, STAGED_FROM.format(g=staged))[0])
            seen["sparql any"] = ask(server.sparql, STAGED)
            if interrupt:
                raise _Interrupted

    publish_virtuoso(release, server.address, Credentials("dba", server.password), server.load_dir, progress)


def test_virtuoso_staging_graphs_are_private_slots_that_stay_private(  # type: ignore[no-untyped-def]
        published_virtuoso, real_release: Path) -> None:  # fmt: skip
    """Staging graphs are slots made private once: a re-publish loads into them and changes no graph security.

    While loaded and not yet switched, a slot holds the release graph's quads (SQL) and a SPARQL reader gets
    nothing from it, by name (``GRAPH <g>``, ``FROM <g>``: the compiler's static check, which needs the graph's
    IRI cached) or by pattern (``GRAPH ?g``: the run-time check); after the publish the slot is empty and still
    private, the cache agrees with the table, Virtuoso's own audit finds nothing, and the release is readable.
    """
    server = published_virtuoso
    seen: dict[str, Any] = {}
    _publish_watching_load(server, real_release, seen)
    assert seen["quads"] > 0, "the staged graph should hold quads when the load is done"
    assert seen["private"] == (1, 1), "the staged graph should be private, in the table and in the cache"
    assert seen["sparql ask"] is False and seen["sparql from"] == 0 and seen["sparql any"] is False, seen
    assert private(server, seen["staged"]) == (1, 1)
    assert sql_number(server, f"select count(*) from DB.DBA.RDF_QUAD where G = iri_to_id('{seen['staged']}')") == 0
    assert private_state(server)[1] == 0
    assert security_audit_clean(server)
    assert ask(server.sparql, STAGED_ASK.format(g=RELEASE_GRAPH))
    assert served_counts(server.sparql) == list(release_counts(real_release))


def test_virtuoso_publish_stopped_after_the_load_discards_the_staged_quads(  # type: ignore[no-untyped-def]
        published_virtuoso, real_release: Path) -> None:  # fmt: skip
    """A run stopped between load and switch: its staged quads are dropped, its slots stay private and empty."""
    server = published_virtuoso
    before = served_counts(server.sparql)
    slots = private_state(server)
    seen: dict[str, Any] = {}
    with pytest.raises(_Interrupted):
        _publish_watching_load(server, real_release, seen, interrupt=True)
    assert seen["quads"] > 0 and seen["private"] == (1, 1), "stopped before the staged graph was loaded and hidden"
    assert private(server, seen["staged"]) == (1, 1)
    assert served_counts(server.sparql) == before
    assert staged_quads(server) == 0
    assert private_state(server) == slots
    assert security_audit_clean(server)
    assert not list(server.load_dir.iterdir()), "load files left behind"


def test_virtuoso_sparql_user_cannot_reach_out(published_virtuoso, real_release: Path) -> None:  # type: ignore[no-untyped-def]
    """Sent straight to the store, not through the front: SERVICE, a sponged FROM, LOAD refused; nothing called."""
    from server.release.isql import run_isql
    from server.release.publish import Credentials
    from server.release.virtuoso import publish_virtuoso

    server = published_virtuoso
    account = Credentials("dba", server.password)
    run_isql(server.address, account, 'grant SPARQL_UPDATE to "SPARQL";\ngrant SPARQL_SPONGE to "SPARQL";\n')
    publish_virtuoso(real_release, server.address, account, server.load_dir, lambda line: None)  # takes them back
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(0.5)
    here = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <{here}sparql> {{ ?s ?p ?o }} }}",
                      f'DEFINE get:soft "replace" SELECT * FROM <{here}data.ttl> WHERE {{ ?s ?p ?o }}',
                      f"LOAD <{here}data.ttl>"):  # fmt: skip
            request = urllib.request.Request(server.sparql, data=urllib.parse.urlencode({"query": query}).encode())
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30).close()
            assert b"SECURITY" in refused.value.read(), query
            with pytest.raises(TimeoutError):
                listener.accept()[0].close()  # nobody called
    finally:
        listener.close()


def test_virtuoso_publish_refuses_wrong_or_missing_credentials(virtuoso, real_release: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    args = ["publish", "--release", str(real_release), "--virtuoso", virtuoso.address,
            "--load-dir", str(virtuoso.load_dir)]  # fmt: skip
    monkeypatch.delenv("MSCKG_STORE_USER", raising=False)
    monkeypatch.delenv("MSCKG_STORE_PASSWORD", raising=False)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "MSCKG_STORE_PASSWORD" in result.output and "Traceback" not in result.output
    secrets = tmp_path / "store.env"
    secrets.write_text("# wrong on purpose\nMSCKG_STORE_USER=dba\nMSCKG_STORE_PASSWORD=not-the-password\n")
    result = CliRunner().invoke(main, [*args, "--credentials", str(secrets)])
    assert result.exit_code == 2
    assert "refused the login of user 'dba'" in result.output
    assert "not-the-password" not in result.output and "Traceback" not in result.output
    assert result.output.count("msckg: error:") == 1


def test_gsp_publish_into_oxigraph_replaces_the_previous_release(real_release: Path, tmp_path: Path) -> None:
    from tests.stores import OxigraphServer

    server = OxigraphServer(tmp_path / "store").start()
    try:
        query = server.url + "/query"
        small = _small_release(tmp_path)
        result = CliRunner().invoke(main, ["publish", "--release", str(small), "--gsp", server.url + "/store"])
        assert result.exit_code == 0, result.output
        assert served_counts(query) == list(release_counts(small))
        assert ask(query, "ASK { GRAPH <https://w3id.org/msc-liver/np/t-01/assertion> { ?s ?p ?o } }")
        result = CliRunner().invoke(main, ["publish", "--release", str(real_release), "--gsp", server.url + "/store"])
        assert result.exit_code == 0, result.output
        assert "staged" in result.output and "switch: done" in result.output
        assert served_counts(query) == list(release_counts(real_release))
        assert not ask(query, "ASK { GRAPH <https://w3id.org/msc-liver/np/t-01/assertion> { ?s ?p ?o } }")
        assert not ask(query, STAGED)
    finally:
        server.stop()


def test_publish_to_an_unreachable_store_is_one_line(real_release: Path) -> None:
    from tests.stores import free_port

    url = f"http://127.0.0.1:{free_port()}/store"
    result = CliRunner().invoke(main, ["publish", "--release", str(real_release), "--gsp", url])
    assert result.exit_code == 2
    assert f"cannot reach {url}" in result.output and "Traceback" not in result.output


def test_publish_needs_exactly_one_store(real_release: Path) -> None:
    result = CliRunner().invoke(main, ["publish", "--release", str(real_release)])
    assert result.exit_code == 2 and "exactly one of --gsp" in result.output
