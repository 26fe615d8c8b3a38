"""Curation: the hand-edited sources as data (loader, canonical format, assertion records, ledger and citations, view).

May import the ground floor only (``config``, ``namespaces``, ``iris``, ``errors``, ``files``).
"""
