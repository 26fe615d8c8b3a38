"""Links to external ontologies: import modules from source tables or OBO releases, the OBO reader, SSSOM.

May import the ground floor and ``curation``.
"""
