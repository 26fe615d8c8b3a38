"""How sure we are: evidence levels, modalities, summaries of a set of claims, and the claims that disagree.

**Evidence levels**, strongest first: clinical trial > animal in vivo > in vitro > review statement. A claim's
level comes from its ECO evidence type (:data:`ECO_LEVELS`); the generic "experimental evidence used in manual
assertion" (ECO:0000269) takes the level of the claim's experimental model (an ``msc:ClinicalStudy``, an
``msc:AnimalModel`` or an ``msc:InVitroModel``), and is counted as in vitro, the lowest experimental level, when
its model is of none of these kinds. A claim with several evidence types takes the strongest.

**Contradictions**: two claims (two nanopublications) on the same subject–object pair whose signs are opposite
(+ against −), or a null result (sign 0, "no significant effect") against an effect (+ or −).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from server.engine.causal import Claim, Edge
from server.namespaces import MSC, OBO

#: Evidence levels, strongest first.
LEVELS = ("clinical trial", "animal in vivo", "in vitro", "review statement")
_CLINICAL, _ANIMAL, _IN_VITRO, _STATEMENT = LEVELS

#: ECO evidence types and the level each one gives (docs/data-model.md lists the same table).
ECO_LEVELS = {
    "ECO_0000180": _CLINICAL,  # clinical study evidence
    "ECO_0007121": _CLINICAL,  # clinical study evidence used in manual assertion
    "ECO_0006016": _CLINICAL,  # author statement supported from referenced clinical study
    "ECO_0006017": _CLINICAL,  # author statement supported from referenced clinical study used in manual assertion
    "ECO_0000179": _ANIMAL,  # animal model system study evidence
    "ECO_0007120": _ANIMAL,  # animal model system study evidence used in manual assertion
    "ECO_0000181": _IN_VITRO,  # in vitro assay evidence
    "ECO_0007122": _IN_VITRO,  # in vitro assay evidence used in manual assertion
    "ECO_0000204": _STATEMENT,  # author statement
    "ECO_0000302": _STATEMENT,  # author statement used in manual assertion
    "ECO_0000303": _STATEMENT,  # author statement without traceable support used in manual assertion
    "ECO_0000304": _STATEMENT,  # author statement supported by traceable reference used in manual assertion
    "ECO_0000205": _STATEMENT,  # curator inference
    "ECO_0000305": _STATEMENT,  # curator inference used in manual assertion
}
#: Evidence whose level is the kind of the claim's model: generic experimental evidence, and in vivo assay evidence
#: (ECO defines it as an assay on "microorganisms or living tissue grown in a medium", which names no animal).
EXPERIMENTAL = frozenset({"ECO_0000269", "ECO_0000178", "ECO_0007119"})
#: Model kinds, for :data:`EXPERIMENTAL` (checked in this order).
MODEL_LEVELS = ((str(MSC.ClinicalStudy), _CLINICAL), (str(MSC.AnimalModel), _ANIMAL),
                (str(MSC.InVitroModel), _IN_VITRO))  # fmt: skip
#: ECO types of a step the curators read in (drawn dashed).
CURATOR_INFERENCE = ("ECO_0000205", "ECO_0000305")

#: Modalities by their short name.
MODALITIES = {
    str(MSC.Demonstrated): "demonstrated",
    str(MSC.Suggested): "suggested",
    str(MSC.NoSignificantDifference): "null",
    str(MSC.KnowledgeGapStatement): "gap",
    str(MSC.BackgroundStatement): "background",
}


def _local(iri: str) -> str:
    return iri[len(str(OBO)) :] if iri.startswith(str(OBO)) else iri


def level_of(claim: Claim) -> str | None:
    """Return a claim's evidence level.

    :param claim: the claim.
    :returns: one of :data:`LEVELS`, or ``None`` when its evidence type is not in the table.

    >>> level_of(Claim("np", evidence=("http://purl.obolibrary.org/obo/ECO_0007121",)))
    'clinical trial'
    >>> level_of(Claim("np", evidence=("http://purl.obolibrary.org/obo/ECO_0000269",),
    ...                model_kinds=frozenset({"https://w3id.org/msc-liver/ontology/AnimalModel"})))
    'animal in vivo'
    """
    found = []
    for eco in map(_local, claim.evidence):
        if eco in EXPERIMENTAL:
            found.append(next((lv for kind, lv in MODEL_LEVELS if kind in claim.model_kinds), _IN_VITRO))
        elif eco in ECO_LEVELS:
            found.append(ECO_LEVELS[eco])
    return min(found, key=LEVELS.index) if found else None


def curator_inferred(claim: Claim) -> bool:
    """Tell whether a claim is a step the curators read in (ECO curator inference).

    :param claim: the claim.
    :returns: ``True`` for curator inference.
    """
    return any(_local(e) in CURATOR_INFERENCE for e in claim.evidence)


def modality_of(claim: Claim) -> str | None:
    """Return a claim's modality by its short name (demonstrated, suggested, null, gap, background).

    :param claim: the claim.
    :returns: the short name, or ``None`` when the claim states none.
    """
    return MODALITIES.get(claim.modality or "", claim.modality)


@dataclass(frozen=True)
class Contradiction:
    """Two claims that disagree on one subject–object pair."""

    first: Edge
    second: Edge

    @property
    def kind(self) -> str:
        """Say how they disagree.

        :returns: ``"opposite signs"`` or ``"null result against an effect"``.
        """
        return "null result against an effect" if "0" in (self.first.sign, self.second.sign) else "opposite signs"


def disagree(a: str, b: str) -> bool:
    """Tell whether two signs disagree: + against −, or 0 against + or −.

    :param a: a sign.
    :param b: another sign.
    :returns: whether they disagree.

    >>> disagree("+", "-"), disagree("0", "-"), disagree("+", "+"), disagree("none", "-")
    (True, True, False, False)
    """
    return {a, b} in ({"+", "-"}, {"0", "+"}, {"0", "-"})


def contradictions(edges: Iterable[Edge], within: Iterable[Edge] | None = None) -> list[Contradiction]:
    """List the pairs of claims that disagree on a subject–object pair.

    :param edges: every edge to compare (the whole graph).
    :param within: only pairs with at least one of these edges (a path's or a chain's steps); default all.
    :returns: contradictions, each pair once (the earlier nanopublication first), sorted.
    """
    by_pair: dict[tuple[str, str], list[Edge]] = {}
    for edge in edges:
        by_pair.setdefault((edge.subject, edge.object), []).append(edge)
    wanted = None if within is None else {(e.subject, e.object) for e in within}
    mine = None if within is None else set(within)
    found = set()
    for pair, group in by_pair.items():
        if wanted is not None and pair not in wanted:
            continue
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.claim.nanopub == b.claim.nanopub or not disagree(a.sign, b.sign):
                    continue
                if mine is not None and a not in mine and b not in mine:
                    continue
                first, second = sorted((a, b), key=lambda e: (e.claim.nanopub, e.predicate))
                found.add(Contradiction(first, second))
    return sorted(found, key=lambda c: (c.first.subject, c.first.object, c.first.claim.nanopub, c.second.claim.nanopub,
                                        c.first.predicate, c.second.predicate))  # fmt: skip


@dataclass(frozen=True)
class Summary:
    """How sure a set of claims is: what it rests on and where it disagrees."""

    references: tuple[str, ...]
    species: tuple[str, ...]
    levels: dict[str, int]
    modalities: dict[str, int]
    contradictions: tuple[Contradiction, ...]

    @property
    def best_level(self) -> str | None:
        """The strongest evidence level among the claims.

        :returns: a level, or ``None``.
        """
        return next((lv for lv in LEVELS if self.levels.get(lv)), None)

    @property
    def weakest_level(self) -> str | None:
        """The weakest evidence level among the claims (what a chain of them rests on).

        :returns: a level, or ``None``.
        """
        return next((lv for lv in reversed(LEVELS) if self.levels.get(lv)), None)


def summarize(steps: Iterable[Edge], every: Iterable[Edge]) -> Summary:
    """Summarize the evidence of some edges: distinct references and species, claims per level and modality.

    Levels and modalities count claims (nanopublications), not triples.

    :param steps: the edges of a path, a chain or a node's neighbourhood.
    :param every: the edges to look for contradictions among: the graph's, or those on the pairs of ``steps``.
    :returns: the summary.
    """
    steps = list(steps)
    claims = {e.claim.nanopub: e.claim for e in steps}.values()
    levels = Counter(level_of(c) or "unknown" for c in claims)
    modalities = Counter(modality_of(c) or "unknown" for c in claims)
    return Summary(
        references=tuple(sorted({r for c in claims for r in c.references})),
        species=tuple(sorted({s for c in claims for s in c.species})),
        levels={lv: levels[lv] for lv in (*LEVELS, "unknown") if levels[lv]},
        modalities=dict(sorted(modalities.items())),
        contradictions=tuple(contradictions(every, within=steps)),
    )
