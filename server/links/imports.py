"""External terms, the OBO way: a seed list and a generated import module per source, refreshed on purpose.

``ontology/imports/<src>_terms.tsv`` lists each external term the project uses (CURIE and the label the
source gives); ``<src>_import.ttl`` declares those terms with their source labels (and definitions where
the source table has one). Only :func:`refresh` reads the source tables; the build and the tests read the
committed modules, and a test compares them with the source tables.
"""

import csv
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from server.config import ProjectPaths
from server.curation.fmt import format_graph
from server.curation.load import Loaded
from server.errors import MsckgError
from server.files import write_atomically
from server.iris import curie_of, graph_kind, iri_of, source_of
from server.links.obo import OboTerm, read_data_version, read_obo
from server.namespaces import MSC, OBO, OBOINOWL


@dataclass(frozen=True)
class Source:
    """How to read one source's reference table: which columns hold what."""

    #: File name of the table in the reference folder.
    table: str
    #: Column of the term's label (the HGNC symbol, the miRBase name).
    label: str = "label"
    #: Column of the definition, if the table has one.
    definition: str | None = None
    #: Columns of exact names (OBO exact synonyms, HGNC name and symbols, MeSH entry terms).
    synonyms: tuple[str, ...] = ()
    #: Column of the term's category in its source (GO namespace, HGNC locus type, MeSH tree numbers).
    category: str | None = None


#: Source key → its reference table.
SOURCES: dict[str, Source] = {
    "cl": Source("cl.tsv", definition="definition_400", synonyms=("exact_synonyms",)),
    "go": Source("go.tsv", synonyms=("synonyms",), category="namespace"),
    "uberon": Source("uberon.tsv", synonyms=("synonyms",)),
    "mondo": Source("mondo.tsv", synonyms=("synonyms",)),
    "chebi": Source("chebi_subset.tsv", synonyms=("synonyms",)),
    "eco": Source("eco.tsv", definition="definition_400", synonyms=("exact_synonyms",)),
    "ro": Source("ro.tsv", definition="definition_400", synonyms=("exact_synonyms",), category="stanza"),
    "ncbitaxon": Source("ncbitaxon_subset.tsv", synonyms=("synonyms",)),
    "obi": Source("obi_subset.tsv", synonyms=("synonyms",)),
    "hp": Source("hp_subset.tsv", synonyms=("synonyms",)),
    "so": Source("so_subset.tsv", synonyms=("synonyms",)),
    "efo": Source("efo.tsv", synonyms=("synonyms",)),
    "hgnc": Source("hgnc.tsv", label="symbol", definition="name",
                   synonyms=("name", "alias_symbols", "previous_symbols"), category="locus_type"),
    "mgi": Source("mgi_subset.tsv", label="symbol", synonyms=("synonyms",)),
    "rgd": Source("rgd_subset.tsv", label="symbol", synonyms=("synonyms",)),
    "mirbase": Source("mirbase_mature_hsa_mmu_rno.tsv", label="name", synonyms=("previous_names",)),
    "mesh": Source("mesh.tsv", synonyms=("synonyms_first12",), category="tree_numbers"),
}  # fmt: skip
#: Sources published as tables, not OBO files.
NOT_OBO = {"hgnc", "mgi", "rgd", "mirbase", "mesh"}
#: Terms that are not classes although their table does not say so (obi_subset.tsv gives no term types).
DECLARED_TYPES = {"OBI:0001937": OWL.DatatypeProperty}  # OBI's 'has specified numeric value' is a data property
#: OBO metadata properties (definition, definition source, term replaced by): file-format vocabulary, not domain terms.
OBO_METADATA = {OBO["IAO_0000115"], OBO["IAO_0000119"], OBO["IAO_0100001"]}
_SCOPED = re.compile(r"\[(RELATED|BROAD|NARROW)\]$")


class UnknownTerm(MsckgError):
    """An external identifier is absent from its source table, obsolete, or not in an import module."""


@dataclass(frozen=True)
class SourceTerm:
    """One row of a source table."""

    curie: str
    label: str
    obsolete: bool
    definition: str | None
    is_property: bool
    #: Exact names besides the label.
    synonyms: tuple[str, ...] = ()
    #: The term's category in its source (GO namespace, HGNC locus type, MeSH tree numbers, RO stanza).
    categories: tuple[str, ...] = ()


