"""The answer about mechanism paths, as JSON (``/api/paths``, ``msckg paths --format json``) and as text.

JSON: ``{"from", "to", "net", "net_derived", "effect", "truncated", "limits", "paths": [{"kind", "sign", "nodes",
"chain", "junctions", "steps": [{"subject", "predicate", "object", "sign", "nanopub", "reference", "references",
"species", "modality", "evidence", "eco", "curator_inferred"}]}], "summary", "labels"}``; nodes, predicates,
species and evidence types as CURIEs where a prefix covers them, ``labels`` naming each node, predicate, species and
model in English and Chinese.
"""

import csv
import io
from collections.abc import Iterable
from typing import Any

from server.engine.causal import CausalGraph, Edge
from server.engine.evidence import Contradiction, Summary, contradictions, curator_inferred, level_of, modality_of
from server.engine.names import resolve
from server.engine.paths import Options, Path, PathsResult, find_paths
from server.errors import QueryError
from server.iris import curie_of, iri_of
from server.namespaces import MSC, OBO, shorten

#: What a net effect means for an outcome of each polarity.
_EFFECTS = {
    (str(MSC.HigherIsBetter), "+"): "improvement",
    (str(MSC.HigherIsBetter), "-"): "worsening",
    (str(MSC.HigherIsWorse), "+"): "worsening",
    (str(MSC.HigherIsWorse), "-"): "improvement",
}


def short(iri: str) -> str:
    """Write an IRI as a CURIE: the external source's own (``NCBITaxon:10090``), else ours (``msce:bm-msc``).

    :param iri: an IRI.
    :returns: the CURIE, or ``<iri>``.

    >>> short("http://purl.obolibrary.org/obo/NCBITaxon_10090"), short("https://w3id.org/msc-liver/entity/cd47")
    ('NCBITaxon:10090', 'msce:cd47')
    """
    return curie_of(iri) or shorten(iri)


def effect(graph: CausalGraph, target: str, sign: str) -> str | None:
    """Say whether a net effect on an outcome is an improvement, from the outcome's polarity.

    :param graph: the causal graph (names carry polarities).
    :param target: the outcome.
    :param sign: the net effect.
    :returns: ``improvement``, ``worsening``, ``no effect`` (sign 0) or ``None`` (no polarity, or mixed).
    """
    names = graph.names.get(target)
    if names is None or names.polarity is None:
        return None
    return "no effect" if sign == "0" else _EFFECTS.get((names.polarity, sign))


def step_json(edge: Edge) -> dict[str, Any]:
    """Describe one step (one claim's triple) for the JSON answer.

    :param edge: the step.
    :returns: its JSON object.
    """
    claim = edge.claim
    return {
        "subject": short(edge.subject),
        "predicate": short(edge.predicate),
        "object": short(edge.object),
        "sign": edge.sign,
        "nanopub": claim.nanopub,
        "reference": claim.references[0] if claim.references else None,
        "references": list(claim.references),
        "species": sorted(short(s) for s in claim.species),
        "models": sorted(short(m) for m in claim.models),
        "modality": modality_of(claim),
        "evidence": level_of(claim),
        "eco": [short(e) for e in claim.evidence],
        "curator_inferred": curator_inferred(claim),
        "chain": claim.chain,
        "chain_step": claim.chain_step,
    }


def path_json(path: Path) -> dict[str, Any]:
    """Describe one path for the JSON answer.

    :param path: the path.
    :returns: its JSON object.
    """
    return {
        "kind": path.kind,
        "sign": path.sign,
        "nodes": [short(n) for n in path.nodes],
        "chain": path.chain,
        "junctions": [
            {
                "after_step": j.after,
                "kind": j.kind,
                "before": sorted(short(x) for x in j.before),
                "then": sorted(short(x) for x in j.then),
            }
            for j in path.junctions
        ],  # fmt: skip
        "steps": [step_json(e) for e in path.steps],
    }


def contradiction_json(found: Contradiction) -> dict[str, Any]:
    """Describe two claims that disagree.

    :param found: the contradiction.
    :returns: its JSON object (both claims with their sources).
    """
    return {"kind": found.kind, "subject": short(found.first.subject), "object": short(found.first.object),
            "claims": [step_json(found.first), step_json(found.second)]}  # fmt: skip


