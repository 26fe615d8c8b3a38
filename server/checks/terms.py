"""Is every external term the right one for its use? The build's gate on identifiers, before anything is published.

A wrong identifier silently joins an integrator's data to the wrong gene, so the build refuses one that is
(1) in no import module, (2) of the wrong kind for how we use it (a GO process for a cell, a chemical for a
gene product: ``ontology/term-kinds.tsv``), or (3) an ``skos:exactMatch`` that the names do not support (the
node's labels share no name with the term's label and exact synonyms, an HGNC gene for a product of
unspecified species, or one term matched exactly by two different nodes), unless the node's editorial note
says why (``"exactMatch: …"@en``). With the source tables at hand it also compares every import module
with them (label, obsolescence, category), so a stale or hand-edited module is caught too.
"""

import csv
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from server.curation.load import Loaded
from server.iris import curie_of, source_of
from server.links.imports import (
    OBO_METADATA,
    SOURCES,
    check_modules,
    is_import_module,
    missing_imports,
    read_source_table,
)
from server.namespaces import MSC, MSCE, OBOINOWL, PREFIXES, shorten

#: Mapping predicates whose subject is ours and whose object is an external term.
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
#: Rule key for external IRIs used as predicates.
PREDICATE_USE = RDF.Property
#: An editorial note beginning so justifies an exactMatch the names do not show.
JUSTIFIED = "exactMatch:"
_WORDS = re.compile(r"[^\w.]+")
_QUALIFIER = re.compile(r"\([^)]*\)")
#: Sources whose terms belong to one species (the HGNC human gene, hsa-miR-…): exactMatch needs a reason.
SPECIES_SPECIFIC = {
    "hgnc": "an HGNC gene is the human gene",
    "mgi": "an MGI gene is the mouse gene",
    "rgd": "an RGD gene is the rat gene",
    "mirbase": "a miRBase mature miRNA is of one species",
}


@dataclass(frozen=True)
class KindRule:
    """One allowed (source, category) for a use: members and subclasses of a class, or objects of a property."""

    use: URIRef
    source: str
    categories: tuple[str, ...]
    why: str

    def allows(self, source: str, categories: Iterable[str]) -> bool:
        """Say whether a term of ``source`` with those categories fits this rule.

        :param source: the term's source key.
        :param categories: the term's categories in its source (glob patterns of the rule apply).
        :returns: ``True`` if it fits.
        """
        if source != self.source:
            return False
        return self.categories == ("*",) or any(fnmatchcase(c, p) for c in categories for p in self.categories)

    def describe(self) -> str:
        """Say what the rule allows, for messages.

        :returns: e.g. ``go biological_process``.
        """
        return self.source if self.categories == ("*",) else f"{self.source} {' or '.join(self.categories)}"


@dataclass(frozen=True)
class ModuleTerm:
    """An external term as its import module declares it."""

    curie: str
    source: str
    label: str
    names: frozenset[str]
    categories: tuple[str, ...]
    is_property: bool


