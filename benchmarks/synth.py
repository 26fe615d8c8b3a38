"""Synthetic scale-ups of a release: the real graph's shape, replicated with fresh IRIs, deterministic.

What it makes: a release folder (the layout of :mod:`server.release.layout`: ``msc-liver.nq``, ``release.json``,
``queries/``) whose dump holds about ``factor`` times the quads of the source release.

How: the source dump's quads are split in two.

* **Kept once** (the T-box and what is not ours to multiply): the graphs ``graph/ontology``,
  ``graph/imports/*`` and ``graph/references`` (the cited papers sit on their DOI IRIs, which are external).
* **Replicated**: every other graph (nanopublication head / assertion / provenance / pubinfo graphs, the entity file
  graphs ``graph/entities/*``, and the computed graphs ``graph/derived`` and ``graph/inferred``, whose names stay
  while their nodes are renamed per copy). Copy 0 is the original, byte for byte, so the competency questions that
  name entities (``msce:bm-msc``, ``hgnc:16400`` …) still find their answers; copy ``k`` (1 … n-1) appends ``-x{k}``
  to every IRI under ``entity/``, ``np/``, ``chain/``, (a nanopublication's graphs ``np/<id>/<part>`` with it) and
  ``graph/entities/`` (subjects, objects and graph names alike) and to every blank node label. Ontology terms
  (``msc:``), agents, releases and every external IRI (OBO, identifiers.org, DOIs, W3C vocabularies) and all
  literals are kept, so each copy is typed by the same classes, cites the same references and maps to the same
  external terms — the shape an integrator gets when the same kind of curation grows.

The number of copies ``n`` is chosen so that ``kept + n * replicated`` is closest to ``factor * total``.
Nothing random is used: the same source and factor give the same file. A finished folder is reused when its
``release.json`` records the same source checksum, factor and generator version.

    .venv/bin/python benchmarks/synth.py [--release build/current] [--factors 10 100 1000] [--out build/bench]
"""

import argparse
import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.namespaces import BASE  # noqa: E402
from server.release.layout import DUMP_FILE, INFO_FILE  # noqa: E402

#: Bump when the output for a given source and factor changes.
GENERATOR_VERSION = 1
#: IRI prefixes whose IRIs get a fresh suffix in each copy.
RENAMED = tuple(
    BASE + p
    for p in (
        "entity/",
        "np/",
        "chain/",
        "graph/entities/",
    )
)
#: Graphs (by IRI prefix) kept once: the T-box, the import modules and the references (on their DOI IRIs).
KEPT_GRAPHS = tuple(BASE + p for p in ("graph/ontology", "graph/imports/", "graph/references"))
#: Marks where a copy suffix goes in a template line.
_MARK = "\x00"


