"""The import modules' names are English literals, like ours, so one language filter works for every node."""

from rdflib import Literal
from rdflib.namespace import RDFS

from server.curation.load import Loaded
from server.iris import curie_of
from server.links.imports import is_import_module
from server.namespaces import OBO, OBOINOWL

TEXT = (RDFS.label, OBO.IAO_0000115, OBOINOWL.hasExactSynonym)


def test_every_label_definition_and_synonym_of_an_external_term_is_english(loaded: Loaded) -> None:
    modules = [g for g in loaded.data_graphs() if is_import_module(g)]
    assert len(modules) >= 10
    untagged = [(s, p, o) for g in modules for p in TEXT for s, o in g.subject_objects(p)
                if isinstance(o, Literal) and o.language != "en" and curie_of(str(s))]  # fmt: skip
    assert untagged == []


def test_a_language_filter_finds_one_english_label_per_term(loaded: Loaded) -> None:
    from server.checks.oxstore import store_from_graphs

    store = store_from_graphs(loaded.data_graphs())
    query = (
        "SELECT ?x (COUNT(?l) AS ?n) WHERE { ?x <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        'FILTER(STRSTARTS(STR(?x), "http://purl.obolibrary.org/obo/CL_") && LANG(?l) = "en") } GROUP BY ?x'
    )
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert rows and all(int(r[1].value) == 1 for r in rows)
