"""``msckg nanopub publish``: post a release's signed nanopublications to a nanopub server.

The network's API is the one nanopub-rs, nanopub-py and nanopub-java use: one HTTP ``POST`` of the
nanopublication as TriG (``Content-Type: application/trig``) to the server's URL; ``201 Created`` or ``200 OK``
means it was taken. Every nanopublication is checked (ours and nanopub-rs's) before anything is sent; one whose
signer or creator has a placeholder ORCID iD is never sent.
"""

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from server.errors import SetupError, ValidationFailed
from server.iris import orcid_problem
from server.namespaces import ORCID
from server.release.nanopubs.check import check_quads
from server.release.nanopubs.collection import Nanopub, split
from server.release.nanopubs.crypto import toolkit_check
from server.release.nanopubs.rdfio import read_quads, to_trig
from server.release.nanopubs.sign import SIGNED_PREFIXES

#: Seconds to wait for the server's answer to one nanopublication.
TIMEOUT = 30.0


@dataclass
class PublishResult:
    """What was (or, on a dry run, would be) sent."""

    server: str
    dry_run: bool
    sent: list[str] = field(default_factory=list)


def publish(signed_file: Path, server: str, dry_run: bool = False, allow_placeholder: bool = False) -> PublishResult:
    """Check, then post each signed nanopublication of a file to a nanopub server.

    :param signed_file: a release's ``msc-liver.signed.trig``.
    :param server: the server's URL (e.g. a nanopub registry's base URL).
    :param dry_run: check and list, send nothing.
    :param allow_placeholder: send nanopublications with a placeholder ORCID iD (a local test server only).
    :returns: the nanopublications sent, in order.
    :raises ValidationFailed: if a nanopublication fails a check or names a placeholder ORCID iD (nothing sent).
    :raises SetupError: if the server refuses one or cannot be reached (those before it were sent).
    """
    if not server.startswith(("http://", "https://")):
        raise SetupError(f"not an http(s) URL: {server!r}")
    quads = read_quads(signed_file)
    report = check_quads(signed_file, quads)
    if not report.valid:
        raise ValidationFailed(
            f"{signed_file}: not every nanopublication is valid; nothing sent", "\n".join(report.lines())
        )
    nanopubs = list(split(quads).values())
    texts = [(n, to_trig(n.quads, SIGNED_PREFIXES)) for n in nanopubs]
    problems = [f"{n.iri}: {p}" for n, text in texts for p in _refusals(n, text, allow_placeholder)]
    if problems:
        raise ValidationFailed(f"{len(problems)} nanopublication(s) not fit for the network; nothing sent; first: "
                               f"{problems[0]}", "\n".join(problems))  # fmt: skip
    result = PublishResult(server, dry_run)
    for nanopub, text in texts:
        if not dry_run:
            _post(server, nanopub.iri, text)
        result.sent.append(str(nanopub.iri))
    return result


def _refusals(nanopub: Nanopub, text: str, allow_placeholder: bool) -> list[str]:
    """Say why the network must not get this nanopublication: the toolkit refuses it, or a placeholder ORCID iD."""
    found = [f"nanopub-rs: {c}"] if (c := toolkit_check(text)) else []
    people = {
        o for q in nanopub.graph("pubinfo") for o in (q[1], q[3]) if isinstance(o, URIRef) and o.startswith(ORCID)
    }
    people |= {q[1] for q in nanopub.graph("assertion") if isinstance(q[1], URIRef) and q[1].startswith(ORCID)}
    if not allow_placeholder:
        found += [p for person in sorted(people) if (p := orcid_problem(str(person)))]
    if not nanopub.about(DCTERMS.creator):
        found.append("no dcterms:creator in the pubinfo graph")
    return found


def _post(server: str, iri: URIRef, text: str) -> None:
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        server, data=text.encode("utf-8"), method="POST", headers={"Content-Type": "application/trig"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace").strip()[:300]
        raise SetupError(f"{server} refused {iri}: HTTP {exc.code}{': ' + body if body else ''}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SetupError(f"{server} cannot be reached for {iri}: {getattr(exc, 'reason', exc)}") from exc
    if status not in (200, 201):
        raise SetupError(f"{server} answered HTTP {status} for {iri}")
