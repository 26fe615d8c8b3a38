"""Exports (issue 6): each file parses back with an independent reader to the counts of the loaded data.

Readers: rdflib for TriG, N-Quads, Turtle and JSON-LD (with the local @context); the ``sssom`` package for
the mapping set; the ``csv`` module for the CSV and the KGX TSVs, and the ``kgx`` package's own Transformer
and Validator (pointed at the Biolink schema and prefix map that ``biolink-model`` ships: by default kgx
downloads them); ``bmt`` with that schema checks that every category, predicate and qualifier we emit is a
real Biolink element.
No test opens a network connection (:func:`no_network`).
"""

import csv
import json
import re
import socket
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib import namespace as rdfns
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS, VOID

from server.cli import EXPORT_FORMATS, main
from server.config import ProjectPaths
from server.curation.ledger import plain_text
from server.curation.load import Loaded, load_files
from server.errors import ValidationFailed
from server.iris import REVIEW, curie_of, graph_kind, iri_of, nanopub, release
from server.links.sssom import MAPPING_SET_ID
from server.namespaces import BASE, DERIVED_GRAPH, INFERRED_GRAPH, LICENSE_IRI, ONTOLOGY_IRI, PREFIXES
from server.release.biolink import (
    CATEGORIES,
    EDGE_COLUMNS,
    INFORES,
    KNOWLEDGE_LEVELS,
    NODE_COLUMNS,
    PREDICATES,
    our_curie,
)
from server.release.export import (
    CONTEXT_FILE,
    CSV_FILE,
    EDGES_FILE,
    FILES,
    FORMATS,
    JSONLD_FILE,
    NODES_FILE,
    SSSOM_FILE,
    export,
)
from server.release.layout import DATASET_FILE, DUMP_FILE, ONTOLOGY_FILE, VOID_FILE
from server.release.void import DATASET
from tests.conftest import DATA, ROOT, SOURCE_TEXT

VERSION = "2026-01-02"
_VERSION_PREDICATES = (OWL.versionIRI, OWL.versionInfo)
_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a socket to another host (a remote @context, a schema download)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def exported(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("exports")
    written = export(loaded, "all", target, VERSION)
    assert [p.name for p in written] == [name for names in FILES.values() for name in names]
    return target


def _quads(ds: Dataset) -> Iterator[tuple[object, object, object, URIRef]]:
    for s, p, o, g in ds.quads((None, None, None, None)):
        yield s, p, o, URIRef(g.identifier if isinstance(g, Graph) else g)


def _expected_quads(loaded: Loaded) -> set[tuple[object, object, object, URIRef]]:
    """Non-blank-node quads of the loaded data, without the version triples (the export stamps its own)."""
    return {
        (s, p, o, URIRef(g.identifier))
        for g in loaded.data_graphs()
        for s, p, o in g
        if p not in _VERSION_PREDICATES and not isinstance(s, BNode) and not isinstance(o, BNode)
    }


def _check_dataset(ds: Dataset, loaded: Loaded) -> None:
    quads = list(_quads(ds))
    assert len(quads) == sum(len(g) for g in loaded.data_graphs())
    assert {q for q in quads if q[1] not in _VERSION_PREDICATES and not any(isinstance(n, BNode) for n in q[:3])} == (
        _expected_quads(loaded)
    )
    triples = {q[:3] for q in quads}
    assert (URIRef(ONTOLOGY_IRI), OWL.versionIRI, release(VERSION, "msc-liver.owl")) in triples
    assert (URIRef(ONTOLOGY_IRI), OWL.versionInfo, Literal(VERSION)) in triples


def _assertion_count(loaded: Loaded) -> int:
    """Relations between entities: an assertion graph's statements about itself (qualifiers) are not rows."""
    return sum(
        1
        for g in loaded.data_graphs()
        if graph_kind(URIRef(g.identifier)) == "assertion"
        for s, _, _ in g
        if s != g.identifier
    )


def test_trig_keeps_every_quad_and_nanopublication(exported: Path, loaded: Loaded) -> None:
    ds = Dataset(default_union=True)
    ds.parse(exported / DATASET_FILE, format="trig")
    _check_dataset(ds, loaded)
    heads = list(ds.subjects(RDF.type, URIRef("http://www.nanopub.org/nschema#Nanopublication")))
    assert len(heads) > 100
    graphs = {URIRef(g.identifier): len(g) for g in ds.graphs()}
    for head in heads:
        np_id = str(head).rsplit("/", 1)[-1]
        for kind in ("head", "assertion", "provenance", "pubinfo"):
            assert graphs.get(URIRef(f"{BASE}np/{np_id}/{kind}"), 0) > 0, (np_id, kind)


def test_nquads_same_quads_sorted_lines(exported: Path, loaded: Loaded) -> None:
    text = (exported / DUMP_FILE).read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines == sorted(lines)
    ds = Dataset()
    ds.parse(data=text, format="nquads")
    _check_dataset(ds, loaded)


def test_turtle_is_the_ontology_with_imports_and_version(exported: Path, loaded: Loaded) -> None:
    g = Graph()
    g.parse(exported / ONTOLOGY_FILE, format="turtle")
    merged = Graph()
    for graph in loaded.data_graphs():
        if re.search(r"/graph/(ontology|imports/)", str(graph.identifier)):
            merged += graph
    assert len(g) == len(merged)
    assert g.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI) == release(VERSION, "msc-liver.owl")
    assert g.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo) == Literal(VERSION)
    assert len(set(g.subjects(RDF.type, OWL.Ontology))) > 10  # ours and every import module
    assert g.value(iri_of("CL:0002540"), URIRef(str(RDF) + "type")) == OWL.Class


