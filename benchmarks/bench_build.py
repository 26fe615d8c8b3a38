"""The build's stages (load, SHACL, QC gates, identifier gate, HermiT, write) at the real size and scale-ups.

What it measures:

* real size: ``msckg build`` as a user runs it (a subprocess): the stage timings it prints, its wall time
  (interpreter start and imports included) and the peak RSS of its largest process (Python or HermiT's JVM).
  It publishes a release as it always does. When the build fails (the data do not conform yet), the failure
  is printed and ``--fallback`` makes a release folder for the other benchmarks without validation:
  ``build/bench/real/`` (the project loaded with ``server.curation.load.load_project``, its data graphs as N-Quads,
  ``release.json``, ``queries/``);
* scale-ups (``--factors``): a synthetic project folder ``build/bench/project-x<f>/`` (ontology, shapes,
  queries and the original instance files linked; each further copy of the entity files and nanopublications
  written as Turtle / TriG with the fresh IRIs of ``synth.py``), whose stages are timed one by one in a child
  process (same functions as ``server/release/build.py``), each scale within ``--budget`` seconds (then killed, the
  stages done so far reported). Whether the synthetic data conform is printed too (copies repeat labels and
  quotes, which some gates may refuse; the time is what counts here).

    .venv/bin/python benchmarks/bench_build.py [--factors 10] [--budget 600] [--fallback] [--json out.json]
"""

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Child, machine, machine_line, peak_rss_mib  # noqa: E402

BENCH = ROOT / "build" / "bench"
#: The target of issue 7 for the full build at the real size, seconds.
TARGET_S = 60.0
_STAGES = re.compile(r"\(([^()]*)\)\s*$")


def build_real(root: Path = ROOT) -> dict[str, Any]:
    """Run ``msckg build``; parse its stage timings."""
    started = time.perf_counter()
    out = subprocess.run(
        [str(root / ".venv" / "bin" / "msckg"), "build"], cwd=root, capture_output=True, text=True, timeout=1800
    )
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result: dict[str, Any] = {"exit": out.returncode, "wall_s": round(wall, 2), "peak_rss_mib": round(peak)}
    if out.returncode != 0:
        result["error"] = (out.stderr.strip() or out.stdout.strip()).splitlines()[-1:] or ["?"]
        return result
    line = out.stdout.strip().splitlines()[-1]
    match = _STAGES.search(line)
    stages = {}
    if match:
        for part in match.group(1).split(","):
            name, _, value = part.strip().partition(" ")
            stages[name] = float(value.rstrip("s"))
    result.update(stages_s=stages, line=line)
    quads = re.search(r"(\d+) quads", line)
    result["quads"] = int(quads.group(1)) if quads else None
    return result