def read_rules(path: Path) -> dict[URIRef, list[KindRule]]:
    """Read ``ontology/term-kinds.tsv``.

    :param path: the rules table (columns use, source, categories, why; categories ``|``-separated globs).
    :returns: rules by use (a class or property IRI).
    :raises ValueError: naming the line of a row with an unknown prefix or source.
    """
    rules: dict[URIRef, list[KindRule]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            prefix, _, local = row["use"].partition(":")
            if prefix not in PREFIXES or not local or row["source"] not in SOURCES:
                raise ValueError(f"{path}:{line}: unknown use {row['use']!r} or source {row['source']!r}")
            use = URIRef(str(PREFIXES[prefix]) + local)
            categories = tuple(c.strip() for c in row["categories"].split("|"))
            rules[use].append(KindRule(use, row["source"], categories, row["why"]))
    return dict(rules)


def module_terms(loaded: Loaded) -> dict[URIRef, ModuleTerm]:
    """Read the external terms of the committed import modules.

    :param loaded: the project's Dataset.
    :returns: terms by IRI.
    """
    terms: dict[URIRef, ModuleTerm] = {}
    for g in filter(is_import_module, loaded.data_graphs()):
        for s, label in g.subject_objects(RDFS.label):
            curie = curie_of(str(s))
            source = source_of(curie) if curie else None
            if not isinstance(s, URIRef) or curie is None or source is None:
                continue
            synonyms = [str(o) for o in g.objects(s, OBOINOWL.hasExactSynonym)]
            terms[s] = ModuleTerm(
                curie=curie,
                source=source,
                label=str(label),
                names=frozenset(_normal(n) for n in [str(label), *synonyms]),
                categories=tuple(sorted(str(o) for o in g.objects(s, MSC.sourceCategory))),
                is_property=(s, RDF.type, OWL.ObjectProperty) in g,
            )
    return terms


def _normal(name: str) -> str:
    """Fold a name for comparison: case, punctuation, word order (MeSH inverts), plurals and "(qualifiers)".

    >>> _normal("Administration, Intravenous") == _normal("intravenous administration")
    True
    >>> _normal("liver fibrosis (disease)") == _normal("liver fibrosis")
    True
    """
    words = [w for w in _WORDS.split(_QUALIFIER.sub(" ", name.casefold())) if w]
    return " ".join(sorted(_singular(w) for w in words))


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class _Project:
    """The project's own graphs merged, with the questions the checks ask of them."""

    def __init__(self, loaded: Loaded) -> None:
        self.graph = Graph()
        for g in itertools.filterfalse(is_import_module, loaded.data_graphs()):
            self.graph += g
        #: The import modules' upper alignment (``CL_0002540`` ⊑ ``CL_0000000``), for the walk to a class with rules.
        self.parents = Graph()
        for g in filter(is_import_module, loaded.data_graphs()):
            for triple in g.triples((None, RDFS.subClassOf, None)):
                self.parents.add(triple)

    def ours(self, node: object) -> bool:
        return isinstance(node, URIRef) and (node.startswith(str(MSC)) or node.startswith(str(MSCE)))

    def uses(self, node: URIRef) -> list[URIRef]:
        """Where the rule search starts: a class itself, else the node's types."""
        if (node, RDF.type, OWL.Class) in self.graph:
            return [node]
        return [t for t in self.graph.objects(node, RDF.type) if isinstance(t, URIRef)]

    def names(self, node: URIRef) -> set[str]:
        labels = [*self.graph.objects(node, RDFS.label), *self.graph.objects(node, SKOS.altLabel)]
        labels += list(self.graph.objects(node, OBOINOWL.hasExactSynonym))
        return {_normal(str(n)) for n in labels if isinstance(n, Literal) and n.language in (None, "en")}

    def label(self, node: URIRef) -> str:
        english = [
            str(n) for n in self.graph.objects(node, RDFS.label) if isinstance(n, Literal) and n.language == "en"
        ]
        return english[0] if english else shorten(str(node))

    def justified(self, node: URIRef) -> bool:
        notes = self.graph.objects(node, SKOS.editorialNote)
        return any(str(n).startswith(JUSTIFIED) for n in notes)


def _nearest_rules(project: _Project, starts: list[URIRef], rules: dict[URIRef, list[KindRule]]) -> list[KindRule]:
    """Rules of the nearest classes with rules above each start (a subclass's rules replace its parent's)."""
    found: list[KindRule] = []
    for start in starts:
        frontier, seen = [start], {start}
        while frontier:
            with_rules = [c for c in frontier if c in rules]
            if with_rules:
                found += [r for c in with_rules for r in rules[c]]
                break
            parents = {
                p
                for c in frontier
                for g in (project.graph, project.parents)
                for p in g.objects(c, RDFS.subClassOf)
                if isinstance(p, URIRef)
            }
            frontier = [p for p in parents if p not in seen]
            seen.update(frontier)
    return found


def _term_text(term: ModuleTerm) -> str:
    category = f" ({', '.join(term.categories)})" if term.categories else ""
    return f"{term.curie} {term.label!r} [{term.source}{category}]"


def kind_problems(project: _Project, terms: dict[URIRef, ModuleTerm], rules: dict[URIRef, list[KindRule]]) -> list[str]:
    """Find external terms of the wrong kind for their use.

    :param project: the project's own graphs.
    :param terms: from :func:`module_terms`.
    :param rules: from :func:`read_rules`.
    :returns: one sentence per problem, naming our node, the term with its source label, and what would fit.
    """
    problems: list[str] = []
    for s, p, o in sorted(project.graph):
        if isinstance(p, URIRef) and p in terms:
            use_rules, where = rules.get(PREDICATE_USE, []), "used as a predicate"
            term = terms[p]
        elif isinstance(o, URIRef) and o in terms and o not in OBO_METADATA:
            term = terms[o]
            if p in MAPPINGS and isinstance(s, URIRef) and project.ours(s):
                use_rules = _nearest_rules(project, project.uses(s), rules)
                where = f"{shorten(str(s))} {shorten(str(p))}"
            else:
                use_rules, where = rules.get(URIRef(str(p)), []), f"object of {shorten(str(p))}"
        else:
            continue
        if not use_rules:
            problems.append(f"{_term_text(term)} {where}: no kind rule covers this use (ontology/term-kinds.tsv)")
        elif not any(r.allows(term.source, term.categories) for r in use_rules):
            allowed = "; ".join(sorted({r.describe() for r in use_rules}))
            problems.append(f"{where} {_term_text(term)}: wrong kind of term here; expected {allowed}")
    return problems


def exact_match_problems(project: _Project, terms: dict[URIRef, ModuleTerm]) -> list[str]:
    """Find ``skos:exactMatch`` mappings that the names, the species or a second node contradict.

    :param project: the project's own graphs.
    :param terms: from :func:`module_terms`.
    :returns: one sentence per problem, naming our node and the term with its source label.
    """
    problems: list[str] = []
    matched_by: dict[URIRef, list[URIRef]] = defaultdict(list)
    for s, o in sorted(project.graph.subject_objects(SKOS.exactMatch)):
        if not (isinstance(s, URIRef) and isinstance(o, URIRef) and o in terms and project.ours(s)):
            continue
        term, ours = terms[o], f"{shorten(str(s))} {project.label(s)!r}"
        matched_by[o].append(s)
        if project.justified(s):
            continue
        if term.source in SPECIES_SPECIFIC:
            problems.append(
                f"{ours} skos:exactMatch {_term_text(term)}: {SPECIES_SPECIFIC[term.source]}; say in "
                f'skos:editorialNote "{JUSTIFIED} …"@en why the node is of that species, else use skos:closeMatch'
            )
        elif not project.names(s) & term.names:
            problems.append(
                f"{ours} skos:exactMatch {_term_text(term)}: no name in common; if they mean the same thing say why "
                f'in skos:editorialNote "{JUSTIFIED} …"@en, else use skos:closeMatch, broadMatch or narrowMatch'
            )
    for o, nodes in sorted(matched_by.items()):
        if len(nodes) > 1:
            names = ", ".join(shorten(str(n)) for n in nodes)
            problems.append(
                f"{_term_text(terms[o])} is the skos:exactMatch of {len(nodes)} nodes ({names}): "
                "at most one means exactly the same thing; map the others with broadMatch/narrowMatch/closeMatch"
            )
    return problems


def term_problems(loaded: Loaded, rules_path: Path, reference_dir: Path | None) -> list[str]:
    """Run every identifier check the build runs.

    :param loaded: the project's Dataset.
    :param rules_path: ``ontology/term-kinds.tsv``.
    :param reference_dir: the source tables, or ``None`` when they are not at hand (then the import modules,
        which carry the source labels and categories, are trusted as refreshed).
    :returns: one sentence per problem; empty when every identifier is right.
    """
    problems = [_missing(curie, reference_dir) for curie in missing_imports(loaded)]
    if reference_dir is not None:
        problems += check_modules(loaded, reference_dir)
    project, terms = _Project(loaded), module_terms(loaded)
    problems += kind_problems(project, terms, read_rules(rules_path))
    problems += exact_match_problems(project, terms)
    return problems


def _missing(curie: str, reference_dir: Path | None) -> str:
    """Say that a term is in no import module, with what its source calls it when the tables are at hand."""
    source = source_of(curie)
    row = read_source_table(reference_dir, source, {curie}).get(curie) if reference_dir and source else None
    known = f" ({source} says {row.label!r}{', obsolete' if row.obsolete else ''})" if row else ""
    return f"{curie}{known}: used but in no import module (run 'msckg imports refresh')"
