"""Gates a release must pass: SHACL, SPARQL QC gates, the identifier gate, HermiT and the OWL 2 DL profile.

May import the ground floor, ``curation`` and ``links``.
"""
