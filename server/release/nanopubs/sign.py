"""``msckg nanopub sign``: turn a release's nanopublications into trusty-URI, RSA-signed ones.

Each plain nanopublication ``https://w3id.org/msc-liver/np/<id>`` is copied under the toolkits' temporary
namespace (``http://purl.org/nanopub/temp/<id>/``, graphs ``…/head``, ``/assertion`` …), given
``dcterms:isVersionOf <…/np/<id>>`` and, when it replaces an earlier signed version, ``npx:supersedes`` that
version; nanopub-rs (``nanopub-sign``) then adds the signature element, signs and mints the trusty IRI
``https://w3id.org/np/RA…``. A claim that did not change since the last signed release keeps its signed
version (and trusty IRI); a claim that left the release gets a retraction signed by the signer.

The result is a new release folder (the old one untouched, ``build/current`` switched atomically) with
``msc-liver.signed.trig`` (every signed version so far, the superseded and retracted ones too, so they stay
retrievable) and the plain nanopublications, each with ``dcterms:hasVersion`` its current signed version in
its pubinfo graph. Nothing is written unless every signed nanopublication passes our check and nanopub-rs's.
"""

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from server.config import ProjectPaths
from server.errors import SetupError, ValidationFailed
from server.iris import NANOPUB_PARTS, graph_kind
from server.namespaces import LICENSE_IRI, MSCNP, NP, NP_TEMP, NPX, PREFIXES
from server.release.layout import (
    DATASET_FILE,
    DUMP_FILE,
    INFO_FILE,
    NANOPUBS_FILE,
    SIGNED_FILE,
    current_release,
    publish_release,
    release_lock,
)
from server.release.nanopubs.check import check_quads
from server.release.nanopubs.collection import History, Nanopub, split
from server.release.nanopubs.crypto import toolkit_check
from server.release.nanopubs.profile import Profile
from server.release.nanopubs.rdfio import Quad, parse_trig, read_quads, to_nquads, to_trig
from server.release.nanopubs.versions import claims, same_content

_ROLES = ("head", "assertion", "provenance", "pubinfo")
#: Prefixes of the signed file, as the toolkits write them.
SIGNED_PREFIXES = {"np": str(NP), "npx": str(NPX), "dcterms": str(DCTERMS), "prov": str(PROV), "xsd": str(XSD)}


@dataclass
class SignResult:
    """What signing produced."""

    release_dir: Path
    #: Signed nanopublications in the file (all versions so far, retractions included).
    total: int
    #: (claim, new signed version) signed now, for new or changed claims.
    signed: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    #: (old, new) signed versions, where a changed claim's new version supersedes the old one.
    superseded: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    #: (retracted version, retraction) for claims that left the release.
    retracted: list[tuple[URIRef, URIRef]] = field(default_factory=list)
    #: Claims whose signed version was kept.
    kept: int = 0


def previous_signed(paths: ProjectPaths, release: Path) -> Path | None:
    """Find the newest other release folder that holds a signed file.

    :param paths: the project's folders.
    :param release: the release being signed.
    :returns: its ``msc-liver.signed.trig``, or ``None``.
    """
    folder = paths.build / "releases"
    if not folder.is_dir():
        return None
    candidates = sorted((p for p in folder.iterdir() if not p.name.startswith(".")), reverse=True)
    for candidate in candidates:
        if candidate.resolve() != release.resolve() and (candidate / SIGNED_FILE).is_file():
            return candidate / SIGNED_FILE
    return None


