"""The derived graph: signed routes and stated net effects, checked by hand on a small graph and, on the real
release, against the signed property paths they replace (the competency questions against their former forms:
tests/test_queries_cq.py)."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks._common import solutions
from server.engine import QuerySpec
from server.engine.causal import CausalGraph, Claim, Edge
from server.engine.derived import signed_routes, stated_net_effects
from server.engine.oxigraph_engine import OxigraphEngine
from server.namespaces import DERIVED_GRAPH
from server.release.layout import DUMP_FILE

JSON = "application/sparql-results+json"

P = "(obo:RO_0002213|obo:RO_0002304|obo:RO_0004032|obo:RO_0004034|obo:RO_0003304|msc:increasesExpressionOf|msc:increasesActivityOf|msc:increases|msc:secretes)"  # noqa: E501
N = "(obo:RO_0002212|obo:RO_0002305|obo:RO_0004033|obo:RO_0004035|obo:RO_0003307|msc:decreasesExpressionOf|msc:decreasesActivityOf|msc:decreases)"  # noqa: E501
#: A walk with an even number of negative steps is a sequence of blocks P and N P* N.
EVEN_BLOCK = f"({P}|({N}/{P}*/{N}))"
PREFIXES = """PREFIX obo: <http://purl.obolibrary.org/obo/>
PREFIX msc: <https://w3id.org/msc-liver/ontology/>
"""


def _claim(name: str, chain: str | None = None, step: int | None = None) -> Claim:
    return Claim("np:" + name, chain=chain, chain_step=step)


def _graph(edges: list[tuple[str, str, str, Claim]]) -> CausalGraph:
    return CausalGraph([Edge(s, "p", o, sign, claim) for s, sign, o, claim in edges], {})


def test_signed_routes_compose_parity_through_cycles_and_stop_at_unsigned_steps() -> None:
    c = _claim("c")
    graph = _graph([("a", "+", "b", c), ("b", "-", "c", c), ("c", "-", "d", c), ("d", "+", "b", c),
                    ("a", "0", "e", c), ("a", "none", "f", c), ("e", "+", "g", c)])  # fmt: skip
    routes = signed_routes(graph)
    from_a = {(sign, y) for x, sign, y in routes if x == "a"}
    # a→b +; a→b→c −; a→b→c→d +; and round the cycle b→c→d→b (− − + = +): b again +, then c − and d + again
    assert from_a == {("+", "b"), ("-", "c"), ("+", "d")}
    # the cycle returns to b with an even count: b reaches itself positively, never negatively
    assert ("b", "+", "b") in routes and ("b", "-", "b") not in routes
    # a null step (a → e) and an undirected one (a → f) carry no sign: a reaches neither, nor g beyond e; e's own
    # signed step is a route of its own
    assert ("e", "+", "g") in routes and not any(x == "f" or y in ("e", "f") for x, _, y in routes)


def test_a_pair_reached_both_ways_has_both_routes() -> None:
    c = _claim("c")
    graph = _graph([("a", "+", "b", c), ("a", "-", "m", c), ("m", "+", "b", c)])
    assert {("a", "+", "b"), ("a", "-", "b")} <= signed_routes(graph)


def test_stated_net_effects_follow_claims_and_chains_only() -> None:
    one = _claim("one")
    chain_1, chain_2 = _claim("k1", "chain", 1), _claim("k2", "chain", 2)
    other = _claim("other")
    graph = _graph([("a", "+", "b", one), ("b", "-", "c", one),  # one claim: a → b → c is stated, net −
                    ("a", "+", "x", chain_1), ("x", "+", "c", chain_2),  # a chain in order: a → x → c, net +
                    ("c", "+", "z", other)])  # fmt: skip
    rows = {(e.source, e.target): e for e in stated_net_effects(graph)}
    assert (rows[("a", "c")].net, rows[("a", "c")].paths) == ("mixed", 2)
    assert rows[("a", "c")].claims == ("np:k1", "np:k2", "np:one")
    assert (rows[("a", "b")].net, rows[("a", "b")].paths) == ("+", 1)
    # c → z is its own claim; a → … → z joins claims the review did not join: no stated net effect
    assert ("a", "z") not in rows and (rows[("c", "z")].net, rows[("c", "z")].paths) == ("+", 1)
    assert {e.level for e in rows.values()} == {"not stated"}  # no claim here names an evidence type


def test_a_null_path_beside_a_directed_one_is_counted_not_hidden() -> None:
    trial = Claim("np:trial", modality="https://w3id.org/msc-liver/ontology/NoSignificantDifference")
    hedged = Claim("np:hedged", modality="https://w3id.org/msc-liver/ontology/Suggested")
    graph = _graph([("a", "0", "y", trial), ("a", "+", "y", hedged)])
    (effect,) = stated_net_effects(graph)
    assert (effect.net, effect.paths, effect.null_paths, effect.hedged_paths) == ("+", 2, 1, 1)


@pytest.fixture(scope="module")
def engine(real_release: Path) -> OxigraphEngine:
    return OxigraphEngine.from_dump(real_release / DUMP_FILE)


def _answer(engine: OxigraphEngine, text: str):  # type: ignore[no-untyped-def]
    return solutions(engine.query(QuerySpec(text, accept=JSON, row_limit=1_000_000)).body)


ROUTE_PATHS = [("hasPositiveRouteTo", f"{EVEN_BLOCK}+"), ("hasNegativeRouteTo", f"{EVEN_BLOCK}*/{N}/{EVEN_BLOCK}*")]


@pytest.mark.parametrize(("relation", "path"), ROUTE_PATHS)
def test_routes_are_the_signed_property_paths(engine: OxigraphEngine, relation: str, path: str) -> None:
    starts = "SELECT DISTINCT ?x WHERE { ?x msc:hasPositiveRouteTo|msc:hasNegativeRouteTo ?any }"
    walked = f"{PREFIXES}SELECT DISTINCT ?x ?y WHERE {{ {{ {starts} }} ?x {path} ?y }}"
    stored = f"{PREFIXES}SELECT ?x ?y WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?x msc:{relation} ?y }} }}"
    expected = _answer(engine, walked)
    assert expected and _answer(engine, stored) == expected


def test_every_net_effect_rests_on_nanopublications(engine: OxigraphEngine) -> None:
    query = f"""{PREFIXES}PREFIX np: <http://www.nanopub.org/nschema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?effect (COUNT(?claim) AS ?claims) (SUM(IF(EXISTS {{ ?claim np:hasAssertion ?a }}, 1, 0)) AS ?nanopubs)
WHERE {{ GRAPH <{DERIVED_GRAPH}> {{ ?effect a msc:NetEffect ; prov:wasDerivedFrom ?claim }} }} GROUP BY ?effect"""
    result = engine.store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    rows = [(int(r["claims"].value), int(r["nanopubs"].value)) for r in result]
    assert rows and all(claims == nanopubs >= 1 for claims, nanopubs in rows)
