"""Mechanism paths (``msckg paths``, ``/api/paths``): how long a question takes in process, and that it stays bounded.

What it measures, each on an in-process :class:`OxigraphEngine` over a release's dump (setup excluded):

* **read**: reading the causal graph through the engine (five SELECT queries; the server does it once a minute);
* **search**: :func:`server.engine.paths_report.answer` for the closing questions of issue 15 (BM-MSC → inflammatory
  response, hepatocyte apoptosis, hepatocyte proliferation, hepatic stellate cell activation, liver fibrosis) and
  BM-MSC → liver inflammation, with the default limits (6 steps, 500 paths of each kind), median and p90 of
  ``--runs`` runs after a warm-up; **cold** = read + search, what ``msckg paths`` pays;

on three graphs:

* **real**: the release (``build/current``); the target is < 100 ms p50 in process;
* **x100**: ``synth.py``'s ×100 copy (each copy with its own entities: the questions walk copy 0 but the engine
  reads every copy);
* **x100-merged**: the same copies with the entities of every copy made one again (``…-x7`` → ``…``), so each
  causal edge is stated by 100 claims and the number of simple paths grows like 100 to the power of the length:
  the search must stay bounded by the length limit, the path cap and the time limit. It is run at each length
  limit 1…6 with the default cap, then with no cap (10⁹) and the 10 s time limit, which must stop it.

    .venv/bin/python benchmarks/bench_paths.py [--runs 20] [--skip-x100] [--json build/bench/paths.json]
"""

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine, machine_line  # noqa: E402
from benchmarks.synth import make_release, scale_name  # noqa: E402
from server.config import DEFAULT_TIMEOUT  # noqa: E402
from server.engine.causal import CausalGraph, load_causal_graph  # noqa: E402
from server.engine.oxigraph_engine import OxigraphEngine  # noqa: E402
from server.engine.paths import Options  # noqa: E402
from server.engine.paths_report import answer  # noqa: E402
from server.errors import QueryTimeout  # noqa: E402
from server.release.layout import DUMP_FILE  # noqa: E402

#: By slug: in the ×100 copies every label is shared by a hundred nodes (``msckg paths`` says so and lists them).
TARGETS = ("inflammatory-response", "hepatocyte-apoptosis", "hepatocyte-proliferation", "hsc-activation",
           "liver-fibrosis", "liver-inflammation")  # fmt: skip
QUESTIONS = [("bm-msc", t) for t in TARGETS]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def search_times(graph: CausalGraph, runs: int, options: Options) -> dict[str, Any]:
    rows = {}
    for source, target in QUESTIONS:
        answer(graph, source, target, options)  # warm-up
        samples, found = [], None
        for _ in range(runs):
            started = time.perf_counter()
            found = answer(graph, source, target, options)
            samples.append(time.perf_counter() - started)
        assert found is not None
        rows[f"{source} -> {target}"] = {
            "p50_ms": _ms(statistics.median(samples)), "p90_ms": _ms(_p(samples, 0.9)),
            "stated": len(found.stated), "derived": len(found.derived), "net": found.net,
            "truncated": list(found.truncated),
        }  # fmt: skip
    return rows