def summary_json(summary: Summary, graph: CausalGraph | None = None) -> dict[str, Any]:
    """Describe the evidence of a set of claims.

    :param summary: the summary.
    :param graph: the causal graph, to name the species (``labels``: CURIE → English label); ``None``: no names.
    :returns: its JSON object.
    """
    disagreeing = [e for c in summary.contradictions for e in (c.first, c.second)]
    named = {*summary.species, *(s for e in disagreeing for s in e.claim.species)}
    return {
        "labels": {short(x): graph.label(x) for x in sorted(named)} if graph is not None else {},
        "references": list(summary.references),
        "species": [short(s) for s in summary.species],
        "evidence_levels": summary.levels,
        "best_level": summary.best_level,
        "weakest_level": summary.weakest_level,
        "modalities": summary.modalities,
        "contradictions": [contradiction_json(c) for c in summary.contradictions],
    }


def as_json(result: PathsResult, graph: CausalGraph) -> dict[str, Any]:
    """Write the whole answer as JSON.

    :param result: the paths found.
    :param graph: the causal graph (for names and polarities).
    :returns: the JSON object.
    """
    paths = result.stated + result.derived
    nodes = {result.source, result.target} | {n for p in paths for n in p.nodes}
    nodes |= {e.predicate for p in paths for e in p.steps}
    nodes |= {x for p in paths for e in p.steps for x in e.claim.species | e.claim.models}
    return {
        "from": short(result.source),
        "to": short(result.target),
        "net": result.net,
        "net_derived": result.net_derived,
        "effect": effect(graph, result.target, result.net),
        "truncated": list(result.truncated),
        "limits": {
            "max_length": result.options.max_length,
            "max_paths": result.options.max_paths,
            "same_context": result.options.same_context,
            "species": short(result.options.species) if result.options.species else None,
        },  # fmt: skip
        "paths": [path_json(p) for p in paths],
        "summary": summary_json(result.summary, graph) if result.summary else None,
        "labels": {short(n): {"en": graph.label(n, "en"), "zh": graph.label(n, "zh")} for n in sorted(nodes)},
    }


def _name(graph: CausalGraph, iri: str) -> str:
    return f"{graph.label(iri)} ({short(iri)})"


def _names(graph: CausalGraph, iris: Iterable[str], none: str) -> str:
    """Name species or models for people (``Mus musculus (NCBITaxon:10090)``), or say there are none."""
    return ", ".join(_name(graph, x) for x in sorted(iris)) or none


def as_text(result: PathsResult, graph: CausalGraph) -> str:
    """Write the answer for people: the net effect, then each path with its steps and their evidence.

    :param result: the paths found.
    :param graph: the causal graph (for names).
    :returns: the text, one line per fact.
    """
    lines = [f"{_name(graph, result.source)} -> {_name(graph, result.target)}"]
    outcome = effect(graph, result.target, result.net)
    lines.append(f"net (stated paths): {result.net}" + (f" ({outcome})" if outcome else "")
                 + f"; derived paths: {result.net_derived}")  # fmt: skip
    options = result.options
    cut = f"; cut at {options.max_paths}: {', '.join(result.truncated)}" if result.truncated else ""
    context = " (same context only)" if options.same_context else ""
    lines.append(f"{len(result.stated)} stated, {len(result.derived)} derived path(s) of at most {options.max_length} "
                 f"steps{context}{cut}")  # fmt: skip
    for i, path in enumerate(result.stated + result.derived, start=1):
        chain = f" chain {short(path.chain)}" if path.chain else ""
        lines.append(f"\n[{i}] {path.kind} {path.sign}{chain}: " + " -> ".join(graph.label(n) for n in path.nodes))
        for n, edge in enumerate(path.steps, start=1):
            claim = edge.claim
            where = _names(graph, claim.species, "species not stated")
            inferred = ", curator-inferred" if curator_inferred(claim) else ""
            lines.append(f"    {n}. {graph.label(edge.subject)} {graph.label(edge.predicate)} [{edge.sign}] "
                         f"{graph.label(edge.object)}")  # fmt: skip
            lines.append(f"       {short(claim.nanopub)}; {' '.join(claim.references) or 'no reference'}; {where}; "
                         f"{modality_of(claim) or '?'}; {level_of(claim) or '?'}{inferred}")  # fmt: skip
        for j in path.junctions:
            before = _names(graph, j.before, "not stated")
            then = _names(graph, j.then, "not stated")
            lines.append(f"    ! {j.kind} changes after step {j.after}: {before} -> {then}")
    if result.summary is not None:
        s = result.summary
        lines.append(f"\nevidence: {len(s.references)} reference(s); species "
                     f"{_names(graph, s.species, 'not stated')}; levels "
                     f"{', '.join(f'{k} {v}' for k, v in s.levels.items()) or 'none'}; modalities "
                     f"{', '.join(f'{k} {v}' for k, v in s.modalities.items()) or 'none'}")  # fmt: skip
        for c in s.contradictions:
            lines.append(f"contradiction ({c.kind}): {short(c.first.claim.nanopub)} {graph.label(c.first.predicate)} "
                         f"[{c.first.sign}] vs {short(c.second.claim.nanopub)} {graph.label(c.second.predicate)} "
                         f"[{c.second.sign}] on {graph.label(c.first.subject)} -> {graph.label(c.first.object)} "
                         f"({' '.join(c.first.claim.references)} / {' '.join(c.second.claim.references)})")  # fmt: skip
    return "\n".join(lines) + "\n"


