"""Every competency question in queries/cq/ is answered by the graph, and the answers are the review's.

Where a question reads the graphs the build computes (signed routes and net effects in graph/derived, entailed
types in graph/inferred), its former form is kept in tests/data/cq-oracles (nested signed property paths,
explicit steps, ``rdf:type/rdfs:subClassOf*``) and both must give the same result set.
"""

from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from benchmarks._common import solutions
from server.engine import QuerySpec
from server.engine.oxigraph_engine import OxigraphEngine, load_store, named_graphs
from server.release.layout import DUMP_FILE
from tests.conftest import ROOT

CQ = ROOT / "queries" / "cq"
ORACLES = ROOT / "tests" / "data" / "cq-oracles"
ENTITY = "https://w3id.org/msc-liver/entity/"


@pytest.fixture(scope="module")
def store(real_release: Path) -> ox.Store:
    """The release as the build writes it: the curated graphs and the computed ones (derived, inferred)."""
    return load_store(real_release / DUMP_FILE)


def _rows(store: ox.Store, name: str) -> list[dict[str, str]]:
    result = store.query((CQ / name).read_text(encoding="utf-8"), use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: s[i].value for i, n in enumerate(names) if s[i] is not None} for s in result]


def _answer(store: ox.Store, text: str) -> Counter[tuple[tuple[str, str], ...]]:
    """The result set of a query as the stores are compared (GROUP_CONCAT lists as sets: their order is free)."""
    spec = QuerySpec(text, accept="application/sparql-results+json", row_limit=1_000_000)
    return solutions(OxigraphEngine(store, named_graphs(store)).query(spec).body)


@pytest.mark.parametrize("oracle", sorted(p.name for p in ORACLES.glob("*.rq")))
def test_cq_answers_as_its_former_formulation_did(store: ox.Store, oracle: str) -> None:
    expected = _answer(store, (ORACLES / oracle).read_text(encoding="utf-8"))
    assert expected, f"{oracle}: the former form has no answer"
    assert _answer(store, (CQ / oracle).read_text(encoding="utf-8")) == expected


_COMPUTED = "<https://w3id.org/msc-liver/graph/inferred>, <https://w3id.org/msc-liver/graph/derived>"
_ASSERTED_CLOSURE = f"""GRAPH ?g {{ ?x a ?t }} FILTER(?g NOT IN ({_COMPUTED}) && isIRI(?x))
  ?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c"""


def test_a_type_lookup_is_the_subclass_closure_of_the_asserted_types(store: ox.Store) -> None:
    """The ground of the class tests above: for every named individual and class, ``?x a C`` over the union of
    the graphs (asserted and entailed types) holds exactly when ``?x rdf:type/rdfs:subClassOf* C`` does."""
    entailed = "<https://w3id.org/msc-liver/graph/inferred>"
    more = f"SELECT ?x ?c WHERE {{ GRAPH {entailed} {{ ?x a ?c }} FILTER NOT EXISTS {{ {_ASSERTED_CLOSURE} }} }}"
    less = f"SELECT DISTINCT ?x ?c WHERE {{ {_ASSERTED_CLOSURE} FILTER(isIRI(?c)) FILTER NOT EXISTS {{ ?x a ?c }} }}"
    assert _answer(store, f"SELECT ?x WHERE {{ GRAPH {entailed} {{ ?x a ?c }} }} LIMIT 1")
    assert not _answer(store, more), "entailed types outside the closure"
    assert not _answer(store, less), "closure types the lookup misses"


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_every_cq_has_an_english_and_a_chinese_question() -> None:
    files = sorted(CQ.glob("*.rq"))
    assert len(files) >= 12
    for path in files:
        header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
        chinese = [line for line in header if any("\u4e00" <= c <= "\u9fff" for c in line)]
        english = " ".join(line for line in header if line not in chinese)
        assert "?" in english, f"{path}: no English question in the header"
        assert chinese and any(line.endswith(("？", "。")) for line in chinese), f"{path}: no Chinese question"


def test_cq_names_follow_the_convention() -> None:
    for path in CQ.glob("*.rq"):
        number, _, slug = path.stem.partition("-")
        assert number.isdigit() and len(number) == 2 and slug, path


