"""Mechanism paths on a hand-made graph (tests/data/paths/fixture.trig): signs compose, stated and derived paths,
context junctions, filters, bounds, names and evidence, read through the real embedded engine."""

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from server.engine.causal import CausalGraph, Claim, load_causal_graph
from server.engine.evidence import contradictions, level_of
from server.engine.names import resolve
from server.engine.oxigraph_engine import OxigraphEngine
from server.engine.paths import Options, compose, find_paths, net
from server.errors import QueryError, QueryTimeout, UnknownName
from tests.conftest import DATA

FIXTURE = DATA / "paths" / "fixture.trig"
E = "https://w3id.org/msc-liver/entity/"
NP = "https://w3id.org/msc-liver/np/"
MOUSE, HUMAN = "http://purl.obolibrary.org/obo/NCBITaxon_10090", "http://purl.obolibrary.org/obo/NCBITaxon_9606"


def fixture_engine(path: Path = FIXTURE) -> OxigraphEngine:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TRIG)
    return OxigraphEngine(store, {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)})


@pytest.fixture(scope="module")
def graph() -> CausalGraph:
    return load_causal_graph(fixture_engine())


def _ids(path) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.claim.nanopub.removeprefix(NP) for e in path.steps]


def test_only_causal_triples_are_edges(graph: CausalGraph) -> None:
    assert {e.predicate.rsplit("/", 1)[-1] for e in graph.edges} >= {"decreasesExpressionOf", "RO_0004035"}
    assert not any(e.predicate.endswith("RO_0002206") for e in graph.edges)  # "expressed in" is not causal
    assert not any(e.subject.endswith("/assertion") for e in graph.edges)  # the claim's context is not an edge


def test_two_negative_steps_make_a_positive_stated_path(graph: CausalGraph) -> None:
    result = find_paths(graph, E + "agent", E + "target")
    chain = [p for p in result.stated if p.chain]
    assert len(chain) == 1 and _ids(chain[0]) == ["fx-01", "fx-02"]
    assert [e.sign for e in chain[0].steps] == ["-", "-"] and chain[0].sign == "+"
    assert chain[0].kind == "stated" and chain[0].junctions == ()
    # with the two one-claim paths (+ and −) the review's own paths disagree: mixed
    assert {p.sign for p in result.stated} == {"+", "-"} and result.net == "mixed"


def test_a_null_step_makes_the_path_null(graph: CausalGraph) -> None:
    direct = find_paths(graph, E + "agent", E + "side-score")
    assert [(_ids(p), p.sign, p.kind) for p in direct.derived] == [(["fx-01", "fx-05"], "0", "derived")]
    assert direct.net == "none" and direct.net_derived == "0"
    null = find_paths(graph, E + "agent", E + "score", Options(max_length=1))
    assert {(_ids(p)[0], p.sign) for p in null.stated} == {("fx-04", "0"), ("fx-06", "+")}
    assert null.net == "+"  # a null path does not cancel an effect: the net names the direction found (CQ 13)


def test_a_mouse_to_human_junction_is_flagged(graph: CausalGraph) -> None:
    result = find_paths(graph, E + "agent", E + "score")
    joined = [p for p in result.derived if _ids(p) == ["fx-01", "fx-02", "fx-03"]]
    assert len(joined) == 1 and joined[0].sign == "+"
    species = [j for j in joined[0].junctions if j.kind == "species"]
    assert [(j.after, set(j.before), set(j.then)) for j in species] == [(2, {MOUSE}, {HUMAN})]
    assert [j.kind for j in joined[0].junctions] == ["species", "model"]
    assert joined[0].species_context is None


def test_same_context_keeps_paths_within_one_species_and_model(graph: CausalGraph) -> None:
    every = find_paths(graph, E + "agent", E + "score")
    same = find_paths(graph, E + "agent", E + "score", Options(same_context=True))
    assert any(p.junctions for p in every.stated + every.derived)
    assert same.stated + same.derived and not any(p.junctions for p in same.stated + same.derived)
    # fx-07 (mouse, in vitro) then fx-03 (human): both species and model change
    assert not any(_ids(p)[:1] == ["fx-07"] for p in same.derived)


def test_species_filter_keeps_steps_in_that_species(graph: CausalGraph) -> None:
    mouse = find_paths(graph, E + "agent", E + "target", Options(species=MOUSE))
    assert {tuple(_ids(p)) for p in mouse.stated} == {("fx-01", "fx-02"), ("fx-07",), ("fx-08",)}
    human = find_paths(graph, E + "agent", E + "target", Options(species=HUMAN))
    assert not human.stated and not human.derived and human.net == "none"


def test_a_step_without_direction_ends_a_path(graph: CausalGraph) -> None:
    late = find_paths(graph, E + "agent", E + "late")
    assert late.derived and {p.sign for p in late.derived} == {"none"}
    assert all(p.steps[-1].sign == "none" for p in late.derived)
    beyond = find_paths(graph, E + "agent", E + "end", Options(max_length=8))
    assert not beyond.stated and not beyond.derived  # every way to "end" passes the undirected step
    assert find_paths(graph, E + "late", E + "end").stated  # after it, a path may start again