@dataclass
class Template:
    """The source dump split into what is kept once and what each copy repeats."""

    kept: str
    kept_quads: int
    replicated: str
    replicated_quads: int
    source_sha256: str

    @property
    def total(self) -> int:
        """Quads of the source."""
        return self.kept_quads + self.replicated_quads

    def copies_for(self, factor: float) -> int:
        """Return how many copies (the original included) give about ``factor`` times the source's quads."""
        if self.replicated_quads == 0:
            return 1
        return max(1, round((factor * self.total - self.kept_quads) / self.replicated_quads))


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}{_MARK}>" if term.value.startswith(RENAMED) else f"<{term.value}>"
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}{_MARK}"
    if isinstance(term, ox.Literal):
        return str(term)
    raise ValueError(f"unexpected term in a release dump: {term!r}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def template(dump: Path) -> Template:
    """Read a release dump and split it into the kept part and the per-copy template.

    :param dump: the source ``msc-liver.nq``.
    :returns: the template (N-Quads text with suffix marks).
    """
    kept: list[str] = []
    replicated: list[str] = []
    for quad in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value.startswith(KEPT_GRAPHS):
            kept.append(f"{quad.subject} {quad.predicate} {quad.object} {graph} .\n")
            continue
        graph_text = "" if isinstance(graph, ox.DefaultGraph) else " " + _term(graph)
        replicated.append(f"{_term(quad.subject)} <{quad.predicate.value}> {_term(quad.object)}{graph_text} .\n")
    return Template("".join(kept), len(kept), "".join(replicated), len(replicated), _sha256(dump))


def write_dump(tpl: Template, copies: int, target: Path) -> int:
    """Write ``copies`` copies (copy 0 with the original IRIs) plus the kept part as N-Quads.

    :param tpl: the template.
    :param copies: how many copies of the replicated part.
    :param target: the ``.nq`` file to write.
    :returns: quads written.
    """
    with target.open("w", encoding="utf-8") as out:
        out.write(tpl.kept)
        out.write(tpl.replicated.replace(_MARK, ""))
        for k in range(1, copies):
            out.write(tpl.replicated.replace(_MARK, f"-x{k}"))
    return tpl.kept_quads + copies * tpl.replicated_quads


def make_release(source: Path, factor: float, out: Path, queries: Path, tpl: Template | None = None) -> Path:
    """Make (or reuse) a synthetic release folder ``factor`` times the size of ``source``.

    :param source: a release folder (with ``msc-liver.nq``).
    :param factor: size multiplier (1 copies the source as it is).
    :param out: the folder to write (``msc-liver.nq``, ``release.json``, ``queries/``).
    :param queries: the competency questions to ship in ``queries/``.
    :param tpl: a template already read from ``source`` (read when ``None``).
    :returns: ``out``.
    """
    dump = source / DUMP_FILE
    tpl = tpl or template(dump)
    copies = tpl.copies_for(factor)
    info_path = out / INFO_FILE
    if info_path.is_file() and (out / DUMP_FILE).is_file():
        info = json.loads(info_path.read_text(encoding="utf-8"))
        synthetic = info.get("synthetic", {})
        if (
            synthetic.get("source_sha256") == tpl.source_sha256
            and synthetic.get("copies") == copies
            and synthetic.get("generator") == GENERATOR_VERSION
        ):
            _copy_queries(queries, out)
            return out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = out / (DUMP_FILE + ".tmp")
    quads = write_dump(tpl, copies, tmp)
    tmp.replace(out / DUMP_FILE)
    _copy_queries(queries, out)
    source_info = source / INFO_FILE
    version = json.loads(source_info.read_text(encoding="utf-8")).get("version", "") if source_info.is_file() else ""
    info = {
        "version": f"{version}-synthetic-x{factor:g}",
        "quads": quads,
        "synthetic": {
            "factor": factor,
            "copies": copies,
            "source": str(source.resolve()),
            "source_sha256": tpl.source_sha256,
            "source_quads": tpl.total,
            "kept_quads": tpl.kept_quads,
            "replicated_quads": tpl.replicated_quads,
            "generator": GENERATOR_VERSION,
            "write_s": round(time.perf_counter() - started, 2),
        },
    }
    info_path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out


def _copy_queries(queries: Path, out: Path) -> None:
    target = out / "queries"
    target.mkdir(exist_ok=True)
    for cq in sorted(queries.glob("*.rq")):
        shutil.copy(cq, target / cq.name)


def scale_name(factor: float) -> str:
    """Return the folder name of a scale (``x10``, ``x100`` …)."""
    return f"x{factor:g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current", help="source release folder")
    parser.add_argument("--factors", type=float, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench", help="parent of the x<factor> folders")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries" / "cq")
    args = parser.parse_args()
    if not (args.release / DUMP_FILE).is_file():
        sys.exit(f"no {DUMP_FILE} in {args.release}: run 'msckg build' (or benchmarks/run_all.py) first")
    tpl = template(args.release / DUMP_FILE)
    print(f"source {args.release}: {tpl.total} quads ({tpl.kept_quads} kept once, {tpl.replicated_quads} replicated)")
    for factor in args.factors:
        started = time.perf_counter()
        folder = make_release(args.release, factor, args.out / scale_name(factor), args.queries, tpl)
        info = json.loads((folder / INFO_FILE).read_text(encoding="utf-8"))
        size = (folder / DUMP_FILE).stat().st_size
        print(
            f"{scale_name(factor):>6}: {info['quads']:>10} quads, {info['synthetic']['copies']:>5} copies, "
            f"{size / 2**20:8.1f} MiB, {time.perf_counter() - started:6.1f} s -> {folder}"
        )


if __name__ == "__main__":
    main()