def fallback_release(target: Path = BENCH / "real") -> Path:
    """A release folder made without validation: the project's data graphs as N-Quads, release.json, queries/."""
    from rdflib import Dataset

    from server.config import project_paths
    from server.curation.load import load_project

    paths = project_paths(ROOT)
    loaded = load_project(paths)
    target.mkdir(parents=True, exist_ok=True)
    dataset = Dataset()
    quads = 0
    for g in loaded.data_graphs():
        named = dataset.graph(g.identifier)
        for triple in g:
            named.add(triple)
            quads += 1
    dataset.serialize(target / "msc-liver.nq", format="nquads", encoding="utf-8")
    (target / "queries").mkdir(exist_ok=True)
    for cq in sorted((paths.queries / "cq").glob("*.rq")):
        shutil.copy(cq, target / "queries" / cq.name)
    info = {
        "version": "unvalidated-benchmark-release",
        "quads": quads,
        "note": "made by benchmarks/bench_build.py without SHACL/QC/HermiT because 'msckg build' failed",
    }
    (target / "release.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return target


def synthetic_project(release: Path, factor: float) -> tuple[Path, int]:
    """Make ``build/bench/project-x<f>``: the project's sources plus renamed copies; returns (root, copies)."""
    import pyoxigraph as ox
    from synth import _MARK, template

    tpl = template(release / "msc-liver.nq")
    copies = tpl.copies_for(factor)
    root = BENCH / f"project-x{factor:g}"
    stamp = root / ".made"
    if stamp.is_file() and stamp.read_text().strip() == f"{tpl.source_sha256} {copies}":
        return root, copies
    shutil.rmtree(root, ignore_errors=True)
    (root / "instances" / "entities").mkdir(parents=True)
    (root / "instances" / "assertions").mkdir(parents=True)
    for name in ("ontology", "shapes", "queries"):
        (root / name).symlink_to(ROOT / name)
    for path in (ROOT / "instances").rglob("*"):
        if path.is_file():
            (root / path.relative_to(ROOT)).symlink_to(path)
    entity_graph = "https://w3id.org/msc-liver/graph/entities/"
    for k in range(1, copies):
        text = tpl.replicated.replace(_MARK, f"-x{k}")
        by_file: dict[str, list[ox.Quad]] = defaultdict(list)
        nanopubs: list[ox.Quad] = []
        for quad in ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name.value  # type: ignore[union-attr]
            if graph.startswith(entity_graph):
                by_file[graph[len(entity_graph) :]].append(quad)
            else:
                nanopubs.append(quad)
        for stem, quads in by_file.items():
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            (root / "instances" / "entities" / f"{stem}.ttl").write_bytes(
                ox.serialize(triples, format=ox.RdfFormat.TURTLE) or b""
            )
        (root / "instances" / "assertions" / f"synth-x{k}.trig").write_bytes(
            ox.serialize(nanopubs, format=ox.RdfFormat.TRIG) or b""
        )
    stamp.write_text(f"{tpl.source_sha256} {copies}\n")
    return root, copies


def _stages_child(conn: Any, root: str) -> None:
    from server.checks.qc import gate_files, run_gates
    from server.checks.reason import reason
    from server.checks.shacl import validate
    from server.checks.terms import term_problems
    from server.config import project_paths
    from server.curation.load import load_project

    paths, real = project_paths(root), project_paths()
    conn.send(("ready", None))
    state: dict[str, Any] = {}
    steps = [
        ("load", lambda: state.update(loaded=load_project(paths))),
        ("shacl", lambda: state.update(shacl=validate(state["loaded"]))),
        ("qc", lambda: state.update(qc=run_gates(state["loaded"], gate_files(paths.queries)))),
        ("terms", lambda: state.update(terms=term_problems(state["loaded"], real.term_kinds, real.reference_tables))),
        ("reason", lambda: state.update(reason=reason(state["loaded"]))),
    ]
    for name, step in steps:
        conn.recv()
        start = time.perf_counter()
        try:
            step()
            extra: dict[str, Any] = {}
            if name == "load":
                extra["quads"] = sum(len(g) for g in state["loaded"].data_graphs())
            if name == "shacl":
                extra["conforms"] = state["shacl"].conforms
                extra["results"] = len(state["shacl"].results)
            if name == "qc":
                extra["rows"] = len(state["qc"])
            conn.send(
                {"stage": name, "s": round(time.perf_counter() - start, 3), **extra, "peak_rss_mib": peak_rss_mib()}
            )
        except Exception as exc:  # a stage may refuse synthetic data: say so, stop
            conn.send(
                {
                    "stage": name,
                    "s": round(time.perf_counter() - start, 3),
                    "error": f"{type(exc).__name__}: {str(exc)[:200]}",
                    "peak_rss_mib": peak_rss_mib(),
                }
            )
            return


def build_scaled(release: Path, factor: float, budget: float) -> dict[str, Any]:
    """Time the stages on a synthetic project ``factor`` times the size, within ``budget`` seconds."""
    started = time.perf_counter()
    root, copies = synthetic_project(release, factor)
    result: dict[str, Any] = {
        "factor": factor,
        "copies": copies,
        "root": str(root),
        "prepare_s": round(time.perf_counter() - started, 2),
        "stages_s": {},
    }
    child = Child(_stages_child, str(root), start_limit=120)
    deadline = time.perf_counter() + budget
    for _ in range(5):
        left = deadline - time.perf_counter()
        if left <= 0:
            result["note"] = f"stopped: over the {budget:g} s budget"
            break
        try:
            out = child.ask("next", left)
        except TimeoutError:
            result["note"] = f"killed: over the {budget:g} s budget"
            break
        except (EOFError, OSError):
            break
        result["stages_s"][out["stage"]] = out["s"]
        result["peak_rss_mib"] = out["peak_rss_mib"]
        for key in ("quads", "conforms", "results", "rows", "error"):
            if key in out:
                result[f"{out['stage']}_{key}"] = out[key]
        if "error" in out:
            break
    child.kill()
    result["stages_s"]["total"] = round(sum(result["stages_s"].values()), 3)
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factors", type=float, nargs="*", default=[], help="synthetic scale-ups to time")
    parser.add_argument("--budget", type=float, default=600.0, help="seconds per scale-up")
    parser.add_argument("--fallback", action="store_true", help="on a failed build, make build/bench/real")
    parser.add_argument("--skip-real", action="store_true", help="do not run 'msckg build'")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    facts = machine()
    print(machine_line(facts))
    result: dict[str, Any] = {"machine": facts}
    release = ROOT / "build" / "current"
    if not args.skip_real:
        real = build_real()
        result["real"] = real
        if "error" in real:
            print(f"msckg build FAILED (exit {real['exit']}, {real['wall_s']} s): {real['error'][0]}")
            if args.fallback:
                release = fallback_release()
                result["fallback_release"] = str(release)
                print(f"benchmark release made without validation: {release}")
        else:
            stages = ", ".join(f"{k} {v:.2f}" for k, v in real["stages_s"].items())
            total = real["stages_s"].get("total", real["wall_s"])
            print(
                f"msckg build, real size ({real['quads']} quads): {stages} s; wall {real['wall_s']:.2f} s; "
                f"peak RSS {real['peak_rss_mib']} MiB; target < {TARGET_S:g} s: "
                f"{'met' if real['wall_s'] < TARGET_S else 'MISSED'} (total {total:.2f} s)"
            )
    result["release"] = str(release)
    result["scaled"] = []
    for factor in args.factors:
        if not (release / "msc-liver.nq").is_file():
            print("no release to scale up from")
            break
        scaled = build_scaled(release, factor, args.budget)
        result["scaled"].append(scaled)
        stages = ", ".join(f"{k} {v:.2f}" for k, v in scaled["stages_s"].items())
        extra = [
            f"{k}={scaled[k]}" for k in ("load_quads", "shacl_conforms", "shacl_results", "qc_rows") if k in scaled
        ]
        errors = [f"{k}: {v}" for k, v in scaled.items() if k.endswith("_error")]
        print(
            f"build stages at x{factor:g} (in process): {stages} s; peak RSS {scaled.get('peak_rss_mib', 0):.0f} "
            f"MiB; {' '.join(extra)} {scaled.get('note', '')} {'; '.join(errors)}"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return result


if __name__ == "__main__":
    main()
