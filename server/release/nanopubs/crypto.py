"""Trusty hashes and signatures, verified with the nanopub toolkits rather than by hand.

* The trusty artifact code (module ``RA``) and the text a signature covers are the normal form of
  trustyuri-java's ``RdfHasher``, which the ``nanopub`` library ports (``nanopub.trustyuri.rdf.RdfHasher``):
  the artifact code in every IRI is replaced by a space, statements sorted as Java's ``StatementComparator``
  does, serialised one term a line. We call it with the artifact code, as nanopub-java's
  ``TrustyNanopubUtils``/``SignatureUtils`` do, which classifies every trusty and signed file of the
  Nanopublication Test Suite correctly (the library's own ``verify_trusty`` guesses a namespace instead and
  fails most of them).
* The signature itself is checked with pycryptodome (PKCS#1 v1.5 over SHA-256 for RSA, DER-encoded DSS for
  DSA), the algorithms nanopub-java names ``SHA256withRSA`` / ``SHA256withDSA``.
* ``toolkit_check`` runs nanopub-rs's own check (``nanopub_sign.Nanopub.check``), the network toolkit's
  verdict, so that a release passes both.
"""

import base64
import binascii
import contextlib
import logging
import os
import re
from collections.abc import Iterable, Iterator

from Crypto.Hash import SHA256
from Crypto.PublicKey import DSA, RSA
from Crypto.Signature import DSS, pkcs1_15
from rdflib import URIRef

from server.namespaces import NPX
from server.release.nanopubs.rdfio import Quad

#: A trusty URI of a nanopublication ends in the ``RA`` module's artifact code: 43 base64url characters.
ARTIFACT_CODE = re.compile(r"(RA[A-Za-z0-9_-]{43})$")


def artifact_code(iri: str) -> str | None:
    """Return the trusty artifact code an IRI ends with, if any.

    :param iri: a nanopublication IRI.
    :returns: ``RA…`` (45 characters) or ``None``.

    >>> artifact_code("https://w3id.org/np/RAq0lVTtOfVuYUuKLg6DUoFjA4eOkkInX3tLzxGP9c2Rk")
    'RAq0lVTtOfVuYUuKLg6DUoFjA4eOkkInX3tLzxGP9c2Rk'
    >>> artifact_code("https://w3id.org/msc-liver/np/s2-1-03") is None
    True
    """
    match = ARTIFACT_CODE.search(iri)
    return match.group(1) if match else None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the toolkits: rdflib warns about the normal form's IRIs with spaces, nanopub-rs prints to fd 1."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.ERROR)
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        logger.setLevel(level)


def _normal_form(quads: Iterable[Quad], code: str | None) -> str:
    from nanopub.trustyuri.rdf import RdfHasher

    with _quiet():
        return str(RdfHasher.normalize_quads(sorted(quads), hashstr=code))


def trusty_code_of(quads: Iterable[Quad], code: str) -> str:
    """Compute the artifact code of a nanopublication's quads, its own code taken out (trustyuri-java's way).

    :param quads: every quad of the nanopublication, ``(graph, subject, predicate, object)``.
    :param code: the artifact code its IRIs carry.
    :returns: the artifact code the content hashes to; equal to ``code`` when the nanopublication is intact.
    """
    from nanopub.trustyuri.rdf import RdfHasher

    with _quiet():
        return str(RdfHasher.make_hash(sorted(quads), hashstr=code))


def signature_problem(quads: list[Quad], signature: URIRef, code: str | None) -> str | None:
    """Verify the signature element ``signature`` of a nanopublication (nanopub-java's ``SignatureUtils``).

    :param quads: every quad of the nanopublication.
    :param signature: the node carrying ``npx:hasSignature``, ``npx:hasPublicKey`` and ``npx:hasAlgorithm``.
    :param code: the nanopublication's artifact code (``None`` for a signed nanopublication without one).
    :returns: why the signature does not verify, or ``None`` if it does.
    """
    fields: dict[str, str] = {}
    for _, s, p, o in quads:
        if s == signature and str(p).startswith(str(NPX)):
            fields[str(p)[len(NPX) :]] = str(o)
    missing = [k for k in ("hasSignature", "hasPublicKey", "hasAlgorithm") if k not in fields]
    if missing:
        return f"signature element {signature} has no npx:{missing[0]}"
    covered = [q for q in quads if not (q[1] == signature and q[2] == NPX.hasSignature)]
    message = _normal_form(covered, code).encode("utf-8")
    try:
        key_der = base64.b64decode(fields["hasPublicKey"], validate=False)
        signed = base64.b64decode(fields["hasSignature"], validate=False)
        algorithm = fields["hasAlgorithm"].upper()
        if algorithm == "RSA":
            pkcs1_15.new(RSA.import_key(key_der)).verify(SHA256.new(message), signed)
        elif algorithm == "DSA":
            DSS.new(DSA.import_key(key_der), "fips-186-3", encoding="der").verify(SHA256.new(message), signed)
        else:
            return f"unsupported signature algorithm {fields['hasAlgorithm']!r}"
    except (ValueError, TypeError, IndexError, binascii.Error) as exc:
        return f"signature does not verify ({exc or 'invalid signature'})"
    return None


def toolkit_check(trig: str) -> str | None:
    """Run nanopub-rs's check (``nanopub-sign``) on one nanopublication.

    :param trig: the nanopublication as TriG (nanopub-rs reads TriG and JSON-LD only).
    :returns: the toolkit's complaint, or ``None`` if it accepts the nanopublication.
    """
    import nanopub_sign

    try:
        with _quiet():
            nanopub_sign.Nanopub(trig).check()
    except Exception as exc:  # nanopub-sign raises a bare Exception with its message
        return " ".join(str(exc).split())
    return None