def _names(cell: str) -> list[str]:
    """Split a multi-valued cell, dropping OBO synonyms that are not exact (``… [RELATED]``, ``[BROAD]``…)."""
    return [v.strip() for v in cell.split("|") if v.strip() and not _SCOPED.search(v.strip())]


def read_source_table(reference_dir: Path, source: str, only: Collection[str] | None = None) -> dict[str, SourceTerm]:
    """Read a source's terms: from ``<source>.obo`` when the folder has one, else from its TSV table.

    :param reference_dir: folder of the source files (``../shared/reference`` here: TSV tables).
    :param source: source key.
    :param only: the CURIEs wanted (``None``: every row); the tables are large, the project uses few.
    :returns: rows by CURIE.
    :raises UnknownTerm: if neither is there.
    :raises LoadError: if the OBO file has an unreadable line.
    """
    spec = SOURCES[source]
    if (obo_file := _obo_file(reference_dir, source)) is not None:
        return {curie: _from_obo(term, spec) for curie, term in read_obo(obo_file, only).items()}
    path = reference_dir / spec.table
    if not path.is_file():
        raise UnknownTerm(f"source table {path} is missing (nor is there a {source}.obo)")
    terms: dict[str, SourceTerm] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        for cells in reader:
            if only is not None and cells[0] not in only:
                continue
            row = dict(zip(header, cells, strict=False))
            obsolete = row.get("obsolete") == "true" or row.get("status", "Approved") != "Approved"
            label = row[spec.label]
            synonyms = [n for col in spec.synonyms for n in _names(row.get(col) or "") if n != label]
            terms[row["id"]] = SourceTerm(
                curie=row["id"],
                label=label,
                obsolete=obsolete,
                definition=(row.get(spec.definition) or None) if spec.definition else None,
                is_property=row.get("stanza") == "Typedef",
                synonyms=tuple(dict.fromkeys(synonyms)),
                categories=tuple(_names(row.get(spec.category) or "")) if spec.category else (),
            )
    return terms


def _obo_file(reference_dir: Path, source: str) -> Path | None:
    """Find an OBO release of the source in the folder (``go.obo`` …): it is preferred to the TSV table."""
    path = reference_dir / f"{source}.obo"
    return path if source not in NOT_OBO and path.is_file() else None


def _from_obo(term: OboTerm, spec: Source) -> SourceTerm:
    by_column = {"namespace": term.namespace, "stanza": term.stanza}
    category = by_column.get(spec.category or "")
    return SourceTerm(
        curie=term.id,
        label=term.name,
        obsolete=term.obsolete,
        definition=term.definition,
        is_property=term.stanza == "Typedef",
        synonyms=tuple(dict.fromkeys(n for n in term.exact_synonyms if n != term.name)),
        categories=(category,) if category else (),
    )


def source_version(reference_dir: Path, source: str) -> str:
    """Return the release of a source: an OBO file's ``data-version``, or what the tables' README states.

    :param reference_dir: folder of the source files; a table's release is its row of the ``README.md`` table.
    :param source: source key.
    :returns: the row's "upstream source" cell, e.g. the repository commit or package version and file.
    :raises UnknownTerm: if the README or the table's row is missing.
    """
    if (obo_file := _obo_file(reference_dir, source)) is not None:
        version = read_data_version(obo_file)
        if version is None:
            raise UnknownTerm(f"{obo_file}: no data-version in its header (the import module needs it)")
        return f"{obo_file.name} data-version: {version}"
    readme = reference_dir / "README.md"
    table = SOURCES[source].table
    if readme.is_file():
        for line in readme.read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 5 and cells[0] == f"`{table}`":
                return cells[3].replace("`", "")
    raise UnknownTerm(f"{readme}: no row for `{table}` giving its upstream release (the import module needs it)")


def is_import_module(graph: Graph) -> bool:
    """Say whether a graph of the Dataset is one of the generated import modules.

    :param graph: a graph of :meth:`Loaded.data_graphs`.
    :returns: ``True`` for ``graph/imports/…``.
    """
    return graph_kind(URIRef(graph.identifier)) == "imports"


def used_external_iris(loaded: Loaded) -> set[str]:
    """Collect every external term IRI the project's own graphs use (import modules excluded).

    :param loaded: the project's Dataset.
    :returns: IRIs that :func:`curie_of` recognizes.
    """
    found: set[str] = set()
    for g in loaded.data_graphs():
        if is_import_module(g):
            continue
        for triple in g:
            for node in triple:
                if isinstance(node, URIRef) and node not in OBO_METADATA and curie_of(str(node)):
                    found.add(str(node))
    return found


