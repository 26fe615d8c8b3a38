"""Curation: the hand-edited sources as data (one loader, canonical format, assertion records, ledger and its citation rules, SHACL view).

May import the ground floor only (``config``, ``namespaces``, ``iris``, ``errors``, ``files``).
"""