def test_01_anti_inflammatory_molecules(store: ox.Store) -> None:
    rows = _rows(store, "01-anti-inflammatory-molecules.rq")
    # raised by the cells and negative on inflammation; not the pro-inflammatory NLRP3, IL-1β, caspase-1 or GSDMD
    # that BM-MSCs lower, nor the cytokines of the MSCs' group statement (s2-1-28); CD47 and SIRPα each activate
    # Hedgehog (s2-1-04). TSG-6 is not among them: the review ties it, through STAT3, to the therapeutic effect,
    # and gives STAT3 signalling no sign on inflammation (s2-1-21)
    assert {_local(r["molecule"]) for r in rows} == {"cd47", "cd5l", "nt5e", "sirpa"}
    refs = {_local(r["molecule"]): r["references"].split() for r in rows}
    assert refs["cd47"] == refs["sirpa"] == ["https://doi.org/10.1002/hep.31831"]
    species = {_local(r["molecule"]): r.get("speciesOfClaims", "") for r in rows}
    assert species["cd47"] == "http://purl.obolibrary.org/obo/NCBITaxon_10090"


def test_13_net_effect_of_bm_msc_is_sign_correct(store: ox.Store) -> None:
    rows = _rows(store, "13-net-effect-of-bm-msc.rq")
    net: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        net[_local(r["target"])].add(r["net"])
    # the advantages of s1-04 are statements, not effects, and liver failure's mortality is an epidemiology statement
    # (intro-06), not an effect of the disease: BM-MSCs reach neither "inflammatory response" nor mortality
    assert "inflammatory-response" not in net and "mortality-rate" not in net
    for lowered in ("liver-inflammation", "hepatocyte-apoptosis", "liver-fibrosis-process",
                    "liver-fibrosis", "liver-failure", "nlrp3-inflammasome", "casp1", "il1b-release", "gsdmd",
                    "hsc-activation", "meld-score"):  # fmt: skip
        assert net[lowered] == {"-"}, (lowered, net[lowered])
    for raised in ("hepatocyte-proliferation", "hepatocyte-regeneration", "autophagy", "m2-macrophage-polarization",
                   "albumin-level", "long-term-survival"):  # fmt: skip
        assert net[raised] == {"+"}, (raised, net[raised])
    assert not any(r["net"] == "mixed" for r in rows)
    # a path never leaves the species of its first claim: the CD47 chain is all mouse
    cd47 = [r for r in rows if _local(r["target"]) == "liver-inflammation" and r["species"] == "NCBITaxon_10090"]
    assert cd47 and cd47[0]["shortestPath"] == "s2-1-03 s2-1-04 s2-1-05 s2-1-07 s2-1-08"


def test_02_anti_fibrotic_pathways(store: ox.Store) -> None:
    rows = _rows(store, "02-anti-fibrotic-pathways.rq")
    # the PTEN/AKT pathway and the apoptotic pathway are means of their owners (circDIDO1, BM-MSCs) with no onward
    # step of their own: the end effect is the owner's (docs/curation-guide.md §5), so no route passes them
    assert {_local(r["pathway"]) for r in rows} == {"mertk-erk-pathway"}
    refs = {_local(r["pathway"]): set(r["references"].split()) for r in rows}
    assert refs["mertk-erk-pathway"] == {"https://doi.org/10.1038/s41420-021-00584-z"}


def test_03_exosomal_rnas_and_targets(store: ox.Store) -> None:
    rows = _rows(store, "03-exosomal-mirnas.rq")
    found = {(_local(r["rna"]), _local(r["vesicle"]), _local(r["target"]), r["reference"]) for r in rows}
    assert found == {
        ("circdido1", "circdido1-msc-exosome", "pten", "https://doi.org/10.1080/10717544.2022.2030428"),
        ("circdido1", "circdido1-msc-exosome", "p-akt-akt-ratio", "https://doi.org/10.1080/10717544.2022.2030428"),
        ("circdido1", "circdido1-msc-exosome", "hsc-proliferation", "https://doi.org/10.1080/10717544.2022.2030428"),
        ("mir-20a-5p", "bm-msc-exosome", "pten-akt-pathway", "https://doi.org/10.3389/fphar.2023.1168545"),
    }


