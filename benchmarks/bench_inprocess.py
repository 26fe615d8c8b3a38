"""Every competency question in process: pyoxigraph (the server's engine) against rdflib's engine, by graph size.

What it measures, for each size (the real release, then synthetic scale-ups ×10, ×100, ×1000 made by
``synth.py``), each engine in its own child process (so a query past its limit is killed, and each size's
peak RSS is its own):

* ``served``: ``server.engine.oxigraph_engine.execute`` as the query worker runs it: the query, the row cap
  (``--row-limit``, the server's default 10,000) and the JSON writer. This is the figure of the target
  "every CQ p50 < 50 ms at ×1000";
* ``engine``: ``Store.query`` and iterating every solution, nothing written (the engine's own floor);
* ``native``: ``Store.query(...).serialize(JSON)``, pyoxigraph's own writer, uncapped (what the writer costs
  when done in Rust);
* ``rdflib``: ``server.engine.rdflib_engine.RdflibEngine.query`` (rdflib's SPARQL engine, JSON results).

Each figure is the median of up to ``--repeats`` runs after one warm-up, fewer when the runs of one query
exceed ``--budget`` seconds (a query whose warm-up alone takes over half the budget is timed by that one run);
a pyoxigraph query still running after ``--hard-limit`` seconds is killed and reported, and not run at larger
sizes, nor is one whose time, extrapolated from the smaller sizes, would pass that limit.
rdflib gets ``--rdflib-budget`` seconds per query, warm-up included: a query
past it is killed and reported as ``>N s`` (and not tried again at larger sizes); rdflib runs only up to
``--rdflib-max-factor`` (larger sizes are skipped with a note). Where both engines answered, their solutions
must be identical (multisets compared, see ``_common.solutions``); a difference is printed and makes the
exit status 1. At the largest size (≥ ×1000) every CQ whose ``served`` p50 is ≥ 50 ms is flagged.

    .venv/bin/python benchmarks/bench_inprocess.py [--release build/current] [--factors 1 10 100 1000]
        [--repeats 5] [--budget 5] [--rdflib-budget 10] [--rdflib-max-factor 10] [--quick] [--json out.json]
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Child, fingerprint, fmt_ms, machine, machine_line, median_ms, peak_rss_mib  # noqa: E402
from synth import make_release, scale_name, template  # noqa: E402

#: The in-process target of issue 7: every CQ p50 below this at ×1000.
TARGET_MS = 50.0
JSON_TYPE = "application/sparql-results+json"


def _sample(fn: Any, repeats: int, budget: float) -> list[float]:
    start = time.perf_counter()
    fn()  # warm-up
    warmup = time.perf_counter() - start
    if warmup > budget / 2:  # a slow query: its one run is the figure (a warm-up would not change it much)
        return [warmup]
    samples: list[float] = []
    spent = 0.0
    while len(samples) < repeats and (not samples or spent < budget):
        start = time.perf_counter()
        fn()
        took = time.perf_counter() - start
        samples.append(took)
        spent += took
    return samples


def _ox_child(conn: Any, dump: str, row_limit: int) -> None:
    import pyoxigraph as ox

    from server.engine import QuerySpec
    from server.engine.oxigraph_engine import execute, load_store, named_graphs

    start = time.perf_counter()
    store = load_store(Path(dump))
    graphs = named_graphs(store)
    conn.send(
        (
            "ready",
            {"quads": len(store), "load_s": round(time.perf_counter() - start, 3), "peak_rss_mib": peak_rss_mib()},
        )
    )
    while True:
        try:
            text, repeats, budget, compare = conn.recv()
        except EOFError:
            return
        spec = QuerySpec(text, accept=JSON_TYPE, row_limit=row_limit)
        out: dict[str, Any] = {}
        try:
            last: dict[str, Any] = {}
            served = _sample(
                lambda spec=spec, last=last: last.update(result=execute(store, graphs, spec)), repeats, budget
            )
            result = last["result"]
            rows = 0

            def iterate(text: str = text) -> None:
                nonlocal rows
                rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))

            engine = _sample(iterate, repeats, budget)

            def native(text: str = text) -> None:
                res = store.query(text, use_default_graph_as_union=True)
                if isinstance(res, ox.QuerySolutions):
                    res.serialize(format=ox.QueryResultsFormat.JSON)

            native_s = _sample(native, repeats, budget)
            out = {
                "served": served,
                "engine": engine,
                "native": native_s,
                "rows": rows,
                "truncated": result.truncated,
                "body_kib": round(len(result.body) / 1024, 1),
            }
            if compare:
                full = execute(store, graphs, QuerySpec(text, accept=JSON_TYPE, row_limit=10**12))
                out["fingerprint"] = fingerprint(full.body)
        except Exception as exc:  # report, keep going
            out = {"error": f"{type(exc).__name__}: {exc}"}
        out["peak_rss_mib"] = peak_rss_mib()
        conn.send(out)


def _rdflib_child(conn: Any, dump: str) -> None:
    from server.engine import QuerySpec
    from server.engine.rdflib_engine import RdflibEngine

    start = time.perf_counter()
    engine = RdflibEngine.from_dump(Path(dump))
    conn.send(
        (
            "ready",
            {
                "quads": len(engine.dataset),
                "load_s": round(time.perf_counter() - start, 3),
                "peak_rss_mib": peak_rss_mib(),
            },
        )
    )
    while True:
        try:
            text, repeats, budget = conn.recv()
        except EOFError:
            return
        spec = QuerySpec(text, accept=JSON_TYPE, row_limit=10**12)
        try:
            start = time.perf_counter()
            body = engine.query(spec).body
            samples = [time.perf_counter() - start]  # the warm-up counts when nothing else fits
            spent = samples[0]
            more: list[float] = []
            while len(more) < repeats and spent < budget / 2:
                start = time.perf_counter()
                engine.query(spec)
                more.append(time.perf_counter() - start)
                spent += more[-1]
            conn.send({"samples": more or samples, "fingerprint": fingerprint(body), "peak_rss_mib": peak_rss_mib()})
        except Exception as exc:
            conn.send({"error": f"{type(exc).__name__}: {exc}", "peak_rss_mib": peak_rss_mib()})


def _queries(release: Path) -> list[tuple[str, str]]:
    folder = release / "queries"
    if not folder.is_dir():
        folder = ROOT / "queries" / "cq"
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))]


def _predicted_skip(name: str, factor: float, history: list[dict[str, Any]], limit: float) -> str | None:
    """Why not to run a query at this size: killed at a smaller one, or extrapolated past the hard limit."""
    points = []
    for scale in history:
        row = next((q for q in scale["queries"] if q["query"] == name), {})
        if row.get("killed") or (row.get("error") or "").startswith("not run"):
            return f"not run: over the {limit:g} s limit at x{scale['factor']:g} already"
        if row.get("served_ms"):
            points.append((scale["factor"], row["served_ms"] / 1000))
    if not points:
        return None
    f1, t1 = points[-1]
    exponent = 1.0
    if len(points) > 1:
        f0, t0 = points[-2]
        if t0 > 0 and f1 > f0:
            exponent = max(1.0, math.log(t1 / t0) / math.log(f1 / f0))
    predicted = t1 * (factor / f1) ** exponent
    if predicted > limit:
        return (
            f"not run: predicted ~{predicted:.0f} s > the {limit:g} s limit "
            f"({t1 * 1000:.0f} ms at x{f1:g}, growing as size^{exponent:.1f})"
        )
    return None


def run_scale(
    release: Path,
    factor: float,
    args: argparse.Namespace,
    rdflib_state: dict[str, Any],
    history: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Benchmark one size; ``rdflib_state`` carries what rdflib could not do at smaller sizes, ``history`` the
    figures of the smaller sizes (to skip pyoxigraph queries that would run past the hard limit)."""
    history = history or []
    dump = release / "msc-liver.nq"
    queries = _queries(release)
    scale: dict[str, Any] = {"factor": factor, "release": str(release), "queries": []}
    rows: dict[str, dict[str, Any]] = {name: {"query": name} for name, _ in queries}
    compare = factor <= args.rdflib_max_factor and not rdflib_state.get("abandoned")

    child: Child | None = Child(_ox_child, str(dump), args.row_limit, start_limit=900)
    assert child is not None
    scale["pyoxigraph"] = dict(child.ready)
    scale["quads"] = child.ready["quads"]
    for name, text in queries:
        skip = _predicted_skip(name, factor, history, args.hard_limit)
        if skip:
            rows[name].update(served_ms=None, error=skip)
            continue
        if child is None:
            child = Child(_ox_child, str(dump), args.row_limit, start_limit=900)
        try:
            # three figures (served, engine, native), each at most one run when slow: the limit is per run
            out = child.ask((text, args.repeats, args.budget, compare), 3 * args.hard_limit)
        except TimeoutError:
            child = None
            rows[name].update(served_ms=None, error=f"pyoxigraph > {args.hard_limit:g} s a run (killed)", killed=True)
            continue
        row = rows[name]
        if "error" in out:
            row["error"] = out["error"]
            continue
        row.update(
            rows=out["rows"],
            truncated=out["truncated"],
            body_kib=out["body_kib"],
            served_ms=median_ms(out["served"]),
            engine_ms=median_ms(out["engine"]),
            native_ms=median_ms(out["native"]),
            ox_runs=len(out["served"]),
        )
        if "fingerprint" in out:
            row["ox_fingerprint"] = out["fingerprint"]
        scale["pyoxigraph"]["peak_rss_mib"] = out["peak_rss_mib"]
    if child is not None:
        child.kill()

    if not compare:
        reason = rdflib_state.get("abandoned") or f"size above --rdflib-max-factor {args.rdflib_max_factor:g}"
        scale["rdflib"] = {"skipped": reason}
    else:
        scale["rdflib"] = _run_rdflib(dump, queries, rows, args, rdflib_state)
    scale["queries"] = list(rows.values())
    return scale


