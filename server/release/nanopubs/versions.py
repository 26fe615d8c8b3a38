"""Did a claim change between releases? And ``msckg nanopub diff OLD NEW``: what a release supersedes and retracts.

A signed version and a plain nanopublication are compared graph by graph after mapping each one's own IRIs
to the same placeholders (its IRI, its four graphs, IRIs below it) and dropping what signing adds (the
signature element, ``dcterms:isVersionOf``, ``npx:supersedes``); skolem IRIs that nanopub-rs mints for blank
nodes (``…/RA…/_1``) become blank nodes again, and graphs are compared up to blank-node renaming.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from server.namespaces import NPX
from server.release.nanopubs.collection import History, Nanopub, split
from server.release.nanopubs.rdfio import read_quads

_MARK = "urn:msckg:nanopub"
_SIGNING = {NPX.hasSignature, NPX.hasPublicKey, NPX.hasAlgorithm, NPX.hasSignatureTarget, NPX.signedBy}
_ADDED = {DCTERMS.isVersionOf, NPX.supersedes}


def content(nanopub: Nanopub) -> dict[str, Graph]:
    """Return what a nanopublication says, role by role, with its own IRIs replaced by placeholders.

    :param nanopub: a plain or signed nanopublication.
    :returns: role → graph.
    """
    skolem = re.compile(re.escape(str(nanopub.iri)) + r"[/#.]_(\d+)$")
    signatures = {q[1] for q in nanopub.graph("pubinfo") if q[2] == NPX.hasSignature}
    names = {graph: URIRef(f"{_MARK}/{role}") for role, graph in nanopub.graphs.items()}

    def term(node: Node) -> Node:
        text = str(node)
        if isinstance(node, URIRef) and node in names:
            return names[node]
        if node == nanopub.iri:
            return URIRef(_MARK)
        if isinstance(node, URIRef) and (match := skolem.match(text)):
            return BNode(f"b{match.group(1)}")
        if isinstance(node, URIRef) and text.startswith(str(nanopub.iri) + "/"):
            return URIRef(_MARK + text[len(nanopub.iri) :])
        return node

    graphs: dict[str, Graph] = {}
    for role in ("assertion", "provenance", "pubinfo"):
        graph = Graph()
        for _, s, p, o in nanopub.graph(role):
            if s in signatures and p in _SIGNING or s == nanopub.iri and p in _ADDED:
                continue
            graph.add((term(s), term(p), term(o)))
        graphs[role] = graph
    return graphs


def same_content(a: Nanopub, b: Nanopub) -> bool:
    """Tell whether two nanopublications say the same (see :func:`content`).

    :param a: e.g. the plain nanopublication of this release.
    :param b: e.g. its current signed version.
    :returns: ``True`` if every graph is the same up to blank-node renaming.
    """
    left, right = content(a), content(b)
    return all(isomorphic(left[role], right[role]) for role in left)


@dataclass(frozen=True)
class Diff:
    """What a signed release changes against an older one."""

    #: (local claim, old signed version, new signed version) for every claim that changed.
    superseded: list[tuple[URIRef, URIRef, URIRef]]
    #: (local claim, retracted signed version) for every claim the new release retires.
    retracted: list[tuple[URIRef, URIRef]]
    #: Local claims new in this release.
    added: list[URIRef]
    #: Claims whose signed version is the same in both.
    unchanged: int

    def lines(self) -> list[str]:
        """Render the diff, one line per change.

        :returns: ``supersedes``, ``retracts`` and ``adds`` lines, then a count.
        """
        out = [f"supersedes {old} with {new} ({claim})" for claim, old, new in self.superseded]
        out += [f"retracts {old} ({claim})" for claim, old in self.retracted]
        out += [f"adds {claim}" for claim in self.added]
        out.append(
            f"{len(self.superseded)} superseded, {len(self.retracted)} retracted, {len(self.added)} added, "
            f"{self.unchanged} unchanged"
        )
        return out


def history_of(path: Path) -> History:
    """Read a signed release file (``msc-liver.signed.trig``) as a version history.

    :param path: the file.
    :returns: its nanopublications.
    :raises LoadError: if it does not parse.
    """
    return History(split(read_quads(path)))


def diff(old: History, new: History) -> Diff:
    """Compare two signed releases claim by claim.

    :param old: the earlier release's signed nanopublications.
    :param new: the later one's.
    :returns: what the later release supersedes, retracts and adds.
    """
    before, after = old.current(), new.current()
    superseded = []
    for claim, version in sorted(after.items()):
        previous = before.get(claim)
        if previous is not None and previous.iri != version.iri:
            superseded.append((claim, previous.iri, version.iri))
    retired = new.retracted - old.retracted
    retracted = sorted((claim, v.iri) for claim, v in before.items() if v.iri in retired)
    added = sorted(claim for claim in after if claim not in before)
    unchanged = sum(1 for claim, v in after.items() if claim in before and before[claim].iri == v.iri)
    return Diff(superseded, retracted, added, unchanged)


def claims(nanopubs: Iterable[Nanopub], base: str) -> dict[URIRef, Nanopub]:
    """Pick the local claims among plain nanopublications.

    :param nanopubs: nanopublications of a release.
    :param base: the namespace of local claims (``https://w3id.org/msc-liver/np/``).
    :returns: IRI → nanopublication, for those under ``base``.
    """
    return {n.iri: n for n in nanopubs if str(n.iri).startswith(base)}