def test_04_clinical_evidence_numbers(store: ox.Store) -> None:
    rows = _rows(store, "04-clinical-evidence.rq")
    arms = {_local(r["arm"]): r for r in rows if "arm" in r}
    treated = arms["lin2017-hbv-aclf-rct-bm-msc-arm"]
    assert treated["sampleSize"] == "56"
    assert float(treated["dose"]) == 1.0e5 and treated["doseUnit"] == "cells/kg"
    assert float(treated["followUp"]) == 24 and treated["followUpUnit"] == "week"
    assert treated["percent"] == "73.2"
    control = arms["lin2017-hbv-aclf-rct-standard-treatment-arm"]
    assert control["sampleSize"] == "54" and control["percent"] == "55.6"
    outcomes = {(_local(r["predicate"]), _local(r["outcome"])) for r in rows if r["np"].endswith("s3-02")}
    assert outcomes == {("decreases", "total-bilirubin-level"), ("decreases", "meld-score"),
                        ("decreases", "fatal-complication-incidence")}  # fmt: skip
    no_difference = {_local(r["outcome"]) for r in rows if _local(r["predicate"]) == "hasNoSignificantEffectOn"}
    assert {"graft-survival", "recipient-survival", "adverse-event-incidence"} <= no_difference
    references = {r["reference"] for r in rows}
    assert {"https://doi.org/10.1002/hep.29189", "https://doi.org/10.1111/ajt.16468",
            "https://doi.org/10.1186/s13287-021-02246-4"} <= references  # fmt: skip
    # one row per measurement: a number only on the row of the outcome it measures, never cross-joined
    assert sorted(r["percent"] for r in rows if "percent" in r) == ["55.6", "73.2"]
    assert {_local(r["outcome"]) for r in rows if "percent" in r} == {"cumulative-survival-rate"}
    assert all(r.get("trialLabel") and r.get("outcomeLabel") for r in rows)
    assert all(r.get("armLabel") for r in rows if "arm" in r)


def test_05_findings_by_model_and_species(store: ox.Store) -> None:
    rows = _rows(store, "05-findings-by-model-and-species.rq")
    pairs = {(_local(r["model"]), _local(r.get("species", "-"))) for r in rows}
    assert ("ccl4-liver-fibrosis-rat-model", "NCBITaxon_10116") in pairs
    assert ("chronic-binge-ethanol-mouse-model", "NCBITaxon_10090") in pairs
    assert ("lin2017-hbv-aclf-rct", "NCBITaxon_9606") in pairs
    # the review says rat then mouse for the partial hepatectomy model of [19]: both are recorded
    assert {("partial-hepatectomy-model", "NCBITaxon_10090"), ("partial-hepatectomy-model", "NCBITaxon_10116")} <= pairs


def test_06_chains_are_ordered_and_walk_from_bm_msc(store: ox.Store) -> None:
    rows = _rows(store, "06-chains-from-bm-msc-to-outcomes.rq")
    steps: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        steps[_local(r["chain"])].add(int(r["step"]))
    assert len(steps) == 18
    assert steps["tgfb1-primed-t-cell-suppression"] == {1, 2}  # the primed cells' T-cell arm of ref 9
    for chain, numbers in steps.items():
        assert numbers == set(range(1, max(numbers) + 1)), chain
    cd47 = sorted((int(r["step"]), _local(r["subject"]), _local(r["object"])) for r in rows
                  if r["chain"].endswith("cd47-hedgehog-nlrp3"))  # fmt: skip
    assert cd47[0][:2] == (1, "bm-msc") and cd47[-1][2] == "liver-inflammation"
    walk = store.query(
        "PREFIX obo: <http://purl.obolibrary.org/obo/> PREFIX msc: <https://w3id.org/msc-liver/ontology/> "
        f"ASK {{ <{ENTITY}bm-msc> (msc:increasesExpressionOf|obo:RO_0002213|obo:RO_0004034|msc:decreasesActivityOf)+ "
        f"<{ENTITY}liver-inflammation> }}",
        use_default_graph_as_union=True,
    )
    assert bool(walk)


def test_07_assertions_involving_hgnc_16400(store: ox.Store) -> None:
    rows = _rows(store, "07-assertions-involving-nlrp3.rq")
    assert {_local(r["np"]) for r in rows} == {"s2-1-07", "s2-1-08", "s2-1-16"}
    assert all(r["quote"] for r in rows)


def test_08_gene_products_with_hgnc_and_go(store: ox.Store) -> None:
    rows = _rows(store, "08-gene-products-hgnc-go.rq")
    hgnc = defaultdict(set)
    for r in rows:
        hgnc[_local(r["product"])].add(r["hgnc"].rsplit(":", 1)[-1])
    assert hgnc["cd47"] == {"1682"} and hgnc["nlrp3"] == {"16400"}
    assert len(hgnc) >= 40
    assert any(r.get("goProcesses") for r in rows)