def species_iri(curie: str) -> str:
    """Read the ``--species`` filter: an NCBITaxon CURIE (``NCBITaxon:10090``) or IRI.

    :param curie: what the user gave.
    :returns: the taxon's IRI.
    :raises QueryError: when it is not an NCBITaxon CURIE or IRI.

    >>> species_iri("NCBITaxon:9606")
    'http://purl.obolibrary.org/obo/NCBITaxon_9606'
    """
    value = curie.strip()
    if value.startswith(str(OBO) + "NCBITaxon_"):
        return value
    prefix, _, local = value.partition(":")
    if prefix.casefold() != "ncbitaxon" or not local.isdigit():
        raise QueryError(f"the species must be an NCBITaxon CURIE such as NCBITaxon:10090, not {curie!r}")
    return str(iri_of(f"NCBITaxon:{local}"))


def answer(graph: CausalGraph, source: str, target: str, options: Options) -> PathsResult:
    """Resolve the two names and find the paths between them.

    :param graph: the causal graph.
    :param source: the start, as a user names it (CURIE, slug, label).
    :param target: the end, likewise.
    :param options: bounds and filters.
    :returns: the paths.
    :raises UnknownName: when a name is unknown or ambiguous.
    :raises QueryError: on bounds out of range.
    :raises QueryTimeout: when the search runs past its time limit.
    """
    return find_paths(graph, resolve(graph, source), resolve(graph, target), options)


#: Columns of the contradictions CSV: the pair, how the claims disagree, then each claim with its source.
_CLAIM_COLUMNS = ("nanopub", "predicate", "sign", "reference", "species", "evidence", "modality")
CONTRADICTION_COLUMNS = ("subject", "subject_label", "object", "object_label", "kind",
                         *(f"{name}_{n}" for n in (1, 2) for name in _CLAIM_COLUMNS))  # fmt: skip


def contradictions_csv(graph: CausalGraph) -> str:
    """Write every pair of claims that disagree as CSV (RFC 4180), one row per pair, both sources given.

    :param graph: the causal graph.
    :returns: the CSV text, with a header row.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CONTRADICTION_COLUMNS)
    for found in contradictions(graph.edges):
        row = [short(found.first.subject), graph.label(found.first.subject), short(found.first.object),
               graph.label(found.first.object), found.kind]  # fmt: skip
        for edge in (found.first, found.second):
            claim = edge.claim
            species = " ".join(sorted(short(s) for s in claim.species))
            row += [claim.nanopub, short(edge.predicate), edge.sign, " ".join(claim.references), species,
                    level_of(claim) or "", modality_of(claim) or ""]  # fmt: skip
        writer.writerow(row)
    return out.getvalue()
