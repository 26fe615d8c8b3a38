"""Embedded store vs Virtuoso, same run: publish / load time and competency-question latency (p50, p99).

Per size (the real release, then synthetic ×100 and ×1000 from ``synth.py``):

* **embedded**: the release's dump loaded into pyoxigraph, each CQ run through ``WorkerPool`` (the served path:
  one forked worker, guard, row cap 10,000, JSON writer, and the wall-clock ``--limit`` per query);
* **virtuoso**: a fresh Virtuoso (``tests/stores.py``: 127.0.0.1, throw-away database), the release published
  with ``msckg publish --virtuoso``'s code (stage, hide, bulk load, switch, each timed), then each CQ
  through ``RemoteEngine`` (what ``msckg serve --store`` runs: the same guard, cap and writer, over HTTP, with
  the same ``--limit`` sent as Virtuoso's own ``timeout``);
* **gsp**: for information, ``publish --gsp`` into ``oxigraph serve`` (real and ×100 only: its switch is one
  SPARQL Update over every quad).

Each CQ: one warm-up, then up to ``--runs`` timed runs within ``--budget`` seconds; p50 and p99 (with few runs
p99 is the slowest run). A CQ whose answer differs from the embedded one is marked ``differs``; one that runs past
the limit on either side is marked as such.

``--publish-only``: the Virtuoso publish steps alone, twice into one fresh Virtuoso (into the empty store, then
replacing the same release), no CQ and no other store — the figures of the publish table, in minutes at ×1000.

    .venv/bin/python benchmarks/bench_store.py [--factors 1 100 1000] [--runs 20] [--budget 20] [--limit 60]
                                               [--json f]
    .venv/bin/python benchmarks/bench_store.py --publish-only [--factors 1 100 1000]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, fingerprint, machine, machine_line

sys.path.insert(0, str(ROOT))

from server.engine import QuerySpec  # noqa: E402
from server.engine.pool import WorkerPool  # noqa: E402
from server.engine.remote import RemoteEngine  # noqa: E402
from server.errors import QueryTimeout  # noqa: E402
from server.release.gsp import publish_gsp  # noqa: E402
from server.release.layout import DUMP_FILE  # noqa: E402
from server.release.publish import Credentials  # noqa: E402
from server.release.virtuoso import publish_virtuoso  # noqa: E402
from tests.stores import OxigraphServer, Virtuoso, virtuoso_missing  # noqa: E402

JSON = "application/sparql-results+json"


def _release(factor: float) -> Path:
    if factor == 1:
        return ROOT / "build" / "current"
    return ROOT / "build" / "bench" / f"x{factor:g}"


def _time_cqs(engine: Any, cqs: list[Path], runs: int, budget: float) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    for path in cqs:
        spec = QuerySpec(path.read_text(encoding="utf-8"), accept=JSON)
        samples: list[float] = []
        try:
            started = time.perf_counter()
            body = engine.query(spec).body  # warm-up
            first = time.perf_counter() - started
            deadline = time.perf_counter() + budget
            while len(samples) < runs and (not samples or time.perf_counter() + first < deadline):
                started = time.perf_counter()
                engine.query(spec)
                samples.append(time.perf_counter() - started)
            rows, digest = fingerprint(body)
            figures[path.stem] = {"p50_ms": round(statistics.median(samples) * 1000, 2),
                                  "p99_ms": round(_p99(samples) * 1000, 2), "runs": len(samples),
                                  "rows": rows, "digest": digest}  # fmt: skip
        except QueryTimeout:
            figures[path.stem] = {"error": "over the limit", "short": "> limit"}
        except Exception as exc:  # a store that cannot answer: say so in the table
            figures[path.stem] = {"error": f"{type(exc).__name__}: {str(exc)[:80]}", "short": "error"}
    return figures


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def bench_size(factor: float, runs: int, budget: float, limit: float, work: Path, threads: int) -> dict[str, Any]:
    release = _release(factor)
    cqs = sorted((release / "queries").glob("*.rq"))
    result: dict[str, Any] = {"factor": factor, "quads": sum(1 for _ in (release / DUMP_FILE).open("rb"))}
    started = time.perf_counter()
    embedded = WorkerPool(release / DUMP_FILE, size=1, timeout=limit, isolation=False)
    try:
        result["embedded_load_s"] = round(time.perf_counter() - started, 2)
        result["embedded"] = _time_cqs(embedded, cqs, runs, budget)
    finally:
        embedded.close()
    server = _new_virtuoso(factor, work, limit, threads)
    try:
        published = publish_virtuoso(release, server.address, Credentials("dba", server.password), server.load_dir,
                                     lambda line: None)  # fmt: skip
        result["virtuoso_publish_s"] = published.timings
        result["virtuoso"] = _time_cqs(RemoteEngine(server.sparql, timeout=limit), cqs, runs, budget)
    finally:
        server.stop()
    if factor <= 100:
        oxigraph = OxigraphServer(Path(tempfile.mkdtemp(prefix="oxigraph-", dir=work))).start()
        try:
            published = publish_gsp(release, oxigraph.url + "/store", None, Credentials(), lambda line: None)
            result["gsp_publish_s"] = published.timings
        finally:
            oxigraph.stop()
    return result


def _new_virtuoso(factor: float, work: Path, limit: float, threads: int) -> Virtuoso:
    buffers = 170_000 if factor < 100 else 600_000
    return Virtuoso(Path(tempfile.mkdtemp(prefix=f"virtuoso-x{factor:g}-", dir=work)), query_limit=round(limit),
                    buffers=buffers, threads=threads).start()  # fmt: skip


def bench_publish(factor: float, work: Path, threads: int) -> dict[str, Any]:
    """Publish one size twice into a fresh Virtuoso: into the empty store, then replacing the same release."""
    release = _release(factor)
    result: dict[str, Any] = {"factor": factor, "quads": sum(1 for _ in (release / DUMP_FILE).open("rb"))}
    server = _new_virtuoso(factor, work, 300, threads)
    try:
        account = Credentials("dba", server.password)
        for run in ("virtuoso_publish_s", "virtuoso_republish_s"):
            result[run] = publish_virtuoso(release, server.address, account, server.load_dir, lambda line: None).timings
            print(f"x{factor:g} {run}: " + ", ".join(f"{k} {v:.1f}" for k, v in result[run].items()), flush=True)
    finally:
        server.stop()
    return result


def _cell(figure: dict[str, Any], key: str) -> str:
    return f"{figure[key]:>9.1f}" if key in figure else f"{figure['short']:>9}"


def print_size(result: dict[str, Any]) -> None:
    print(f"\n== x{result['factor']:g}: {result['quads']} quads")
    steps = ", ".join(f"{k} {v:.1f}" for k, v in result["virtuoso_publish_s"].items())
    print(f"embedded load {result['embedded_load_s']:.1f} s | virtuoso publish (s): {steps}")
    if "gsp_publish_s" in result:
        print("gsp publish into oxigraph serve (s): " + ", ".join(f"{k} {v:.1f}" for k, v in
                                                                 result["gsp_publish_s"].items()))  # fmt: skip
    print(f"{'CQ':<38} {'emb p50':>9} {'emb p99':>9} {'virt p50':>9} {'virt p99':>9}  rows   answer  faster")
    for name, emb in result["embedded"].items():
        vir = result["virtuoso"].get(name, {})
        same = (
            "error" if "error" in vir or "error" in emb else ("same" if vir["digest"] == emb["digest"] else "differs")
        )
        faster = ""  # only where both give the same answer: an empty wrong answer is quick
        if same == "same":
            faster = "embedded" if emb["p50_ms"] <= vir["p50_ms"] else "virtuoso"
        rows = emb.get("rows", "-")
        print(f"{name:<38} {_cell(emb, 'p50_ms')} {_cell(emb, 'p99_ms')} {_cell(vir, 'p50_ms')} {_cell(vir, 'p99_ms')}"
              f"  {rows!s:>5}  {same:<7} {faster}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=float, nargs="+", default=[1, 100, 1000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds of timed runs per CQ and engine")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds one query may run, on either side")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--publish-only", action="store_true", help="Virtuoso publish only: empty, then replacing")
    parser.add_argument("--threads-per-query", type=int, default=1,
                        help="Virtuoso's ThreadsPerQuery (1: docs/deploy.md's advice for publishing under readers; "
                        "Virtuoso's own default is 8)")  # fmt: skip
    args = parser.parse_args()
    reason = virtuoso_missing()
    if reason:
        sys.exit(f"bench_store: {reason}")
    print(machine_line(machine()))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Virtuoso ThreadsPerQuery = {args.threads_per_query}")
    work = ROOT / "build" / "bench" / "stores"
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for factor in args.factors:
        if not (_release(factor) / DUMP_FILE).is_file():
            print(f"\n== x{factor:g}: no release at {_release(factor)} (run msckg build / benchmarks/synth.py)")
            continue
        if args.publish_only:
            results.append(bench_publish(factor, work, args.threads_per_query))
        else:
            results.append(bench_size(factor, args.runs, args.budget, args.limit, work, args.threads_per_query))
            print_size(results[-1])
        print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
