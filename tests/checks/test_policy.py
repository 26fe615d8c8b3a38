"""The relation policy: complete, documented as it is, enforced, and every class of ours placed under BFO."""

import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from server.checks.policy import read_policy
from server.checks.shacl import validate_files
from server.config import ProjectPaths
from server.curation.load import Loaded
from server.curation.validation_view import ontology_graph
from server.iris import graph_kind
from server.namespaces import MSC, MSCSH, OBO, shorten
from tests.conftest import ROOT

DOC = ROOT / "docs" / "data-model.md"
_ROW = re.compile(r"^\| `([^`]+)` \| [^|]* \| (causal|non-causal|qualifier) \| ([-+0]|none) \|")


def test_every_predicate_of_an_assertion_graph_has_a_policy(loaded: Loaded) -> None:
    rules = read_policy(ontology_graph(loaded))
    used = {p for g in loaded.data_graphs() if graph_kind(URIRef(g.identifier)) == "assertion" for _, p, _ in g} - {
        RDF.type
    }
    assert used and not sorted(used - set(rules))
    unsigned = (OBO.RO_0002264, OBO.RO_0002418, OBO.RO_0002566)  # the review's 参与 / 调节 / 作用于 without a sign
    assert all(rules[p].kind != "causal" or rules[p].sign in "+-0" or p in unsigned for p in used)


def test_the_documented_table_is_the_policy(loaded: Loaded) -> None:
    rules = read_policy(ontology_graph(loaded))
    documented = {
        m.group(1): (m.group(2), m.group(3))
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if (m := _ROW.match(line))
    }
    assert documented == {shorten(str(p)): (r.kind, r.sign) for p, r in rules.items()}


def test_every_current_class_of_ours_is_under_bfo(loaded: Loaded) -> None:
    union = ontology_graph(loaded)
    roots = {OBO.BFO_0000002, OBO.BFO_0000003}
    ours = {c for c in union.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and c.startswith(str(MSC))}
    current = {c for c in ours if (c, OWL.deprecated, Literal(True)) not in union}
    assert len(current) > 30
    for cls in sorted(current):
        ancestors = set(union.transitive_objects(cls, RDFS.subClassOf))
        assert ancestors & roots, f"{shorten(str(cls))} is not under BFO"
    for cls in ours - current:  # deprecated: replaced, no mappings left to duplicate the replacement's
        assert union.value(cls, OBO.IAO_0100001) is not None, cls
        assert not list(union.objects(cls, RDFS.subClassOf)), cls


def test_relations_outside_their_meaning_are_refused(paths: ProjectPaths, tmp_path: Path) -> None:
    """Two triples the review's old graph held: a disease 'negatively regulates' a procedure, a cytokine
    'negatively regulates' a process (RO's regulation relates processes; a molecule acts upstream of one)."""
    claim = tmp_path / "claim.trig"
    claim.write_text(
        "@prefix obo: <http://purl.obolibrary.org/obo/> .\n"
        "@prefix msce: <https://w3id.org/msc-liver/entity/> .\n"
        "<https://w3id.org/msc-liver/np/x-01/assertion> {\n"
        "    msce:liver-failure obo:RO_0002212 msce:liver-transplantation .\n"
        "    msce:il6 obo:RO_0002212 msce:inflammatory-response .\n"
        "    msce:bm-msc obo:RO_0004035 msce:inflammatory-response .\n"
        "}\n",
        encoding="utf-8",
    )
    report = validate_files(paths, [claim])
    subject_shape = str(MSCSH["Policy-obo-RO_0002212-subject"])
    refused = {r.focus for r in report.results if r.shape == subject_shape}
    entity = "https://w3id.org/msc-liver/entity/"
    assert refused == {f"{entity}liver-failure", f"{entity}il6"}
    assert not [r for r in report.results if "RO_0004035" in r.shape]  # a cell acts upstream of a process
