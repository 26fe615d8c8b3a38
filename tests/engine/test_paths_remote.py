"""The path engine over a real Virtuoso (``msckg serve --store``): the causal graph read through the remote engine
is the one read from the embedded store, so the paths, their signs and evidence are the same."""

from collections import Counter
from pathlib import Path

import pytest

from server.engine.causal import CausalGraph, Edge, load_causal_graph
from server.engine.oxigraph_engine import OxigraphEngine
from server.engine.paths import Options, find_paths
from server.engine.paths_report import answer, as_json
from server.engine.remote import RemoteEngine
from server.release.layout import DUMP_FILE


@pytest.fixture(scope="module")
def graphs(real_release: Path, published_virtuoso) -> tuple[CausalGraph, CausalGraph]:  # type: ignore[no-untyped-def]
    embedded = load_causal_graph(OxigraphEngine.from_dump(real_release / DUMP_FILE))
    remote = load_causal_graph(RemoteEngine(published_virtuoso.sparql, timeout=30))
    return embedded, remote


def _value(edge: Edge) -> tuple[str, str, str, str, object]:
    return edge.subject, edge.predicate, edge.object, edge.sign, edge.claim


def test_same_causal_graph_from_virtuoso(graphs: tuple[CausalGraph, CausalGraph]) -> None:
    embedded, remote = graphs
    # edges compare by identity and a frozenset's repr follows its insertion history, so compare by value
    assert embedded.edges and Counter(map(_value, remote.edges)) == Counter(map(_value, embedded.edges))
    labels = {n: names.labels for n, names in embedded.names.items()}
    assert {n: names.labels for n, names in remote.names.items()} == labels


def test_same_paths_from_virtuoso(graphs: tuple[CausalGraph, CausalGraph]) -> None:
    embedded, remote = graphs
    for target in ("liver inflammation", "hepatocyte apoptosis", "liver fibrosis"):
        assert as_json(answer(remote, "BM-MSC", target, Options()), remote) == as_json(
            answer(embedded, "BM-MSC", target, Options()), embedded
        )
    entity = "https://w3id.org/msc-liver/entity/"
    assert find_paths(remote, entity + "bm-msc", entity + "liver-inflammation").net == "-"
