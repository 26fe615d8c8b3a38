"""Readers during Virtuoso re-publishes: how many answers mix two releases, straight from Virtuoso and through the
front's fence, and what the fence costs a query.

A fresh Virtuoso (``tests/stores.py``, ``ThreadsPerQuery`` as given) gets the real release; then ``--runs``
publishes alternate two releases (the real one, and the same without its computed graphs, ``graph/derived`` and
``graph/inferred``) while ``--readers`` threads read *directly* from Virtuoso's endpoint and as many through
``RemoteEngine`` (what ``msckg serve --store`` runs, fenced by :mod:`server.engine.fence`). A read is the quads of
every named graph (``GROUP BY ?g``), then the union's quads (two queries); it is *whole* when each query's answer is
one release's (the two may be of different releases: a switch can come between them). Then, with
the store quiet, a small query's latency through ``RemoteEngine`` with the fence and without it.

    .venv/bin/python benchmarks/bench_switch.py [--runs 40] [--readers 2] [--threads-per-query 1]
"""

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from _common import ROOT, machine, machine_line

sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from server.engine import QuerySpec  # noqa: E402
from server.engine.dialect import VIRTUOSO  # noqa: E402
from server.engine.remote import RemoteEngine  # noqa: E402
from server.namespaces import COMPUTED_GRAPHS  # noqa: E402
from server.release.layout import DUMP_FILE  # noqa: E402
from server.release.publish import Credentials  # noqa: E402
from server.release.virtuoso import publish_virtuoso  # noqa: E402
from tests.stores import Virtuoso, virtuoso_missing  # noqa: E402

JSON = "application/sparql-results+json"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
UNION = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SMALL = "SELECT ?p ?o WHERE { <https://w3id.org/msc-liver/entity/bm-msc> ?p ?o } LIMIT 20"

Answer = tuple[frozenset[tuple[str, int]], int]


def _releases(work: Path) -> list[Path]:
    """The real release, and a copy of it without the computed graphs."""
    real = ROOT / "build" / "current"
    plain = work / "plain"
    plain.mkdir()
    computed = {str(graph) for graph in COMPUTED_GRAPHS}
    quads = ox.parse(path=str(real / DUMP_FILE), format=ox.RdfFormat.N_QUADS)
    kept = [quad for quad in quads if str(quad.graph_name.value) not in computed]
    (plain / DUMP_FILE).write_bytes(ox.serialize(kept, format=ox.RdfFormat.N_QUADS) or b"")
    return [real, plain]


def _expected(release: Path) -> Answer:
    quads = list(ox.parse(path=str(release / DUMP_FILE), format=ox.RdfFormat.N_QUADS))
    per_graph = Counter(quad.graph_name.value for quad in quads if isinstance(quad.graph_name, ox.NamedNode))
    return frozenset(per_graph.items()), len(quads)


def _read(engine: RemoteEngine) -> Answer:
    rows = json.loads(engine.query(QuerySpec(PER_GRAPH, accept=JSON)).body)["results"]["bindings"]
    per_graph = frozenset((row["g"]["value"], int(row["n"]["value"])) for row in rows)
    union = json.loads(engine.query(QuerySpec(UNION, accept=JSON)).body)["results"]["bindings"]
    return per_graph, int(union[0]["n"]["value"])


def _latency(engine: RemoteEngine, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        engine.query(QuerySpec(SMALL, accept=JSON))
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="re-publishes, alternating the two releases")
    parser.add_argument("--readers", type=int, default=2, help="readers straight to Virtuoso, and as many fenced")
    parser.add_argument("--threads-per-query", type=int, default=1, help="Virtuoso's ThreadsPerQuery")
    args = parser.parse_args()
    reason = virtuoso_missing()
    if reason:
        sys.exit(f"bench_switch: {reason}")
    print(machine_line(machine()))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"ThreadsPerQuery = {args.threads_per_query}")  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="bench-switch-", dir=ROOT / "build"))
    releases = _releases(work)
    wholes = {_expected(release) for release in releases}
    server = Virtuoso(work / "virtuoso", query_limit=60, threads=args.threads_per_query).start()
    account = Credentials("dba", server.password)
    try:
        publish_virtuoso(releases[0], server.address, account, server.load_dir, lambda line: None)
        unfenced = dataclasses.replace(VIRTUOSO, release_mark_query=None)
        engines = {"direct": RemoteEngine(server.sparql, 60, unfenced), "fenced": RemoteEngine(server.sparql, 60)}
        reads, mixed, failed = Counter[str](), Counter[str](), Counter[str]()
        stop = threading.Event()

        def reader(kind: str) -> None:
            while not stop.is_set():
                try:
                    answer = _read(engines[kind])
                except Exception:  # counted: a failed read is a figure here
                    failed[kind] += 1
                    continue
                reads[kind] += 1
                if answer[0] not in {per_graph for per_graph, _ in wholes} or answer[1] not in {n for _, n in wholes}:
                    mixed[kind] += 1

        threads = [threading.Thread(target=reader, args=(kind,)) for kind in engines for _ in range(args.readers)]
        for thread in threads:
            thread.start()
        switches = []
        started = time.perf_counter()
        try:
            for run in range(args.runs):
                result = publish_virtuoso(releases[(run + 1) % 2], server.address, account, server.load_dir,
                                          lambda line: None)  # fmt: skip
                switches.append(result.timings["switch"])
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        seconds = time.perf_counter() - started
        print(f"{args.runs} re-publishes in {seconds:.1f} s (switch p50 {statistics.median(switches):.2f} s), "
              f"{args.readers} readers each way")  # fmt: skip
        for kind in engines:
            print(f"{kind:>7}: {reads[kind]} whole-or-mixed reads, {mixed[kind]} mixed, {failed[kind]} failed")
        for kind, engine in engines.items():
            _latency(engine, 20)  # warm-up
            print(f"{kind:>7}: small query p50 {_latency(engine, 200):.2f} ms (store quiet)")
    finally:
        server.stop()
    print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
