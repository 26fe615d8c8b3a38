"""The path engine on the real graph agrees with the competency questions that compose signs in SPARQL (13, 14, 15,
01), and keeps the properties of the review's mechanisms that hold whatever the curators re-curate."""

from collections import defaultdict
from pathlib import Path

import pytest

from server.engine.causal import CausalGraph, load_causal_graph
from server.engine.evidence import LEVELS, contradictions, level_of
from server.engine.oxigraph_engine import OxigraphEngine
from server.engine.paths import Options, find_paths, net
from server.engine.paths_report import answer, as_json, as_text, short
from server.release.layout import DUMP_FILE
from tests.conftest import ROOT

CQ = ROOT / "queries" / "cq"
E = "https://w3id.org/msc-liver/entity/"
BM_MSC = E + "bm-msc"


@pytest.fixture(scope="module")
def engine(real_release: Path) -> OxigraphEngine:
    return OxigraphEngine.from_dump(real_release / DUMP_FILE)


@pytest.fixture(scope="module")
def graph(engine: OxigraphEngine) -> CausalGraph:
    return load_causal_graph(engine)


def _rows(engine: OxigraphEngine, name: str) -> list[dict[str, str]]:
    import pyoxigraph as ox

    result = engine.store.query((CQ / name).read_text(encoding="utf-8"), use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[i].value for i, n in enumerate(names) if s[i] is not None} for s in result]


def test_net_effects_agree_with_cq_13(engine: OxigraphEngine, graph: CausalGraph) -> None:
    """CQ 13: paths of up to 5 claims from BM-MSC within one species, net per target and species."""
    expected = {(r["target"], r["species"]): r["net"] for r in _rows(engine, "13-net-effect-of-bm-msc.rq")}
    found: dict[tuple[str, str], list[object]] = defaultdict(list)
    for target in graph.nodes - {BM_MSC}:
        result = find_paths(graph, BM_MSC, target, Options(max_length=5, max_paths=100_000))
        assert not result.truncated
        for path in result.stated + result.derived:
            context = path.species_context
            if path.sign == "none" or context is None:
                continue
            for species in sorted(context) or ["not stated"]:
                found[(target, species.rsplit("/", 1)[-1])].append(path)
    assert expected and {key: net(paths) for key, paths in found.items()} == expected  # type: ignore[arg-type]


def test_stated_net_and_evidence_agree_with_cq_14(engine: OxigraphEngine, graph: CausalGraph) -> None:
    """CQ 14: BM-MSC's net effect over stated paths, and the best level a stated path rests on."""
    rows = _rows(engine, "14-what-bm-msc-does-net-with-evidence.rq")
    expected = {r["target"]: (r["net"], r["evidenceLevel"]) for r in rows}
    found = {}
    for target in graph.nodes - {BM_MSC}:
        stated = [p for p in find_paths(graph, BM_MSC, target).stated if p.sign != "none"]
        if stated:
            best = min(max(LEVELS.index(level_of(e.claim) or LEVELS[-1]) for e in p.steps) for p in stated)
            found[target] = (net(stated), LEVELS[best])
    assert expected and found == expected


def test_contradictions_agree_with_cq_15(engine: OxigraphEngine, graph: CausalGraph) -> None:
    rows = _rows(engine, "15-claims-that-disagree.rq")
    expected = {(r["np1"], r["predicate1"], r["np2"], r["predicate2"], r["kind"]) for r in rows}
    found = {(c.first.claim.nanopub, c.first.predicate, c.second.claim.nanopub, c.second.predicate, c.kind)
             for c in contradictions(graph.edges)}  # fmt: skip
    assert found == expected
    for r in rows:  # each listed with both sources
        assert r["reference1"].startswith("https://doi.org/") and r["reference2"].startswith("https://doi.org/")