def _run_rdflib(
    dump: Path,
    queries: list[tuple[str, str]],
    rows: dict[str, dict[str, Any]],
    args: argparse.Namespace,
    state: dict[str, Any],
) -> dict[str, Any]:
    info: dict[str, Any] = {}
    timed_out = state.setdefault("timed_out", set())
    child: Child | None = None
    answered = 0
    asked = 0
    for name, text in queries:
        row = rows[name]
        if name in timed_out:
            row["rdflib_ms"] = None
            row["rdflib_note"] = f">{args.rdflib_budget:g} s at a smaller size: not run"
            continue
        if child is None:
            try:
                child = Child(_rdflib_child, str(dump), start_limit=args.rdflib_load_budget)
            except TimeoutError:
                state["abandoned"] = f"rdflib load over {args.rdflib_load_budget:g} s"
                info["skipped"] = state["abandoned"]
                return info
            info.update(quads=child.ready["quads"], load_s=child.ready["load_s"])
        asked += 1
        try:
            out = child.ask((text, args.repeats, args.rdflib_budget), args.rdflib_budget)
        except TimeoutError:
            child = None
            timed_out.add(name)
            row["rdflib_ms"] = None
            row["rdflib_note"] = f">{args.rdflib_budget:g} s (killed)"
            continue
        info["peak_rss_mib"] = max(info.get("peak_rss_mib", 0), out["peak_rss_mib"])
        if "error" in out:
            row["rdflib_note"] = out["error"]
            continue
        answered += 1
        row["rdflib_ms"] = median_ms(out["samples"])
        row["rdflib_runs"] = len(out["samples"])
        if "ox_fingerprint" in row:
            row["identical"] = tuple(row["ox_fingerprint"]) == tuple(out["fingerprint"])
            if not row["identical"]:
                row["rdflib_rows"] = out["fingerprint"][0]
    if child is not None:
        child.kill()
    if asked and not answered:
        state["abandoned"] = f"rdflib answered no query within {args.rdflib_budget:g} s at a smaller size"
    return info


