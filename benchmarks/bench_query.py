"""Competency questions on the embedded engine (pyoxigraph) against rdflib's SPARQL engine, in process.

What it measures: the wall-clock time of ``engine.query(spec)`` for each query in ``queries/cq/``, JSON results
serialized, median of ``--repeats`` runs after one warm-up; loading the release is timed separately and
excluded. It checks that both engines return the same solutions (GROUP_CONCAT lists compared as sets).

    .venv/bin/python benchmarks/bench_query.py [--repeats 5] [--json out.json]
"""

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.config import project_paths  # noqa: E402
from server.engine import QuerySpec  # noqa: E402
from server.engine.oxigraph_engine import OxigraphEngine  # noqa: E402
from server.engine.rdflib_engine import RdflibEngine  # noqa: E402
from server.release import DUMP_FILE, current_release  # noqa: E402


def _solutions(body: bytes) -> Counter[tuple[tuple[str, str], ...]]:
    doc = json.loads(body)
    if "boolean" in doc:
        return Counter({(("boolean", str(doc["boolean"])),): 1})
    rows: Counter[tuple[tuple[str, str], ...]] = Counter()
    for binding in doc["results"]["bindings"]:
        cells = []
        for var, term in sorted(binding.items()):
            value = term["value"]
            if " " in value and all(part.startswith("http") for part in value.split(" ")):
                value = " ".join(sorted(value.split(" ")))
            if term.get("datatype", "").endswith(("#integer", "#decimal", "#double")):
                value = repr(float(value))
            cells.append(
                (var, f"{term['type'].replace('typed-literal', 'literal')}|{value}|{term.get('xml:lang', '')}")
            )
        rows[tuple(cells)] += 1
    return rows


def _time(engine, spec: QuerySpec, repeats: int) -> tuple[float, bytes]:  # type: ignore[no-untyped-def]
    body = engine.query(spec).body
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        engine.query(spec)
        times.append(time.perf_counter() - start)
    return statistics.median(times), body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    release = current_release(project_paths(ROOT))
    dump = release / DUMP_FILE
    if not dump.is_file():
        sys.exit(f"no release at {release}: run 'make build' first")
    start = time.perf_counter()
    oxigraph = OxigraphEngine.from_dump(dump)
    ox_load = time.perf_counter() - start
    start = time.perf_counter()
    rdflib = RdflibEngine.from_dump(dump)
    rdf_load = time.perf_counter() - start
    print(
        f"release {release.resolve().name}: {len(oxigraph.store)} quads; "
        f"load pyoxigraph {ox_load * 1000:.0f} ms, rdflib {rdf_load * 1000:.0f} ms"
    )
    print(f"{'query':42} {'rows':>5} {'pyoxigraph ms':>14} {'rdflib ms':>10} {'ratio':>7}  same")
    figures = []
    for path in sorted((ROOT / "queries" / "cq").glob("*.rq")):
        spec = QuerySpec(path.read_text(encoding="utf-8"), accept="application/sparql-results+json", row_limit=10**9)
        ox_time, ox_body = _time(oxigraph, spec, args.repeats)
        rdf_time, rdf_body = _time(rdflib, spec, max(1, args.repeats // 2))
        ox_rows, rdf_rows = _solutions(ox_body), _solutions(rdf_body)
        same = ox_rows == rdf_rows
        figures.append({"query": path.name, "rows": sum(ox_rows.values()), "pyoxigraph_ms": ox_time * 1000,
                        "rdflib_ms": rdf_time * 1000, "identical": same})  # fmt: skip
        print(
            f"{path.name:42} {sum(ox_rows.values()):5} {ox_time * 1000:14.2f} {rdf_time * 1000:10.1f} "
            f"{rdf_time / ox_time:6.0f}x  {'yes' if same else 'NO'}"
        )
    ox_total = sum(f["pyoxigraph_ms"] for f in figures)
    rdf_total = sum(f["rdflib_ms"] for f in figures)
    print(f"{'total':42} {'':5} {ox_total:14.2f} {rdf_total:10.1f} {rdf_total / ox_total:6.0f}x")
    if args.json:
        args.json.write_text(json.dumps({"load_ms": {"pyoxigraph": ox_load * 1000, "rdflib": rdf_load * 1000},
                                         "queries": figures}, indent=2))  # fmt: skip
    if not all(f["identical"] for f in figures):
        sys.exit("the engines disagree on some competency questions (see 'same' above)")


if __name__ == "__main__":
    main()