def measure(dump: Path, runs: int) -> dict[str, Any]:
    started = time.perf_counter()
    engine = OxigraphEngine.from_dump(dump)
    load_s = time.perf_counter() - started
    reads = []
    graph = None
    for _ in range(max(3, runs // 4)):
        started = time.perf_counter()
        graph = load_causal_graph(engine)
        reads.append(time.perf_counter() - started)
    assert graph is not None
    search = search_times(graph, runs, Options(timeout=DEFAULT_TIMEOUT))
    read_ms = _ms(statistics.median(reads))
    return {"dump_load_s": round(load_s, 2), "edges": len(graph.edges), "claims": len(graph.claims),
            "read_p50_ms": read_ms, "search": search,
            "cold_p50_ms": {q: round(read_ms + r["p50_ms"], 2) for q, r in search.items()}}  # fmt: skip


def merged(x100: Path, out: Path) -> Path:
    """Write the ×100 dump with every copy's entities made one again (``entity/<slug>-x<k>`` → ``entity/<slug>``)."""
    target = out / DUMP_FILE
    if target.is_file() and target.stat().st_mtime > (x100 / DUMP_FILE).stat().st_mtime:
        return out
    out.mkdir(parents=True, exist_ok=True)
    entity = re.compile(r"(<https://w3id\.org/msc-liver/entity/[^>]*?)-x\d+>")
    tmp = out / (DUMP_FILE + ".tmp")
    with (x100 / DUMP_FILE).open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
        for line in src:
            dst.write(entity.sub(r"\1>", line))
    tmp.replace(target)
    return out


def bounded(dump: Path) -> dict[str, Any]:
    graph = load_causal_graph(OxigraphEngine.from_dump(dump))
    rows: dict[str, Any] = {"edges": len(graph.edges), "by_length": {}}
    for length in range(1, 7):
        started = time.perf_counter()
        found = answer(graph, "bm-msc", "liver-inflammation", Options(max_length=length, timeout=DEFAULT_TIMEOUT))
        rows["by_length"][length] = {"ms": _ms(time.perf_counter() - started), "stated": len(found.stated),
                                     "derived": len(found.derived), "truncated": list(found.truncated)}  # fmt: skip
    started = time.perf_counter()
    try:
        answer(graph, "bm-msc", "liver-inflammation", Options(max_length=6, max_paths=10**9, timeout=DEFAULT_TIMEOUT))
        rows["uncapped"] = {"stopped": False, "s": round(time.perf_counter() - started, 2)}
    except QueryTimeout as exc:
        rows["uncapped"] = {"stopped": True, "s": round(time.perf_counter() - started, 2), "message": str(exc)}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--skip-x100", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    facts = machine()
    print(machine_line(facts))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[str, Any] = {"machine": facts, "loadavg": os.getloadavg()}
    sizes = [("real", args.release / DUMP_FILE)]
    if not args.skip_x100:
        x100 = make_release(args.release, 100, ROOT / "build" / "bench" / scale_name(100), ROOT / "queries" / "cq")
        sizes.append(("x100", x100 / DUMP_FILE))
    for name, dump in sizes:
        figures = measure(dump, args.runs)
        results[name] = figures
        print(f"\n{name}: {figures['edges']} causal edges, {figures['claims']} claims; dump load "
              f"{figures['dump_load_s']} s; read the causal graph p50 {figures['read_p50_ms']} ms")  # fmt: skip
        print(f"  {'question':<48} {'search p50':>10} {'p90':>8} {'cold p50':>9}  stated derived net")
        for question, row in figures["search"].items():
            cold = figures["cold_p50_ms"][question]
            print(f"  {question:<48} {row['p50_ms']:>8} ms {row['p90_ms']:>5} ms {cold:>6} ms  {row['stated']:>6} "
                  f"{row['derived']:>7} {row['net']}{' cut' if row['truncated'] else ''}")  # fmt: skip
    if not args.skip_x100:
        dump = merged(ROOT / "build" / "bench" / scale_name(100), ROOT / "build" / "bench" / "x100-merged") / DUMP_FILE
        rows = bounded(dump)
        results["x100-merged"] = rows
        print(f"\nx100-merged: {rows['edges']} causal edges; BM-MSC -> liver inflammation by length limit "
              "(default cap 500 paths of each kind, 10 s limit)")  # fmt: skip
        for length, row in rows["by_length"].items():
            print(f"  {length} steps: {row['ms']:>9} ms  stated {row['stated']:>4}  derived {row['derived']:>4}"
                  f"{'  cut: ' + ', '.join(row['truncated']) if row['truncated'] else ''}")  # fmt: skip
        stop = rows["uncapped"]
        print(f"  6 steps, no path cap: {'stopped by the time limit' if stop['stopped'] else 'finished'} after "
              f"{stop['s']} s")  # fmt: skip
    real = results["real"]["search"]
    worst = max(r["p50_ms"] for r in real.values())
    print(f"\ntarget: a paths query on the real graph < 100 ms p50 in process: worst search p50 {worst} ms, worst cold "
          f"p50 {max(results['real']['cold_p50_ms'].values())} ms -> {'met' if worst < 100 else 'MISSED'}")  # fmt: skip
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
