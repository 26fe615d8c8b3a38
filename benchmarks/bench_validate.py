"""Time SHACL validation on the project and on synthetic copies 10x and 100x its size.

What it measures: wall time of ``server.checks.shacl.validate`` (view building + pySHACL + mapping results to
files), loading excluded, and the peak resident set size of the process that ran it. Each scale runs in
its own child process so the peak RSS of one scale does not hide in another's.

The synthetic graphs replicate every curated entity, chain and nanopublication ``n - 1`` times with fresh
IRIs (``msce:bm-msc`` -> ``msce:bm-msc-x1`` …, ``mscnp:s2-1-03`` -> ``mscnp:s2-1-03-x1`` …), keeping the
ontology, the references and the shapes as they are; the copies are deterministic.

Run: ``.venv/bin/python benchmarks/bench_validate.py [--scales 1 10 100]``.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from rdflib import BNode, URIRef
from rdflib.term import Node

from server.checks.shacl import validate
from server.config import project_paths
from server.curation.load import Loaded, load_project
from server.curation.validation_view import is_ontology_graph
from server.iris import file_graph
from server.namespaces import MSCC, MSCE, MSCNP

REPLICATED = tuple(str(ns) for ns in (MSCE, MSCNP, MSCC))
KEPT = (str(file_graph("references")),)


def _copy_term(term: Node, k: int) -> Node:
    if isinstance(term, URIRef) and str(term).startswith(REPLICATED):
        local, slash, part = str(term).removeprefix(str(MSCNP)).partition("/")
        if str(term).startswith(str(MSCNP)) and slash:  # a nanopublication's graph: the copy suffix goes on its id
            return URIRef(f"{MSCNP}{local}-x{k}/{part}")
        return URIRef(f"{term}-x{k}")
    if isinstance(term, BNode):
        return BNode(f"{term}x{k}")
    return term


def replicate(loaded: Loaded, scale: int) -> Loaded:
    """Add ``scale - 1`` renamed copies of every curated data graph to ``loaded`` (in place)."""
    originals = [
        (URIRef(g.identifier), list(g))
        for g in loaded.data_graphs()
        if not is_ontology_graph(URIRef(g.identifier)) and str(g.identifier) not in KEPT
    ]
    for k in range(1, scale):
        for ident, triples in originals:
            target_id = _copy_term(ident, k)
            assert isinstance(target_id, URIRef)
            target = loaded.dataset.graph(target_id)
            for s, p, o in triples:
                target.add((_copy_term(s, k), p, _copy_term(o, k)))
            source = loaded.source_of(ident)
            if source is not None:
                loaded.sources[target_id] = source
    return loaded


def run_one(scale: int) -> dict[str, float | int | bool]:
    loaded = replicate(load_project(project_paths()), scale)
    quads = sum(len(g) for g in loaded.data_graphs())
    started = time.perf_counter()
    report = validate(loaded)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "scale": scale,
        "quads": quads,
        "seconds": round(seconds, 2),
        "results": len(report.results),
        "conforms": report.conforms,
        "peak_rss_mib": round(peak_kib / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_one(args.child)))
        return
    print(f"{'scale':>5} {'quads':>9} {'validate s':>10} {'results':>7} {'peak RSS MiB':>12}")
    for scale in args.scales:
        out = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(scale)],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{row['scale']:>5} {row['quads']:>9} {row['seconds']:>10} {row['results']:>7} {row['peak_rss_mib']:>12}")


if __name__ == "__main__":
    main()
