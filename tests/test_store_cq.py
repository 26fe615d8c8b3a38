"""Every competency question gives the same result set on the embedded store and on a real Virtuoso.

Generic over ``queries/cq/*.rq``: each CQ runs through the embedded engine and through the remote engine over
the session's Virtuoso (the real release published with the bulk loader), and the two answers are compared as
multisets of solutions by ``benchmarks/_common.py``'s ``solutions`` (numbers by value; a GROUP_CONCAT of IRIs
as a set, its order being undefined; an empty plain literal as unbound: for a GROUP_CONCAT over no values
Virtuoso answers ``""``, pyoxigraph leaves the variable unbound, and SPARQL 1.1 does not settle which is right).

Where Virtuoso 7.2 answers wrongly, the CQ is listed in :data:`VIRTUOSO_WRONG` with what goes wrong there
(``docs/deploy.md`` lists the same): those cases are strict expected failures, so a fixed Virtuoso, or a CQ
rewritten so that Virtuoso answers it, turns them red until the entry is removed; none is listed now. Two
kinds of question needed the build's help to be answered alike: those that compose signs along routes of any
length (01, 02, 14) read the derived graph (:mod:`server.engine.derived`), since in SPARQL alone they took nested
zero-or-more paths or a UNION of explicit steps that Virtuoso cannot evaluate; and those that test a class (01,
02, 03, 08) look up types in the inferred graph (:mod:`server.release.inferred`), since Virtuoso loses rows of
``?x rdf:type/rdfs:subClassOf* C`` when ``?x`` is bound by a join.
"""

from pathlib import Path

import pytest

from benchmarks._common import solutions as canonical
from server.engine import QuerySpec
from server.engine.oxigraph_engine import OxigraphEngine
from server.engine.remote import RemoteEngine
from server.errors import QueryError
from server.release.layout import DUMP_FILE
from tests.conftest import ROOT

CQ = ROOT / "queries" / "cq"
JSON = "application/sparql-results+json"
#: CQs Virtuoso 7.2.5 answers wrongly, with what goes wrong (checked below: strict expected failures).
VIRTUOSO_WRONG: dict[str, str] = {}


@pytest.fixture(scope="module")
def embedded(real_release: Path) -> OxigraphEngine:
    return OxigraphEngine.from_dump(real_release / DUMP_FILE)


@pytest.fixture(scope="module")
def remote(published_virtuoso) -> RemoteEngine:  # type: ignore[no-untyped-def]
    return RemoteEngine(published_virtuoso.sparql, timeout=30)


def _cases() -> list[object]:
    cases: list[object] = []
    for path in sorted(CQ.glob("*.rq")):
        reason = VIRTUOSO_WRONG.get(path.name)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        cases.append(pytest.param(path, marks=marks, id=path.name))
    return cases


def test_known_differences_name_existing_cqs() -> None:
    assert set(VIRTUOSO_WRONG) <= {p.name for p in CQ.glob("*.rq")}, "remove entries of CQs that no longer exist"


@pytest.mark.parametrize("path", _cases())
def test_cq_same_result_set_on_virtuoso(path: Path, embedded: OxigraphEngine, remote: RemoteEngine) -> None:
    spec = QuerySpec(path.read_text(encoding="utf-8"), accept=JSON, row_limit=1_000_000)
    expected = canonical(embedded.query(spec).body)
    assert expected, f"{path.name} has no answer on the embedded store"
    try:
        got = canonical(remote.query(spec).body)
    except QueryError as exc:
        pytest.fail(f"{path.name}: Virtuoso could not answer: {exc}")
    missing, extra = expected - got, got - expected
    assert not missing and not extra, (
        f"{path.name}: {sum(missing.values())} solution(s) only embedded, {sum(extra.values())} only on Virtuoso; "
        f"first only embedded: {next(iter(missing), None)}; first only Virtuoso: {next(iter(extra), None)}"
    )
