"""Run every benchmark in one go and print the tables and the targets (issues 7, 18 and 19).

Order: the build (``msckg build`` at the real size — a failed build falls back to an unvalidated release in
``build/bench/real`` — and the build stages on a synthetic ×10 project), the in-process competency questions
at ×1, ×10, ×100, ×1000, the HTTP load against msckg serve / native Oxigraph / rdflib-endpoint with cold start
and peak RSS, and a py-spy profile of msckg serve under load. Loopback only; every step bounded in time.

    .venv/bin/python benchmarks/run_all.py [--quick] [--json out.json] [--skip build inprocess http profile]

Defaults take about 15 minutes on 2 cores (most of it ×1000 in process and the HTTP runs); ``--quick`` about
4 (×1–×100, 5 s HTTP runs, no build scale-up).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_build  # noqa: E402
import bench_http  # noqa: E402
import bench_inprocess  # noqa: E402
import bench_load  # noqa: E402
import bench_profile  # noqa: E402
from _common import ROOT, machine, machine_line  # noqa: E402


def _section(title: str) -> None:
    print(f"\n{'=' * 100}\n{title}\n{'=' * 100}", flush=True)


def targets(out: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(target, wanted, measured, verdict) rows from the collected figures."""
    rows: list[tuple[str, str, str, str]] = []
    http = out.get("http", {})
    for mix, who, key, wanted, value, met in bench_http.verdicts(http):
        rows.append((f"{key} [{who}, {mix} mix]", wanted, f"{value}", "met" if met else "MISSED"))
    inproc = out.get("inprocess")
    if inproc:
        biggest = max(inproc["scales"], key=lambda s: s["factor"])
        worst = max(
            (q for q in biggest["queries"] if q.get("served_ms") is not None),
            key=lambda q: q["served_ms"],
            default=None,
        )
        measured = (
            f"{len(inproc['slow_at_largest'])} of {len(biggest['queries'])} CQs >= 50 ms at "
            f"x{biggest['factor']:g}; worst {worst['query'][:2]} {worst['served_ms']:.0f} ms"
            if worst
            else "-"
        )
        verdict = (
            "not run at x1000" if biggest["factor"] < 1000 else ("met" if not inproc["slow_at_largest"] else "MISSED")
        )
        rows.append(("every CQ p50 in process at x1000", "< 50 ms", measured, verdict))
    load = out.get("load")
    if load:
        cheap = load["cheap"]
        verdict = "met" if load["target_met"] else "MISSED"
        rows.append(("cheap p99 / errors while 4 clients time out", "< 250 ms, < 1 %",
                     f"{cheap['p99_ms']:.0f} ms, {cheap['error_pct']:.2f} %", verdict))  # fmt: skip
    if "cold_start_s" in http:
        cold = http["cold_start_s"]["median"]
        rows.append(("msckg serve cold start", "< 3 s", f"{cold:.2f} s", "met" if cold < 3 else "MISSED"))
    real = out.get("build", {}).get("real")
    if real and "stages_s" in real:
        rows.append(
            (
                "full build at real size",
                "< 60 s",
                f"{real['wall_s']:.1f} s wall ({real['stages_s'].get('total', 0):.1f} s stages)",
                "met" if real["wall_s"] < 60 else "MISSED",
            )
        )
    elif real:
        rows.append(("full build at real size", "< 60 s", f"failed: {real.get('error')}", "not measured"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about 4 minutes)")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    parser.add_argument("--skip", nargs="*", default=[], choices=["build", "inprocess", "http", "load", "profile"])
    parser.add_argument("--release", type=Path, default=None, help="release folder (default: build/current)")
    args = parser.parse_args()
    started = time.perf_counter()
    facts = machine()
    load = os.getloadavg()
    facts["loadavg_at_start"] = [round(x, 2) for x in load]
    _section("MSC-Liver KG benchmarks")
    print(machine_line(facts))
    print(
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
        + ("  (the machine is busy: figures will be noisy)" if load[0] > 0.5 else "")
    )
    out: dict[str, Any] = {"machine": facts, "quick": args.quick}
    release = args.release or ROOT / "build" / "current"

    if "build" not in args.skip:
        _section("build")
        out["build"] = bench_build.main(["--fallback"] + ([] if args.quick else ["--factors", "10", "--budget", "300"]))
        if "fallback_release" in out["build"]:
            release = Path(out["build"]["fallback_release"])
    if not (release / "msc-liver.nq").is_file():
        print(f"no release at {release}: making an unvalidated one for benchmarking")
        release = bench_build.fallback_release()
    out["release"] = str(release.resolve())

    if "inprocess" not in args.skip:
        _section("in process: pyoxigraph vs rdflib on the competency questions, by size")
        out["inprocess"] = bench_inprocess.main(["--release", str(release)] + (["--quick"] if args.quick else []))
    if "http" not in args.skip:
        _section("HTTP: closed-loop load, msckg serve vs oxigraph vs rdflib-endpoint")
        out["http"] = bench_http.main(["--release", str(release)] + (["--quick"] if args.quick else []))
    if "load" not in args.skip:
        _section("load: cheap requests while queries time out (issue 18)")
        out["load"] = bench_load.main(["--release", str(release)] + (["--duration", "10"] if args.quick else []))
    if "profile" not in args.skip:
        _section("profile: msckg serve under the CQ mix (py-spy)")
        out["profile"] = bench_profile.main(["--release", str(release), "--duration", "5" if args.quick else "10"])

    _section("targets (ratios measured in this run, same machine)")
    rows = targets(out)
    out["targets"] = [dict(zip(("target", "wanted", "measured", "verdict"), r, strict=True)) for r in rows]
    for target, wanted, measured, verdict in rows:
        print(f"{target:58} {wanted:>8}  {measured:48} {verdict}")
    out["elapsed_s"] = round(time.perf_counter() - started, 1)
    print(f"\n{machine_line(facts)}; whole run {out['elapsed_s']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str))
        print(f"figures written to {args.json}")


if __name__ == "__main__":
    main()