def declared_imports(loaded: Loaded) -> dict[str, str]:
    """Return the external terms the committed import modules declare, with their labels.

    :param loaded: the project's Dataset.
    :returns: IRI → source label.
    """
    declared: dict[str, str] = {}
    for g in filter(is_import_module, loaded.data_graphs()):
        for s, label in g.subject_objects(RDFS.label):
            if curie_of(str(s)):  # the module's own header is not a term
                declared[str(s)] = str(label)
    return declared


def declared_categories(loaded: Loaded) -> dict[str, tuple[str, ...]]:
    """Return the source categories the import modules record for their terms.

    :param loaded: the project's Dataset.
    :returns: IRI → sorted categories (terms without one are absent).
    """
    found: dict[str, list[str]] = defaultdict(list)
    for g in filter(is_import_module, loaded.data_graphs()):
        for s, category in g.subject_objects(MSC.sourceCategory):
            found[str(s)].append(str(category))
    return {iri: tuple(sorted(values)) for iri, values in found.items()}


def missing_imports(loaded: Loaded) -> list[str]:
    """List external IRIs used by the project but declared in no import module (the build refuses them).

    :param loaded: the project's Dataset.
    :returns: CURIEs, sorted.
    """
    declared = declared_imports(loaded)
    return sorted(str(curie_of(i)) for i in used_external_iris(loaded) if i not in declared)


def refresh(loaded: Loaded, paths: ProjectPaths, reference_dir: Path) -> dict[str, int]:
    """Regenerate every ``<src>_terms.tsv`` and ``<src>_import.ttl`` from the source tables.

    :param loaded: the project's Dataset (which terms are used).
    :param paths: the project's folders (where the modules go).
    :param reference_dir: folder of the source tables.
    :returns: number of terms per source.
    :raises UnknownTerm: naming every identifier that is unknown or obsolete in its source; nothing is
        written in that case.
    """
    by_source: dict[str, list[str]] = defaultdict(list)
    unknown: list[str] = []
    rules = read_upper_rules(paths.upper_alignment)
    wanted = used_external_iris(loaded) | {str(iri_of(r.parent)) for r in rules}
    for iri in sorted(wanted):
        curie = str(curie_of(iri))
        source = source_of(curie)
        if source is None:
            unknown.append(f"{curie} (no source table for its prefix)")
        else:
            by_source[source].append(curie)
    tables = {src: read_source_table(reference_dir, src, set(curies)) for src, curies in by_source.items()}
    for source, curies in by_source.items():
        for curie in curies:
            row = tables[source].get(curie)
            if row is None:
                unknown.append(f"{curie} (not in {source})")
            elif row.obsolete:
                unknown.append(f"{curie} (obsolete in {source}: {row.label!r})")
    if unknown:
        raise UnknownTerm("unknown or obsolete external identifiers: " + "; ".join(unknown))
    outputs = {}
    for source, curies in sorted(by_source.items()):
        rows = [tables[source][c] for c in curies]
        version = source_version(reference_dir, source)
        outputs[paths.ontology / "imports" / f"{source}_terms.tsv"] = _terms_tsv(rows)
        module = _module(source, version, rows, rules)
        outputs[paths.ontology / "imports" / f"{source}_import.ttl"] = format_graph(module)
    write_atomically(outputs)
    return {source: len(curies) for source, curies in sorted(by_source.items())}


@dataclass(frozen=True)
class UpperRule:
    """One row of ``ontology/upper-alignment.tsv``: which terms of a source go under which parent class."""

    source: str
    #: A CURIE (this term only) or a glob over the term's source categories (``*``: any term).
    match: str
    parent: str


def read_upper_rules(path: Path) -> list[UpperRule]:
    """Read the upper-alignment rules (columns source, match, parent, why).

    :param path: ``ontology/upper-alignment.tsv``; a missing file means no rules.
    :returns: the rules in file order.
    :raises UnknownTerm: naming the line of a row with an unknown source.
    """
    if not path.is_file():
        return []
    rules: list[UpperRule] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            if row["source"] not in SOURCES:
                raise UnknownTerm(f"{path}:{line}: unknown source {row['source']!r}")
            rules.append(UpperRule(row["source"], row["match"], row["parent"]))
    return rules


