"""A file of many nanopublications, cut into one :class:`Nanopub` each, and the version history they carry.

Versions follow the nanopub network's conventions: a new version says ``this: npx:supersedes <old>`` in its
pubinfo graph, a retraction is a nanopublication whose assertion says ``<signer> npx:retracts <old>``. Our
signed nanopublications also say which local claim they are a version of (``this: dcterms:isVersionOf
<https://w3id.org/msc-liver/np/<id>>``), so that a release can be compared with the last one claim by claim.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from server.namespaces import NP, NPX
from server.release.nanopubs.rdfio import Quad

_ROLES = {NP.hasAssertion: "assertion", NP.hasProvenance: "provenance", NP.hasPublicationInfo: "pubinfo"}


@dataclass
class Nanopub:
    """One nanopublication: its IRI, its four graphs by role, and its quads."""

    iri: URIRef
    graphs: dict[str, URIRef]
    quads: list[Quad] = field(default_factory=list)

    def graph(self, role: str) -> list[Quad]:
        """Return the quads of one of its graphs.

        :param role: ``head``, ``assertion``, ``provenance`` or ``pubinfo``.
        :returns: those quads.
        """
        return [q for q in self.quads if q[0] == self.graphs.get(role)]

    def about(self, predicate: URIRef) -> list[Node]:
        """Return what the pubinfo graph says about the nanopublication with ``predicate``.

        :param predicate: e.g. ``npx:supersedes``.
        :returns: the objects, sorted.
        """
        return sorted((q[3] for q in self.graph("pubinfo") if q[1] == self.iri and q[2] == predicate), key=str)

    @property
    def version_of(self) -> URIRef | None:
        """The local claim this signed nanopublication is a version of (``dcterms:isVersionOf``)."""
        found = self.about(DCTERMS.isVersionOf)
        return URIRef(str(found[0])) if found else None

    @property
    def retracted(self) -> list[URIRef]:
        """The nanopublications this one retracts (``npx:retracts`` in its assertion)."""
        return sorted(URIRef(str(q[3])) for q in self.graph("assertion") if q[2] == NPX.retracts)


def split(quads: list[Quad]) -> dict[URIRef, Nanopub]:
    """Cut a collection of quads into nanopublications (quads outside every nanopublication are dropped).

    :param quads: the quads of one or more well-formed nanopublications (see the check).
    :returns: nanopublication IRI → nanopublication.
    """
    by_graph: dict[Node, list[Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[quad[0]].append(quad)
    found: dict[URIRef, Nanopub] = {}
    for head, iri in sorted({(q[0], q[1]) for q in quads if q[2] == RDF.type and q[3] == NP.Nanopublication}):
        if not isinstance(iri, URIRef) or not isinstance(head, URIRef):
            continue
        graphs = {"head": head}
        for q in by_graph[head]:
            if q[1] == iri and isinstance(q[2], URIRef) and q[2] in _ROLES and isinstance(q[3], URIRef):
                graphs[_ROLES[q[2]]] = q[3]
        nanopub = Nanopub(iri, graphs)
        nanopub.quads = [q for g in dict.fromkeys(graphs.values()) for q in by_graph[g]]
        found[iri] = nanopub
    return found


@dataclass
class History:
    """Every signed nanopublication of our releases so far, and what is current."""

    nanopubs: dict[URIRef, Nanopub]

    @property
    def superseded(self) -> set[Node]:
        """Signed nanopublications a later version supersedes."""
        return {s for n in self.nanopubs.values() for s in n.about(NPX.supersedes)}

    @property
    def retracted(self) -> set[URIRef]:
        """Signed nanopublications a retraction retracts."""
        return {r for n in self.nanopubs.values() for r in n.retracted}

    def current(self) -> dict[URIRef, Nanopub]:
        """Return the current version of every local claim: neither superseded nor retracted.

        :returns: local nanopublication IRI → its current signed version.
        """
        gone = self.superseded | self.retracted
        current: dict[URIRef, Nanopub] = {}
        for nanopub in self.nanopubs.values():
            if nanopub.version_of is not None and nanopub.iri not in gone:
                current[nanopub.version_of] = nanopub
        return current