def test_jsonld_parses_with_the_local_context(exported: Path, loaded: Loaded, no_network: None) -> None:
    document = json.loads((exported / JSONLD_FILE).read_text(encoding="utf-8"))
    assert document["@context"] == CONTEXT_FILE  # a relative IRI: the context file published next to it
    context = json.loads((exported / CONTEXT_FILE).read_text(encoding="utf-8"))["@context"]
    assert context == {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    document["@context"] = context
    ds = Dataset()
    ds.parse(data=json.dumps(document), format="json-ld")
    _check_dataset(ds, loaded)
    resolved = Dataset()  # the relative @context resolves to the local file
    resolved.parse(exported / JSONLD_FILE, format="json-ld")
    assert sum(1 for _ in _quads(resolved)) == sum(1 for _ in _quads(ds))


def test_csv_one_row_per_assertion_with_verbatim_quotes(exported: Path, loaded: Loaded) -> None:
    raw = (exported / CSV_FILE).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    with (exported / CSV_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == _assertion_count(loaded)
    review, _ = plain_text(SOURCE_TEXT.read_text(encoding="utf-8"))
    triples = {(URIRef(g.identifier), s, p, o) for g in loaded.data_graphs() for s, p, o in g}
    for row in rows:
        assert row["quote_zh"] and row["quote_zh"] in review, row["nanopub"]
        assert "<" not in row["quote_zh"], row["nanopub"]
        assert row["translation_en"] and row["subject_label"] and row["object_label"] and row["predicate_label"]
        assert row["evidence"].startswith("ECO:") and row["review_section"]
        graph = nanopub(row["nanopub"].rsplit("/", 1)[-1]).assertion
        assert (graph, URIRef(row["subject"]), URIRef(row["predicate"]), URIRef(row["object"])) in triples
        assert all(s.startswith("NCBITaxon:") for s in row["species"].split("|") if s)
    keys = [(r["nanopub"], r["subject"], r["predicate"], r["object"]) for r in rows]
    assert keys == sorted(keys)
    assert any(r["reference_number"] for r in rows) and any(r["reference_doi"] for r in rows)


def _mapping_triples(loaded: Loaded) -> set[tuple[object, object, object]]:
    return {
        (s, p, o)
        for g in loaded.data_graphs()
        for p in _MAPPINGS
        for s, o in g.subject_objects(p)
        if str(s).startswith(BASE)
    }


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning", "ignore:.*:Warning:sssom.*")
def test_sssom_parses_with_the_sssom_tools(exported: Path, loaded: Loaded, no_network: None) -> None:
    from sssom.constants import SchemaValidationType
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(exported / SSSOM_FILE)
    expected = _mapping_triples(loaded)
    assert len(msdf.df) == len(expected) > 250
    assert msdf.metadata["mapping_set_id"] == MAPPING_SET_ID
    assert msdf.metadata["license"] == LICENSE_IRI
    assert msdf.metadata["mapping_set_version"] == VERSION
    assert msdf.metadata["creator_id"] == ["mscag:msckg-curation-team"]
    reports = validate(msdf, [SchemaValidationType.JsonSchema, SchemaValidationType.PrefixMapCompleteness])
    assert all(not report.results for report in reports.values()), reports
    df = msdf.df
    assert set(df["mapping_justification"]) == {"semapv:ManualMappingCuration"}
    assert set(df["predicate_id"]) <= {"skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch"}
    assert all(df["object_label"]) and all(df["subject_label"])
    converter = msdf.converter
    found = {
        (URIRef(converter.expand(s)), URIRef(converter.expand(p)), URIRef(converter.expand(o)))
        for s, p, o in zip(df["subject_id"], df["predicate_id"], df["object_id"], strict=True)
    }
    assert found == expected


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


_CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[^\s|]+$")


def test_kgx_nodes_and_edges(exported: Path, loaded: Loaded) -> None:
    nodes, edges = _tsv(exported / NODES_FILE), _tsv(exported / EDGES_FILE)
    assert list(nodes[0]) == list(NODE_COLUMNS) and list(edges[0]) == list(EDGE_COLUMNS)
    assert len(edges) == _assertion_count(loaded)
    ids = [n["id"] for n in nodes]
    assert len(ids) == len(set(ids)) and all(_CURIE.match(i) for i in ids)
    assert len({e["id"] for e in edges}) == len(edges)
    for e in edges:
        assert e["subject"] in ids and e["object"] in ids, e["id"]
        assert all(c in ids for c in e["anatomical_context_qualifier"].split("|") if c)
        assert e["knowledge_level"] in set(KNOWLEDGE_LEVELS.values()) and e["agent_type"] == "manual_agent"
        assert e["primary_knowledge_source"] == INFORES
        assert e["publications"] and all(p.startswith("doi:10.") for p in e["publications"].split("|"))
        assert not e["species_context_qualifier"] or e["species_context_qualifier"].startswith("NCBITaxon:")
        assert e["has_evidence"].startswith("ECO:")
        mapping = PREDICATES[e["original_predicate"]]
        assert e["predicate"] == mapping.predicate and e["object_direction_qualifier"] == mapping.direction
    assert all(n["provided_by"] == INFORES and n["name"] and n["category"] for n in nodes)
    # exactMatch nodes carry the external CURIE as id, with our CURIE among the xrefs
    bm_msc = next(n for n in nodes if n["iri"] == f"{BASE}entity/bm-msc")
    assert bm_msc["id"] == "CL:0002540" and bm_msc["category"] == "biolink:Cell"
    assert "msce:bm-msc" in bm_msc["xref"].split("|")


def test_kgx_edges_are_the_assertion_triples(exported: Path, loaded: Loaded) -> None:
    expand = {prefix: str(ns) for prefix, ns in PREFIXES.items()}

    def iri(curie: str) -> URIRef:
        prefix, local = curie.split(":", 1)
        return URIRef(expand[prefix] + local) if prefix in expand else iri_of(curie)

    triples = {
        (s, p, o)
        for g in loaded.data_graphs()
        if graph_kind(URIRef(g.identifier)) == "assertion"
        for s, p, o in g
        if s != g.identifier  # the claim's qualifiers are edge properties, not edges
    }
    edges = _tsv(exported / EDGES_FILE)
    found = {(iri(e["original_subject"]), iri(e["original_predicate"]), iri(e["original_object"])) for e in edges}
    assert found == triples


def test_every_class_of_an_entity_has_a_biolink_category(loaded: Loaded) -> None:
    parents: dict[URIRef, set[URIRef]] = {}
    used: set[URIRef] = set()
    for g in loaded.data_graphs():
        for s, o in g.subject_objects(URIRef(str(RDF) + "type")):
            if isinstance(o, URIRef) and str(s).startswith(f"{BASE}entity/"):
                used.add(o)
        for s, o in g.subject_objects(URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")):
            parents.setdefault(URIRef(s), set()).add(URIRef(o))

    def mapped(cls: URIRef, seen: frozenset[URIRef] = frozenset()) -> bool:
        if our_curie(cls) in CATEGORIES:
            return True
        return any(mapped(p, seen | {cls}) for p in parents.get(cls, set()) - seen)

    assert used and not [c for c in sorted(used) if not mapped(c)]


def test_emitted_biolink_terms_are_in_the_tables_and_real(exported: Path, no_network: None) -> None:
    from bmt import Toolkit

    nodes, edges = _tsv(exported / NODES_FILE), _tsv(exported / EDGES_FILE)
    categories = {c for n in nodes for c in n["category"].split("|")}
    predicates = {e["predicate"] for e in edges} | {e["qualified_predicate"] for e in edges if e["qualified_predicate"]}
    assert categories <= set(CATEGORIES.values())
    assert {e["predicate"] for e in edges} <= {m.predicate for m in PREDICATES.values()}
    schema = files("biolink_model") / "schema" / "biolink_model.yaml"
    tk = Toolkit(str(schema), predicate_map={"predicate mappings": []})  # the packaged schema: no download
    for category in set(CATEGORIES.values()):
        element = tk.get_element(category)
        assert tk.is_category(category) and not element.abstract and not element.mixin, category
    for mapping in PREDICATES.values():
        assert tk.is_predicate(mapping.predicate), mapping.predicate
        assert not mapping.qualified_predicate or tk.is_predicate(mapping.qualified_predicate)
    assert predicates
    enums = {
        "object_direction_qualifier": "DirectionQualifierEnum",
        "object_aspect_qualifier": "GeneOrGeneProductOrChemicalEntityAspectEnum",
        "knowledge_level": "KnowledgeLevelEnum",
        "agent_type": "AgentTypeEnum",
    }
    for column, enum in enums.items():
        allowed = set(tk.view.get_enum(enum).permissible_values)
        assert {e[column] for e in edges if e[column]} <= allowed, column
    for column in (*NODE_COLUMNS, *EDGE_COLUMNS):
        assert tk.get_element(column) is not None, column


def test_void_describes_each_file_with_dcat(exported: Path, loaded: Loaded) -> None:
    g = Graph()
    g.parse(exported / VOID_FILE, format="turtle", publicID=exported.as_uri() + "/")
    assert (DATASET, RDF.type, rdfns.DCAT.Dataset) in g and (DATASET, RDF.type, VOID.Dataset) in g
    assert (DATASET, DCTERMS.license, URIRef(LICENSE_IRI)) in g
    assert (DATASET, DCTERMS.source, REVIEW) in g
    assert (DATASET, OWL.versionInfo, Literal(VERSION)) in g
    assert (DATASET, DCTERMS.creator, URIRef(f"{BASE}agent/msckg-curation-team")) in g
    assert int(g.value(DATASET, VOID.triples)) == sum(len(x) for x in loaded.data_graphs())  # type: ignore[arg-type]
    distributions = list(g.objects(DATASET, rdfns.DCAT.distribution))
    names = {name for fmt, names in FILES.items() if fmt != "void" for name in names}
    assert len(distributions) == len(names)
    for dist in distributions:
        url = g.value(dist, rdfns.DCAT.downloadURL)
        assert isinstance(url, URIRef) and Path(url.removeprefix("file://")).is_file(), url
        assert g.value(dist, rdfns.DCAT.mediaType) is not None
    prefixes = {str(curie_of(str(o))).split(":")[0] for _, _, o in _mapping_triples(loaded)}
    targets = {str(g.value(ls, DCTERMS.title)).split()[2] for ls in g.subjects(RDF.type, VOID.Linkset)}
    assert prefixes == targets


def test_exports_are_reproducible(exported: Path, loaded: Loaded, tmp_path: Path) -> None:
    export(loaded, "all", tmp_path, VERSION)
    for name in (p.name for p in exported.iterdir()):
        assert (tmp_path / name).read_bytes() == (exported / name).read_bytes(), name


def test_unexportable_data_write_nothing(tmp_path: Path) -> None:
    loaded = load_files([DATA / "valid" / "minimal.trig"])  # nanopublications without an ontology header
    target = tmp_path / "out"
    with pytest.raises(ValidationFailed, match="owl:Ontology"):
        export(loaded, "all", target, VERSION)
    assert not target.exists() or not list(target.iterdir())


def test_failed_write_leaves_no_tmp_or_partial_file(loaded: Loaded, tmp_path: Path) -> None:
    export(loaded, "kgx", tmp_path, "2025-12-31")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    blocker = tmp_path / f"{EDGES_FILE}.tmp"
    blocker.mkdir()  # the edges file cannot be written: a directory sits where its .tmp goes
    with pytest.raises(OSError):
        export(loaded, "kgx", tmp_path, VERSION)
    blocker.rmdir()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # old export intact, no .tmp left


def test_cli_export(runner: CliRunner, tmp_path: Path) -> None:
    assert set(EXPORT_FORMATS) == set(FORMATS)
    args = ["export", "--root", str(ROOT), "--format", "csv", "--output", str(tmp_path), "--version", VERSION]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / CSV_FILE)


def test_cli_export_of_the_dump_holds_the_computed_graphs(runner: CliRunner, tmp_path: Path) -> None:
    args = ["export", "--root", str(ROOT), "--format", "nquads", "--output", str(tmp_path), "--version", VERSION]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    graphs = {line.rsplit(" ", 2)[-2] for line in (tmp_path / DUMP_FILE).read_text(encoding="utf-8").splitlines()}
    assert {f"<{DERIVED_GRAPH}>", f"<{INFERRED_GRAPH}>"} <= graphs  # as the build writes it


def test_cli_export_load_error_is_exit_2(runner: CliRunner, project_copy: ProjectPaths, tmp_path: Path) -> None:
    (project_copy.instances / "entities" / "zz-broken.ttl").write_text("msce:orphan a .\n", encoding="utf-8")
    result = runner.invoke(main, ["export", "--root", str(project_copy.root), "--output", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "zz-broken.ttl:1" in result.output and not (tmp_path / "out").exists()


def test_kgx_reads_and_validates_the_graph(exported: Path, no_network: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """kgx's Transformer reads our TSVs to the same counts; its Validator finds only its own CamelCase quirk."""
    import bmt.toolkit

    schema = str(files("biolink_model") / "schema" / "biolink_model.yaml")
    monkeypatch.setattr(bmt.toolkit.Toolkit.__init__, "__defaults__", (schema, {"predicate mappings": []}))
    import kgx.config

    prefix_map = json.loads((files("biolink_model") / "prefixmaps" / "biolink_model_prefix_map.json").read_text())
    monkeypatch.setitem(kgx.config.jsonld_context_map, "biolink", prefix_map)
    from kgx.transformer import Transformer
    from kgx.validator import Validator

    nodes, edges = _tsv(exported / NODES_FILE), _tsv(exported / EDGES_FILE)
    transformer = Transformer(stream=False)
    transformer.transform({"filename": [str(exported / NODES_FILE), str(exported / EDGES_FILE)], "format": "tsv"})
    graph = transformer.store.graph
    # kgx keys an edge by (subject, predicate, object): the same triple asserted by several nanopublications is one
    # kgx edge whose properties are merged.
    triples = {(e["subject"], e["predicate"], e["object"]) for e in edges}
    assert graph.number_of_nodes() == len(nodes) and graph.number_of_edges() == len(triples) < len(edges)
    validator = Validator()
    validator.prefixes |= {row["id"].split(":", 1)[0] for row in nodes}  # our own prefixes, as an integrator would
    validator.validate(graph)
    errors = validator.get_errors()
    # kgx's CamelCase test (^([A-Z][a-z\d]+)+$) rejects Biolink's own acronym classes; bmt confirms they are real.
    quirk = {"Category 'MicroRNA' is not in CamelCase form", "Category 'NoncodingRNAProduct' is not in CamelCase form"}
    assert set(errors) <= {"ERROR"}, errors
    assert set(errors.get("ERROR", {})) <= {"INVALID_CATEGORY"}, errors
    assert set(errors.get("ERROR", {}).get("INVALID_CATEGORY", {})) <= quirk, errors


def test_kgx_joins_a_go_annotation_table_by_hgnc_id(exported: Path) -> None:
    """An integrator joins by id: a node with an exact human gene is published as HGNC:…, a mouse-only gene
    product as MGI:…, never as the human gene by default; a hand-made GO-annotation table keyed by HGNC id hits
    exactly the nodes whose claims are human (TNFSF14, in human BM-MSCs) or that are the human gene (DIDO1)."""
    nodes = {row["id"]: row for row in _tsv(exported / NODES_FILE)}
    annotations = _tsv(DATA / "go-annotations-hgnc.tsv")
    hits = {a["hgnc_id"] for a in annotations if a["hgnc_id"] in nodes}
    assert hits == {"HGNC:11930", "HGNC:2680"}
    assert sum(1 for a in annotations if a["hgnc_id"] in nodes) == 3
    # CD47 and TNF are claimed in mice only: their nodes are the mouse genes, and the human gene is only an xref
    assert nodes["MGI:96617"]["name"] == "CD47" and "HGNC:1682" in nodes["MGI:96617"]["xref"].split("|")
    assert nodes["MGI:104798"]["name"] == "tumor necrosis factor alpha"
    proteins = [n for n in nodes.values() if "biolink:Protein" in n["category"].split("|")]
    assert sum(1 for n in proteins if not n["id"].startswith("msce:")) > len(proteins) / 2
