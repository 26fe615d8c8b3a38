"""MSC-Liver KG: the ontology, curated nanopublications, validation, reasoning and SPARQL service.

The package is called ``server`` after the project's design card; install it into its own virtual
environment (``make test`` does) so the generic name cannot clash.
"""

__version__ = "0.1.0"