def sign_release(
    paths: ProjectPaths,
    profile: Profile,
    release: Path | None = None,
    previous: Path | None = None,
    allow_placeholder: bool = False,
) -> SignResult:
    """Sign a release's nanopublications and publish the signed release as the current one.

    :param paths: the project's folders.
    :param profile: the signer's profile.
    :param release: the release folder (default ``build/current``).
    :param previous: the last signed file (default: the newest other release's ``msc-liver.signed.trig``).
    :param allow_placeholder: sign with a placeholder ORCID iD (tests; such a release must not be published).
    :returns: what was signed.
    :raises SetupError: if there is no release, or the signer's ORCID iD is a placeholder.
    :raises ValidationFailed: if a signed nanopublication fails our check or nanopub-rs's.
    """
    source = (release or current_release(paths)).resolve()
    if not (source / DATASET_FILE).is_file():
        raise SetupError(f"{source}: no release to sign (run 'msckg build' first)")
    if (problem := profile.placeholder()) and not allow_placeholder:
        raise SetupError(f"{profile.path}: {problem}; a release is signed by a curator with a real ORCID iD")
    plain_quads = read_quads(source / DATASET_FILE)
    plain = claims(split(plain_quads).values(), str(MSCNP))
    previous = previous or previous_signed(paths, source)
    history = History(split(read_quads(previous))) if previous else History({})
    result = SignResult(source, 0)
    signed_quads = [q for n in history.nanopubs.values() for q in n.quads]
    current = history.current()
    toolkit = profile.toolkit_profile()
    links: dict[URIRef, URIRef] = {}
    for iri, nanopub in sorted(plain.items()):
        before = current.get(iri)
        if before is not None and same_content(nanopub, before):
            result.kept += 1
            links[iri] = before.iri
            continue
        new = _sign(*_pre_nanopub(nanopub, before.iri if before else None), toolkit)
        signed_quads += new.quads
        links[iri] = new.iri
        result.signed.append((iri, new.iri))
        if before is not None:
            result.superseded.append((before.iri, new.iri))
    for iri, old in sorted(current.items()):
        if iri not in plain:
            retraction = _sign(*_retraction(iri, old.iri, profile.orcid), toolkit)
            signed_quads += retraction.quads
            result.retracted.append((old.iri, retraction.iri))
    result.total = _verify(signed_quads)
    linked = plain_quads + [(plain[i].graphs["pubinfo"], i, DCTERMS.hasVersion, t) for i, t in links.items()]
    result.release_dir = _write(paths, source, linked, signed_quads, result)
    return result


def _pre_nanopub(nanopub: Nanopub, supersedes: URIRef | None) -> tuple[URIRef, list[Quad]]:
    """Copy a plain nanopublication under the temporary namespace the signing toolkit expects."""
    local = str(nanopub.iri).removeprefix(str(MSCNP))
    temp = URIRef(NP_TEMP[f"{local}/"])
    names = {graph: URIRef(f"{temp}{role}") for role, graph in nanopub.graphs.items()}

    def term(node: URIRef) -> URIRef:
        if node == nanopub.iri:
            return temp
        if node in names:
            return names[node]
        if str(node).startswith(f"{nanopub.iri}/"):
            return URIRef(f"{temp}{str(node)[len(nanopub.iri) + 1 :]}")
        return node

    quads: list[Quad] = [
        (term(g), term(s), p, term(o) if isinstance(o, URIRef) else o)  # type: ignore[arg-type]
        for g, s, p, o in nanopub.quads
    ]
    pubinfo = names[nanopub.graphs["pubinfo"]]
    quads.append((pubinfo, temp, DCTERMS.isVersionOf, nanopub.iri))
    if supersedes is not None:
        quads.append((pubinfo, temp, NPX.supersedes, supersedes))
    return temp, quads