def test_cq_01_molecules_are_anti_inflammatory_on_signed_paths(engine: OxigraphEngine, graph: CausalGraph) -> None:
    """CQ 01's molecules are raised by the cells and lower inflammation on the engine's paths; NLRP3, IL-1β,
    caspase-1 and GSDMD, which the cells lower, never count."""
    inflammation = [E + n for n in ("liver-inflammation", "inflammatory-response", "immune-inflammatory-injury",
                                    "alcohol-related-liver-injury")]  # fmt: skip
    molecules = {r["molecule"] for r in _rows(engine, "01-anti-inflammatory-molecules.rq")}
    assert molecules
    for molecule in molecules:
        raised = find_paths(graph, BM_MSC, molecule, Options(max_length=3))
        assert "+" in {p.sign for p in raised.stated + raised.derived}, molecule
        onwards = [p for t in inflammation if t in graph.nodes for p in
                   (lambda r: r.stated + r.derived)(find_paths(graph, molecule, t))]  # fmt: skip
        assert net(onwards) == "-", molecule
    for lowered in ("nlrp3-inflammasome", "casp1", "il1b-release", "gsdmd"):
        if E + lowered in graph.nodes:
            assert E + lowered not in molecules
            assert find_paths(graph, BM_MSC, E + lowered).net == "-", lowered


# the review's organ-less 抗炎 is said of stem cells and MSCs (intro-13, s2-03, s2-1-28), never of BM-MSCs, whose
# anti-inflammatory claims name the liver; BM-MSCs inhibit hepatocyte pyroptosis themselves (s2-2-08)
OWN_PATHS = [("liver fibrosis", "-"), ("hepatocyte apoptosis", "-"), ("hepatocyte proliferation", "+"),
             ("liver inflammation", "-"), ("hepatocyte pyroptosis", "-")]  # fmt: skip


@pytest.mark.parametrize(("target", "sign"), OWN_PATHS)
def test_the_reviews_own_paths_from_bm_msc(graph: CausalGraph, target: str, sign: str) -> None:
    result = answer(graph, "BM-MSC", target, Options())
    assert result.stated and result.net == sign
    document = as_json(result, graph)
    assert document["from"] == "msce:bm-msc" and document["net"] == sign
    for path in document["paths"]:
        assert path["nodes"][0] == "msce:bm-msc" and path["nodes"][-1] == short(result.target)
        assert all(step["nanopub"].startswith("https://w3id.org/msc-liver/np/") for step in path["steps"])
    assert "net (stated paths): " + sign in as_text(result, graph)


def test_stated_paths_follow_one_chain_in_order_or_one_claim(graph: CausalGraph) -> None:
    for target in ("liver-inflammation", "hepatocyte-apoptosis", "liver-fibrosis"):
        for path in find_paths(graph, BM_MSC, E + target).stated:
            claims = {e.claim.nanopub for e in path.steps}
            if len(claims) > 1:
                assert path.chain is not None
                steps = [e.claim.chain_step or 0 for e in path.steps]
                assert steps == sorted(steps)


def test_cq_02_pathways_lie_on_negative_paths_to_fibrosis(engine: OxigraphEngine, graph: CausalGraph) -> None:
    """CQ 02's pathways (or a participant of each) lie on a path from the cells to fibrosis whose sign is −."""
    agents = [E + n for n in ("bm-msc", "msc", "circdido1-msc-exosome", "ifng-preconditioned-msc")]
    targets = [E + n for n in ("liver-fibrosis-process", "liver-fibrosis", "hsc-activation", "hsc-proliferation")]
    negative_nodes = set()
    for agent in agents:
        for target in targets:
            if agent in graph.nodes and target in graph.nodes:
                found = find_paths(graph, agent, target)
                negative_nodes |= {n for p in found.stated + found.derived if p.sign == "-" for n in p.nodes}
    rows = _rows(engine, "02-anti-fibrotic-pathways.rq")
    assert rows
    for row in rows:
        pathway = row["pathway"]
        result = engine.store.query(f"SELECT ?n WHERE {{ <{pathway}> <http://purl.obolibrary.org/obo/RO_0000057> ?n }}",
                                    use_default_graph_as_union=True)  # fmt: skip
        members = {pathway} | {s["n"].value for s in result}  # type: ignore[union-attr]
        assert members & negative_nodes, pathway