def print_scale(scale: dict[str, Any], flag: bool) -> None:
    """Print one size's table."""
    ox_info, rdf = scale["pyoxigraph"], scale["rdflib"]
    rdf_text = (
        f"rdflib skipped: {rdf['skipped']}"
        if "skipped" in rdf
        else f"rdflib load {rdf.get('load_s', 0):.2f} s, peak RSS {rdf.get('peak_rss_mib', 0):.0f} MiB"
    )
    print(f"\n== {scale_name(scale['factor'])}: {scale['quads']} quads ({scale['release']})")
    print(f"   pyoxigraph load {ox_info['load_s']:.2f} s, peak RSS {ox_info['peak_rss_mib']:.0f} MiB; {rdf_text}")
    print(f"{'query':38} {'rows':>7} {'served':>9} {'engine':>9} {'native':>9} {'rdflib':>10} {'ratio':>8}  same")
    print(f"{'':38} {'':>7} {'p50 ms':>9} {'p50 ms':>9} {'p50 ms':>9} {'p50 ms':>10} {'rdf/ox':>8}")
    for q in scale["queries"]:
        if "error" in q:
            print(f"{q['query']:38} ERROR {q['error']}")
            continue
        rows = f"{q['rows']}{'*' if q.get('truncated') else ''}"
        rdf_ms = q.get("rdflib_ms")
        if rdf_ms is not None:
            rdf_text = fmt_ms(rdf_ms, 10, 1)
            ratio = f"{rdf_ms / q['served_ms']:7.0f}x" if q["served_ms"] else "-"
        else:
            note = q.get("rdflib_note", "")
            rdf_text = f"{note.split(' ')[0] if note else '-':>10}"
            ratio = f"{'-':>8}"
        same = {True: "yes", False: "NO"}.get(q.get("identical"), "-")
        mark = "  <-- p50 >= 50 ms" if flag and q["served_ms"] is not None and q["served_ms"] >= TARGET_MS else ""
        print(
            f"{q['query'][:38]:38} {rows:>7} {fmt_ms(q['served_ms'])} {fmt_ms(q['engine_ms'])} "
            f"{fmt_ms(q['native_ms'])} {rdf_text} {ratio}  {same}{mark}"
        )
    notes = sorted({q["rdflib_note"] for q in scale["queries"] if q.get("rdflib_note")})
    for note in notes:
        print(f"   rdflib: {note}")
    if any(q.get("truncated") for q in scale["queries"]):
        print("   * result cut at the row cap (as the server does); 'rows' is the full count")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current")
    parser.add_argument("--factors", type=float, nargs="+", default=None, help="sizes (1 = the release itself)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench", help="where synthetic releases go")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--budget", type=float, default=None, help="seconds of timed runs per query and figure")
    parser.add_argument("--hard-limit", type=float, default=None, help="kill a pyoxigraph query after this (s)")
    parser.add_argument("--rdflib-budget", type=float, default=None, help="seconds per rdflib query, then killed")
    parser.add_argument("--rdflib-load-budget", type=float, default=120)
    parser.add_argument("--rdflib-max-factor", type=float, default=10)
    parser.add_argument("--row-limit", type=int, default=None, help="row cap of 'served' (server default)")
    parser.add_argument("--quick", action="store_true", help="sizes 1 10 100, 3 repeats, small budgets")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    from server.config import DEFAULT_ROW_LIMIT

    args.row_limit = args.row_limit or DEFAULT_ROW_LIMIT
    args.factors = args.factors or ([1, 10, 100] if args.quick else [1, 10, 100, 1000])
    args.repeats = args.repeats or (3 if args.quick else 5)
    args.budget = args.budget or (2.0 if args.quick else 5.0)
    args.rdflib_budget = args.rdflib_budget or (3.0 if args.quick else 10.0)
    args.hard_limit = args.hard_limit or (10.0 if args.quick else 30.0)
    if not (args.release / "msc-liver.nq").is_file():
        sys.exit(f"no msc-liver.nq in {args.release}: run 'msckg build' (or benchmarks/run_all.py) first")

    facts = machine()
    print(machine_line(facts))
    print(
        f"in-process: served = execute() with row cap {args.row_limit} + JSON writer; engine = query + iterate; "
        f"native = pyoxigraph's JSON writer; median of <= {args.repeats} runs after a warm-up"
    )
    tpl = None
    rdflib_state: dict[str, Any] = {}
    scales = []
    for factor in sorted(args.factors):
        if factor == 1:
            release = args.release
        else:
            tpl = tpl or template(args.release / "msc-liver.nq")
            started = time.perf_counter()
            release = make_release(args.release, factor, args.out / scale_name(factor), ROOT / "queries" / "cq", tpl)
            print(f"\n(synthetic {scale_name(factor)} ready in {time.perf_counter() - started:.1f} s: {release})")
        scale = run_scale(release, factor, args, rdflib_state, scales)
        print_scale(scale, flag=factor >= 1000)
        scales.append(scale)
    for scale in scales:
        for q in scale["queries"]:
            q.pop("ox_fingerprint", None)
    biggest = max(scales, key=lambda s: s["factor"])
    slow = [q["query"] for q in biggest["queries"] if q.get("served_ms") is None or q["served_ms"] >= TARGET_MS]
    print(f"\ntarget: every CQ p50 < {TARGET_MS:g} ms at x1000 (served, in process)")
    if biggest["factor"] < 1000:
        print(f"   not measured: largest size here is {scale_name(biggest['factor'])}")
    elif slow:
        print(f"   MISSED at {scale_name(biggest['factor'])} by {len(slow)} CQ(s): {', '.join(slow)}")
    else:
        print(f"   met at {scale_name(biggest['factor'])}")
    mismatches = [
        f"{scale_name(s['factor'])}:{q['query']}" for s in scales for q in s["queries"] if q.get("identical") is False
    ]
    if mismatches:
        print(f"ENGINES DISAGREE on: {', '.join(mismatches)}")
    result = {
        "machine": facts,
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "scales": scales,
        "slow_at_largest": slow,
        "mismatches": mismatches,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    outcome = main()
    sys.exit(1 if outcome["mismatches"] else 0)
