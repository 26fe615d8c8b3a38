"""Counts that tell a curator what the graph holds: per class, predicate, graph kind, reference, language."""

from collections import Counter
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from server.curation.load import Loaded
from server.iris import graph_kind
from server.namespaces import NP, shorten


@dataclass
class Stats:
    """The tables ``msckg stats`` prints."""

    classes: Counter[str] = field(default_factory=Counter)
    predicates: Counter[str] = field(default_factory=Counter)
    graph_kinds: Counter[str] = field(default_factory=Counter)
    references: Counter[str] = field(default_factory=Counter)
    label_languages: Counter[str] = field(default_factory=Counter)
    nanopublications: int = 0
    triples: int = 0

    def to_text(self) -> str:
        """Render as plain-text tables.

        :returns: the report.
        """
        parts = [f"triples: {self.triples}", f"nanopublications: {self.nanopublications}"]
        for title, table in [
            ("graphs by kind", self.graph_kinds),
            ("instances per class", self.classes),
            ("triples per predicate", self.predicates),
            ("nanopublications per reference", self.references),
            ("labels per language", self.label_languages),
        ]:
            rows = "\n".join(f"  {count:>6}  {key}" for key, count in sorted(table.items(), key=_by_count))
            parts.append(f"{title}:\n{rows}")
        return "\n".join(parts) + "\n"


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def compute(loaded: Loaded) -> Stats:
    """Count the curated graphs of a loaded project (the graphs the build computes are left out).

    :param loaded: the project's Dataset.
    :returns: the counts.
    """
    stats = Stats()
    for g in loaded.curated_graphs():
        stats.graph_kinds[graph_kind(URIRef(g.identifier))] += 1
        for _s, p, o in g:
            stats.triples += 1
            stats.predicates[shorten(str(p))] += 1
            if p == RDF.type:
                stats.classes[shorten(str(o))] += 1
                if o == NP.Nanopublication:
                    stats.nanopublications += 1
            elif p == RDFS.label and isinstance(o, Literal):
                stats.label_languages[o.language or "(none)"] += 1
            elif p == PROV.wasDerivedFrom:
                stats.references[shorten(str(o))] += 1
    return stats
