"""The pages, by graph size: the search index's build and queries, and the render time of each page type.

What it measures, for each size (the real release, then synthetic scale-ups made by ``synth.py``), in this
process, over the in-process pyoxigraph engine (the same SPARQL the pages send to the worker pool):

* ``index``: building the search index (SQLite FTS5, trigram) from the release, and how many nodes it holds;
* ``search``: the median time of a search (English and Chinese words, one character, full-width letters);
* a page type each: the median render time (Flask test client, HTML) of the landing page, an entity page with
  many claims (``msce:bm-msc``), the review's reference page (every claim quotes it), a nanopublication, a
  chain, a class page, a trial and a search page, and the page's size in bytes.

Synthetic copies rename every entity, so ``msce:bm-msc`` keeps its own claims at every size, while the review
(kept once) gathers the claims of every copy: its page shows how a page behaves past the page's row limit.

    .venv/bin/python benchmarks/bench_pages.py [--release build/current] [--factors 1 10] [--repeats 5]
"""

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, machine, machine_line  # noqa: E402
from synth import make_release, scale_name, template  # noqa: E402

PAGES = {
    "landing": "/",
    "entity (bm-msc)": "/entity/bm-msc",
    "review reference": "/references/10.16352/j.issn.1001-6325.2024.11.1608",
    "nanopublication": "/np/s2-1-03",
    "chain": "/chain/cd47-hedgehog-nlrp3",
    "class": "/ontology/Macrophage",
    "trial": "/entity/lin2017-hbv-aclf-rct",
    "search page": "/search?q=stellate",
}
QUERIES = ["星状细胞", "stellate", "肝", "CD47", "hepatic stellate cell activation", "ＣＤ４７"]


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def measure(release: Path, repeats: int) -> dict[str, object]:
    """Build the app over ``release`` and time the index, searches and every page type."""
    from server.config import Settings
    from server.engine.oxigraph_engine import OxigraphEngine
    from server.release.layout import DUMP_FILE
    from server.web import create_app
    from server.web.search import SearchIndex

    app = create_app(replace(Settings.from_env(), release=release), OxigraphEngine.from_dump(release / DUMP_FILE))
    out: dict[str, object] = {}
    with app.app_context():
        started = time.perf_counter()
        index = SearchIndex()
        out["index nodes"] = index.load()
        out["index build ms"] = round((time.perf_counter() - started) * 1000, 1)
        app.extensions["msckg"]["search"] = index
        samples = []
        for _ in range(repeats):
            for q in QUERIES:
                started = time.perf_counter()
                index.search(q)
                samples.append(time.perf_counter() - started)
        out["search ms"] = _median_ms(samples)
    client = app.test_client()
    for name, path in PAGES.items():
        times, size = [], 0
        for _ in range(repeats):
            started = time.perf_counter()
            response = client.get(path, headers={"Accept": "text/html"})
            times.append(time.perf_counter() - started)
            size = len(response.data)
            if response.status_code != 200:
                raise SystemExit(f"{path}: HTTP {response.status_code}")
        out[name] = (_median_ms(times), size)
    return out


def main() -> None:
    """Print the figures, one column per size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current")
    parser.add_argument("--factors", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(machine_line(machine()))
    tpl = template(args.release / "msc-liver.nq")
    results = {}
    for factor in args.factors:
        folder = (
            args.release
            if factor == 1
            else make_release(
                args.release, factor, ROOT / "build" / "bench" / scale_name(factor), ROOT / "queries" / "cq", tpl
            )
        )
        results[scale_name(factor)] = measure(folder, args.repeats)
    print(f"{'':24}" + "".join(f"{name:>22}" for name in results))
    for key in results[next(iter(results))]:
        cells = []
        for found in results.values():
            value = found[key]
            cells.append(f"{value[0]:>9} ms {value[1]:>8} B" if isinstance(value, tuple) else f"{value!s:>22}")
        print(f"{key:24}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
