"""Nanopublications for the nanopub network: the conformance check, trusty-URI signing, versions and publishing.

Part of the release layer: may import the ground floor, ``curation``, ``links``, ``checks`` and the rest of
``release``. The trusty hash and the RSA signature are never computed here: signing is nanopub-rs's
(``nanopub-sign``), the Java-compatible hash and signature normal form the ``nanopub`` library's.
"""