def _retraction(claim: URIRef, old: URIRef, signer: str) -> tuple[URIRef, list[Quad]]:
    """Build a nanopublication by which the signer retracts a signed version (nanopub-py's ``NanopubRetract``)."""
    temp = URIRef(NP_TEMP[f"retraction-{str(claim).removeprefix(str(MSCNP))}/"])
    head, assertion, provenance, pubinfo = (URIRef(f"{temp}{role}") for role in _ROLES)
    now = Literal(dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)
    person = URIRef(signer)
    return temp, [
        (head, temp, RDF.type, NP.Nanopublication),
        (head, temp, NP.hasAssertion, assertion),
        (head, temp, NP.hasProvenance, provenance),
        (head, temp, NP.hasPublicationInfo, pubinfo),
        (assertion, person, NPX.retracts, old),
        (provenance, assertion, PROV.wasAttributedTo, person),
        (pubinfo, temp, DCTERMS.created, now),
        (pubinfo, temp, DCTERMS.creator, person),
        (pubinfo, temp, DCTERMS.license, URIRef(LICENSE_IRI)),
    ]


def _sign(temp: URIRef, pre: list[Quad], toolkit: object) -> Nanopub:
    """Sign one pre-nanopublication with nanopub-rs and read the result back, literals as written."""
    import nanopub_sign

    text = to_trig(pre, {"np": str(NP), "this": str(temp)})
    try:
        signed = nanopub_sign.Nanopub(text).sign(toolkit)
        rdf = signed.rdf()
    except Exception as exc:  # nanopub-sign raises a bare Exception with its message
        raise ValidationFailed(f"nanopub-rs could not sign {temp}: {' '.join(str(exc).split())}", text) from exc
    (nanopub,) = split(parse_trig(rdf, "nanopub-rs output")).values()
    return nanopub


def _verify(signed_quads: list[Quad]) -> int:
    """Check every signed nanopublication with our check and nanopub-rs's; return how many there are."""
    report = check_quads(Path(SIGNED_FILE), signed_quads)
    problems = report.lines() if not report.valid else []
    for nanopub in split(signed_quads).values():
        if complaint := toolkit_check(to_trig(nanopub.quads, SIGNED_PREFIXES)):
            problems.append(f"{nanopub.iri}: nanopub-rs: {complaint}")
    if problems:
        raise ValidationFailed(f"signed nanopublications fail the check; nothing written; first: {problems[0]}",
                               "\n".join(problems))  # fmt: skip
    return len(report.nanopubs)


def _write(paths: ProjectPaths, source: Path, plain: list[Quad], signed: list[Quad], result: SignResult) -> Path:
    """Write the signed release next to the source one and make it current (the source stays as it was)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    version = source.name.split("-")[:3]
    work = paths.build / "releases" / f".{'-'.join(version)}-{stamp}.tmp"
    with release_lock(paths):
        final = _write_signed(source, work, plain, signed, result)
        publish_release(paths, final)
    return final


def _write_signed(source: Path, work: Path, plain: list[Quad], signed: list[Quad], result: SignResult) -> Path:
    """Fill ``work`` from the source release with the plain and signed nanopublications, then name it final."""
    try:
        shutil.copytree(source, work, symlinks=True)
        prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        (work / DATASET_FILE).write_text(to_trig(plain, prefixes), encoding="utf-8")
        (work / DUMP_FILE).write_text(to_nquads(plain), encoding="utf-8")
        (work / SIGNED_FILE).write_text(to_trig(signed, SIGNED_PREFIXES), encoding="utf-8")
        nanopubs = [q for q in plain if isinstance(q[0], URIRef) and graph_kind(q[0]) in NANOPUB_PARTS]
        (work / NANOPUBS_FILE).write_text(to_trig(nanopubs, prefixes), encoding="utf-8")
        info = json.loads((work / INFO_FILE).read_text(encoding="utf-8")) if (work / INFO_FILE).is_file() else {}
        info["signed"] = {
            "nanopubs": result.total, "signed_now": len(result.signed), "kept": result.kept,
            "superseded": len(result.superseded), "retracted": len(result.retracted),
            "quads": len(signed), "plain_quads": len(plain), "from": source.name,
        }  # fmt: skip
        (work / INFO_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        final = work.with_name(work.name[1:].removesuffix(".tmp"))
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return final