def test_length_limit_and_bounds(graph: CausalGraph) -> None:
    two = find_paths(graph, E + "agent", E + "score", Options(max_length=2)).derived
    three = find_paths(graph, E + "agent", E + "score", Options(max_length=3)).derived
    assert two and max(len(p.steps) for p in two) == 2 and max(len(p.steps) for p in three) == 3
    assert [_ids(p) for p in two] == [_ids(p) for p in three if len(p.steps) <= 2]  # shortest first
    with pytest.raises(QueryError, match="between 1 and"):
        find_paths(graph, E + "agent", E + "score", Options(max_length=99))
    with pytest.raises(QueryError, match="same node"):
        find_paths(graph, E + "agent", E + "agent")


def test_path_cap_cuts_and_says_so(graph: CausalGraph) -> None:
    result = find_paths(graph, E + "agent", E + "score", Options(max_paths=1))
    assert len(result.stated) == 1 and len(result.derived) == 1
    assert set(result.truncated) == {"stated", "derived"}


def _dense(width: int, depth: int) -> CausalGraph:
    """Layers of ``width`` nodes, every node joined to every node of the next layer by one claim: width**depth paths."""
    from server.engine.causal import Claim, Edge

    claim = Claim(NP + "dense")
    layers = [["s"], *([f"{d}-{i}" for i in range(width)] for d in range(depth)), ["t"]]
    pairs = zip(layers, layers[1:], strict=False)
    edges = [Edge(E + a, "p", E + b, "+", claim) for x, y in pairs for a in x for b in y]
    return CausalGraph(edges, {})


def test_search_stops_at_the_time_limit() -> None:
    dense = _dense(width=30, depth=6)  # 30**6 paths of 7 steps
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="0.2 s limit"):
        find_paths(dense, E + "s", E + "t", Options(max_length=7, max_paths=10**9, timeout=0.2))
    assert time.monotonic() - started < 5


def test_resolve_names(graph: CausalGraph) -> None:
    assert resolve(graph, "CL:0002540") == E + "agent"  # the node's exact mapping
    assert resolve(graph, "HGNC:1682") == E + "mediator"  # a close mapping, when no exact one
    assert resolve(graph, "GO:0006954") == E + "target"  # exactMatch wins over another node's broadMatch
    assert resolve(graph, "msce:agent") == resolve(graph, "agent") == E + "agent"
    assert resolve(graph, "Agent Cell") == resolve(graph, "药剂细胞") == resolve(graph, "AC") == E + "agent"
    with pytest.raises(UnknownName) as ambiguous:
        resolve(graph, "twin")
    assert {iri for iri, _ in ambiguous.value.candidates} == {E + "twin-a", E + "twin-b"}
    with pytest.raises(UnknownName) as unknown:
        resolve(graph, "scor")
    assert {iri for iri, _ in unknown.value.candidates} == {E + "score", E + "side-score"}
    for part in ("HGNC:16400", "介导亚基", "subunit"):  # a part on no claim itself: the node that holds it
        with pytest.raises(UnknownName, match="part of") as whole:
            resolve(graph, part)
        assert whole.value.candidates == [(E + "mediator", "mediator")]


def test_evidence_levels_contradictions(graph: CausalGraph) -> None:
    claims = {c.nanopub.removeprefix(NP): c for c in graph.claims.values()}
    assert level_of(claims["fx-06"]) == "clinical trial"  # ECO:0007121
    assert level_of(claims["fx-03"]) == "clinical trial"  # ECO:0000269 in a randomized controlled trial
    assert level_of(claims["fx-01"]) == "animal in vivo"  # ECO:0000269 in an animal model
    assert level_of(claims["fx-07"]) == "in vitro"
    assert level_of(claims["fx-02"]) == level_of(claims["fx-09"]) == "review statement"  # curator inference; author
    found = {(c.first.claim.nanopub.removeprefix(NP), c.second.claim.nanopub.removeprefix(NP), c.kind)
             for c in contradictions(graph.edges)}  # fmt: skip
    assert found == {("fx-04", "fx-06", "null result against an effect"), ("fx-07", "fx-08", "opposite signs")}
    summary = find_paths(graph, E + "agent", E + "score", Options(max_length=1)).summary
    assert summary is not None and [c.kind for c in summary.contradictions] == ["null result against an effect"]
    assert summary.levels == {"clinical trial": 1, "review statement": 1}
    assert summary.modalities == {"demonstrated": 1, "null": 1}


def test_in_vivo_assay_level_follows_the_model() -> None:
    """ECO:0000178 names no animal: its level is the model's kind, as for generic experimental evidence."""
    assay = ("http://purl.obolibrary.org/obo/ECO_0000178",)
    animal = frozenset({"https://w3id.org/msc-liver/ontology/AnimalModel"})
    in_vitro = frozenset({"https://w3id.org/msc-liver/ontology/InVitroModel"})
    assert level_of(Claim("np", evidence=assay, model_kinds=animal)) == "animal in vivo"
    assert level_of(Claim("np", evidence=assay, model_kinds=in_vitro)) == "in vitro"


def test_compose_and_net() -> None:
    assert compose("--") == "+" and compose("-+-") == "+" and compose("+-") == "-"
    assert compose(["-", "0", "-"]) == "0" and compose(["+", "none"]) == "none"
    assert net([]) == "none"