def upper_parent(rules: Iterable[UpperRule], source: str, term: SourceTerm) -> str | None:
    """Return the parent class a term is placed under: its own rule first, else the first category rule.

    :param rules: from :func:`read_upper_rules`.
    :param source: the term's source key.
    :param term: the term.
    :returns: the parent's CURIE, or ``None`` (no rule, a property, or the term itself).

    >>> rules = [UpperRule("go", "GO:0008150", "BFO:0000015"), UpperRule("go", "biological_process", "GO:0008150")]
    >>> upper_parent(rules, "go", SourceTerm("GO:0006954", "inflammatory response", False, None, False,
    ...                                      categories=("biological_process",)))
    'GO:0008150'
    >>> upper_parent(rules, "go", SourceTerm("GO:0008150", "biological_process", False, None, False,
    ...                                      categories=("biological_process",)))
    'BFO:0000015'
    """
    if term.is_property:
        return None
    mine = [r for r in rules if r.source == source]
    exact = [r.parent for r in mine if r.match == term.curie and r.parent != term.curie]
    if exact:
        return exact[0]
    for rule in mine:
        if ":" in rule.match:
            continue
        if rule.match == "*" or any(fnmatchcase(c, rule.match) for c in term.categories):
            return rule.parent if rule.parent != term.curie else None
    return None


def _terms_tsv(rows: Iterable[SourceTerm]) -> str:
    lines = ["curie\tlabel"] + [f"{r.curie}\t{r.label}" for r in sorted(rows, key=lambda r: r.curie)]
    return "\n".join(lines) + "\n"


def _module(source: str, version: str, rows: Iterable[SourceTerm], rules: list[UpperRule]) -> Graph:
    graph = Graph()
    module = URIRef(f"https://w3id.org/msc-liver/ontology/imports/{source}_import")
    graph.add((module, RDF.type, OWL.Ontology))
    graph.add((module, DCTERMS.source, Literal(SOURCES[source].table)))
    graph.add((module, OWL.versionInfo, Literal(version)))
    graph.add(
        (
            module,
            RDFS.comment,
            Literal(f"Generated by 'msckg imports refresh' from {SOURCES[source].table}.", lang="en"),
        )
    )
    graph.add((module, RDFS.label, Literal(f"{source} import module", lang="en")))
    graph.add((module, RDFS.label, Literal(f"{source} 导入模块", lang="zh")))
    for row in rows:
        iri = iri_of(row.curie)
        graph.add((iri, RDF.type, OWL.ObjectProperty if row.is_property else DECLARED_TYPES.get(row.curie, OWL.Class)))
        graph.add((iri, RDFS.label, Literal(row.label, lang="en")))
        if row.definition:
            graph.add((iri, OBO["IAO_0000115"], Literal(row.definition, lang="en")))
        for synonym in row.synonyms:
            graph.add((iri, OBOINOWL.hasExactSynonym, Literal(synonym, lang="en")))
        for category in row.categories:
            graph.add((iri, MSC.sourceCategory, Literal(category)))
        if (parent := upper_parent(rules, source, row)) is not None:
            graph.add((iri, RDFS.subClassOf, iri_of(parent)))
    return graph


def check_modules(loaded: Loaded, reference_dir: Path) -> list[str]:
    """Compare every term of the committed import modules with its source table.

    :param loaded: the project's Dataset.
    :param reference_dir: folder of the source tables.
    :returns: one sentence per problem (unknown, obsolete, or label differing from the source).
    """
    problems: list[str] = []
    tables: dict[str, dict[str, SourceTerm]] = {}
    categories = declared_categories(loaded)
    declared = declared_imports(loaded)
    wanted = {str(curie_of(iri)) for iri in declared}
    for iri, label in sorted(declared.items()):
        curie = curie_of(iri)
        source = source_of(curie) if curie else None
        if curie is None or source is None:
            problems.append(f"<{iri}>: not an identifier of a known source")
            continue
        if source not in tables:
            tables[source] = read_source_table(reference_dir, source, wanted)
        row = tables[source].get(curie)
        if row is None:
            problems.append(f"{curie}: not in the {source} table")
        elif row.obsolete:
            problems.append(f"{curie}: obsolete in {source} ({row.label!r})")
        elif row.label != label:
            problems.append(f"{curie}: import module says {label!r}, {source} says {row.label!r}")
        elif (ours := categories.get(iri, ())) != (theirs := tuple(sorted(row.categories))):
            problems.append(
                f"{curie} {label!r}: import module gives category {ours}, {source} gives {theirs} "
                "(run 'msckg imports refresh')"
            )
    return problems
