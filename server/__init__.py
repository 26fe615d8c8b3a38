"""MSC-Liver KG: the ontology, curated nanopublications, validation, reasoning and SPARQL service.

The package is layered in the order the data flows (docs/architecture.md); a module imports only from its own
layer and the layers below it, which ``tests/test_architecture.py`` enforces:

1. the ground floor: ``config``, ``namespaces``, ``iris``, ``errors``, ``files`` (they import nothing else of ours);
2. ``curation`` (load, format, assertions, ledger); 3. ``links`` (import modules, OBO, SSSOM);
4. ``checks`` (SHACL, QC, identifiers, HermiT); 5. ``release`` (build, exports, VoID);
6. ``engine`` (SPARQL over a release); 7. ``web`` (the Flask app); 8. ``cli``.

The package is called ``server`` after the project's design card; install it into its own virtual
environment (``make test`` does) so the generic name cannot clash.
"""

__version__ = "0.1.0"