def test_09_claims_on_reference_8(store: ox.Store) -> None:
    rows = _rows(store, "09-claims-on-reference.rq")
    assert sorted(_local(r["np"]) for r in rows) == [f"s2-1-0{i}" for i in range(3, 9)]  # paged: not sorted
    assert {r["section"] for r in rows} == {"2.1"}


def test_10_knowledge_gaps(store: ox.Store) -> None:
    gaps = {_local(r["gap"]) for r in _rows(store, "10-knowledge-gaps.rq")}
    assert gaps == {
        "gap-optimal-infusion-method", "gap-treatment-timing", "gap-infusion-dose", "gap-long-term-efficacy",
        "gap-long-term-safety", "gap-hepatocyte-conversion-in-humans", "gap-large-randomized-trials",
        "gap-bm-msc-liver-fibrosis-clinical-evaluation",
    }  # fmt: skip


def test_11_hedges_and_negative_findings_are_kept(store: ox.Store) -> None:
    rows = _rows(store, "11-hedged-and-negative-findings.rq")
    negative = {_local(r["np"]) for r in rows if r["modality"].endswith("NoSignificantDifference")}
    assert negative == {"s3-04", "s3-09"}  # s3-05 is a single-arm safety statement, no comparison
    cues = {_local(r["np"]): r.get("cue") for r in rows if r["modality"].endswith("Suggested")}
    assert cues["s3-07"] == "提示" and cues["s2-3-24"] in ("可能", "说明")
    assert all(cue for cue in cues.values())


def test_12_curator_notes_record_disagreements(store: ox.Store) -> None:
    notes = defaultdict(list)
    for r in _rows(store, "12-curator-notes.rq"):
        notes[r["reference"]].append(r["note"])
    for doi in ("10.1038/s41598-022-17692-0", "10.3390/cells11244004", "10.1080/10717544.2022.2030428",
                "10.1038/s41536-021-00132-4", "10.1096/fj.202101868RRR"):  # fmt: skip
        assert notes[f"https://doi.org/{doi}"], doi


@pytest.mark.parametrize("path", sorted(CQ.glob("*.rq")), ids=lambda p: Path(p).name)
def test_every_cq_returns_rows(store: ox.Store, path: Path) -> None:
    assert _rows(store, path.name), f"{path.name} returned no rows"


FEDERATED = ROOT / "queries" / "federated"


@pytest.mark.parametrize("path", sorted(FEDERATED.glob("*.rq")), ids=lambda p: p.name)
def test_federated_examples_are_valid_documented_and_refused_here(path: Path) -> None:
    """Documented examples for the user's own client: they parse, say where to run them, and we never call out."""
    from rdflib.plugins.sparql import prepareQuery

    from server.engine.guard import read_query
    from server.errors import QueryRefused

    text = path.read_text(encoding="utf-8")
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("Federated" in line and "run" in line for line in header), path
    assert any("联邦查询" in line for line in header), path
    prepareQuery(text)  # raises on a syntax error
    assert "SERVICE <http://127.0.0.1:8000/sparql>" in text
    with pytest.raises(QueryRefused, match="SERVICE"):
        read_query(text, set())


PAGED = sorted(p for p in CQ.glob("*.rq") if "\nLIMIT 1000\n" in p.read_text(encoding="utf-8"))


def test_paged_cqs_state_the_paging_contract() -> None:
    assert len(PAGED) >= 5
    for path in PAGED:
        text = path.read_text(encoding="utf-8")
        query_lines = [line for line in text.splitlines() if not line.startswith("#")]
        assert "# Paged:" in text and "OFFSET" in text and not any("ORDER BY" in line for line in query_lines), path


@pytest.mark.parametrize("path", PAGED, ids=lambda p: Path(p).name)
def test_pages_of_a_paged_cq_are_its_whole_answer_once(store: ox.Store, path: Path) -> None:
    """The contract with pages of 3 rows: the same query with OFFSET 0, 3, 6 … until a short page gives every row
    of the unpaged answer exactly once (the engine's order is fixed for a store)."""
    text = path.read_text(encoding="utf-8")

    def rows(query: str) -> list[tuple[str, ...]]:
        result = store.query(query, use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        return [tuple(str(term) for term in solution) for solution in result]

    whole = rows(text.replace("\nLIMIT 1000\n", "\n"))
    pages: list[tuple[str, ...]] = []
    while True:
        page = rows(text.replace("\nLIMIT 1000\n", f"\nLIMIT 3 OFFSET {len(pages)}\n"))
        pages += page
        if len(page) < 3:
            break
    assert len(whole) > 3 and sorted(pages) == sorted(whole)
