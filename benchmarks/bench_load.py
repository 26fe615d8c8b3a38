"""Cheap requests stay cheap: lookups from many clients while a few others send queries that time out.

One ``msckg serve`` (its defaults, ``MSCKG_QUERY_TIMEOUT`` 10 s) on a release. ``--heavy`` clients send, in a
closed loop, a query that cannot finish (a cross product of twelve triple patterns: it runs until the time
limit stops it); after ``--settle`` seconds, ``--cheap`` clients send cheap lookups for ``--duration`` seconds:
a label lookup of one entity over SPARQL, its entity page (HTML: two small queries), ``/health``, the service
description and VoID, in turn. Both loads come from Debian's ``wrk`` (one C thread each). Printed: the cheap
clients' requests/s, latency p50/p90/p99/max, errors (non-2xx, socket errors, time-outs), and what the heavy
clients got. The target (issue 18): with 4 heavy clients, 12 cheap clients keep p99 < 250 ms and < 1 % errors.

    .venv/bin/python benchmarks/bench_load.py [--release build/current] [--heavy 4] [--cheap 12]
        [--duration 30] [--settle 3] [--checkout DIR] [--json out.json]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, fmt_ms, machine, machine_line  # noqa: E402
from bench_http import BENCH, WRK_DONE, free_port, lua_string, make_server  # noqa: E402

#: Runs until the time limit stops it, whatever the machine: about 20^12 rows to count on the smallest release.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(12)) + " }"
ENTITY = "https://w3id.org/msc-liver/entity/bm-msc"
LOOKUP = f"SELECT ?label WHERE {{ <{ENTITY}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
JSON_TYPE = "application/sparql-results+json"

_SCRIPT = """
local requests = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local r = requests[(counter - 1) %% #requests + 1]
  return wrk.format("GET", r[1], {["Accept"] = r[2]})
end
"""


def cheap_requests() -> list[tuple[str, str]]:
    """The cheap mix: (path, Accept) pairs, sent in turn."""
    lookup = "/sparql?" + urllib.parse.urlencode({"query": LOOKUP})
    return [
        (lookup, JSON_TYPE),
        ("/entity/bm-msc", "text/html"),
        ("/health", "application/json"),
        (lookup, JSON_TYPE),
        ("/sparql", "text/turtle"),
        ("/.well-known/void", "text/turtle"),
    ]


def wrk(port: int, requests: list[tuple[str, str]], clients: int, seconds: float, timeout: float, name: str) -> dict:
    """Closed-loop load from one wrk thread with ``clients`` connections; returns its summary."""
    script = BENCH / f"wrk-load-{name}.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(_SCRIPT % ", ".join(f"{{{lua_string(p)}, {lua_string(a)}}}" for p, a in requests) + WRK_DONE)
    argv = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", f"--timeout={max(1, round(timeout))}s",
            "-s", str(script), f"http://127.0.0.1:{port}"]  # fmt: skip
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + timeout + 60, check=False)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {out.stdout[-400:]} {out.stderr[-400:]}")
    raw = json.loads(line[len("WRKJSON ") :])
    errors = sum(raw[k] for k in ("connect", "read", "write", "status", "timeout"))
    total = raw["requests"] + raw["connect"] + raw["timeout"]
    return {
        "requests": raw["requests"],
        "errors": errors,
        "error_pct": round(100 * errors / total, 2) if total else 0.0,
        "errors_by_kind": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout") if raw[k]},
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1) if raw["duration_us"] else 0.0,
        **{f"{k}_ms": raw[f"{k}_us"] / 1000 for k in ("p50", "p90", "p99", "max")},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current")
    parser.add_argument("--heavy", type=int, default=4, help="clients sending queries that time out")
    parser.add_argument("--cheap", type=int, default=12, help="clients sending cheap lookups")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of measured cheap load")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of heavy load before measuring")
    parser.add_argument("--label", default="", help="a name for this run in the printed table")
    parser.add_argument("--checkout", type=Path, default=None,
                        help="serve with the server package of another checkout (e.g. an export of main), "
                        "for a before/after table")  # fmt: skip
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("bench_load needs Debian's wrk: apt-get install wrk")
    release = args.release.resolve()
    if not (release / "msc-liver.nq").is_file():
        sys.exit(f"no msc-liver.nq in {release}: run 'msckg build' first")
    facts = machine()
    print(machine_line(facts))
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    server = make_server("msckg", release, free_port())
    if args.checkout:  # its package first on the path (the bench runs servers from this checkout's folder)
        boot = f"import sys; sys.path.insert(0, {str(args.checkout.resolve())!r}); from server.cli import main; main()"
        server.argv = [sys.executable, "-c", boot, *server.argv[1:]]
    result: dict[str, Any] = {"machine": facts, "release": str(release), "label": args.label,
                              "heavy_clients": args.heavy, "cheap_clients": args.cheap}  # fmt: skip
    heavy_path = "/sparql?" + urllib.parse.urlencode({"query": SLOW})
    try:
        server.start()
        heavy: dict[str, Any] = {}

        def run_heavy() -> None:
            heavy.update(wrk(server.port, [(heavy_path, JSON_TYPE)], args.heavy, args.settle + args.duration + 2,
                             15.0, "heavy"))  # fmt: skip

        thread = threading.Thread(target=run_heavy, daemon=True)
        if args.heavy:
            thread.start()
            threading.Event().wait(args.settle)
        cheap = wrk(server.port, cheap_requests(), args.cheap, args.duration, 10.0, "cheap")
        if args.heavy:
            thread.join(timeout=args.duration + 60)
        result.update(cheap=cheap, heavy=heavy)
    finally:
        server.stop()
    met = result["cheap"]["p99_ms"] < 250 and result["cheap"]["error_pct"] < 1
    result["target_met"] = met
    c, h = result["cheap"], result.get("heavy") or {}
    print(f"\n{'run':12} {'clients':>8} {'req/s':>8} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'max ms':>9} "
          f"{'errors':>7} {'err %':>6}")  # fmt: skip
    for name, row, n in (("cheap", c, args.cheap), ("heavy", h, args.heavy)):
        if row:
            print(f"{name:12} {n:8} {row['rps']:8.1f} {fmt_ms(row['p50_ms'])} {fmt_ms(row['p90_ms'])} "
                  f"{fmt_ms(row['p99_ms'])} {fmt_ms(row['max_ms'])} {row['errors']:7} {row['error_pct']:6.2f}  "
                  f"{row['errors_by_kind']}")  # fmt: skip
    print(f"target (cheap p99 < 250 ms and < 1 % errors with {args.heavy} heavy clients): "
          f"{'met' if met else 'MISSED'}")  # fmt: skip
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
