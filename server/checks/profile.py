"""OWL 2 DL profile check of the merged graph (what HermiT assumes), without a JVM.

Uses pyowl2-profiles' structural DL checks (property punning, undeclared properties, reserved vocabulary,
datatypes outside the OWL 2 datatype map, transitive-property cycles) over a pyoxigraph store.
"""

import pyoxigraph as ox
from pyowl2_profiles import detect_profiles
from rdflib import Graph

from server.errors import InconsistentOntology


def dl_violations(graph: Graph) -> list[str]:
    """List the OWL 2 DL profile violations of ``graph``.

    :param graph: merged ontology and data.
    :returns: one line per sampled violation (axiom type and subject), empty when in profile.
    """
    store = ox.Store()
    store.load(graph.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
    report = detect_profiles(store)["dl"]
    if report["in_profile"]:
        return []
    samples = [f"{v['axiom_type']}: {v['subject_iri']}" for v in report["sample_violations"]]
    return samples or [f"{report['total_violations']} violation(s): {report['violations_by_axiom_type']}"]


def require_dl(graph: Graph) -> None:
    """Raise unless ``graph`` is in the OWL 2 DL profile.

    :param graph: merged ontology and data.
    :raises InconsistentOntology: listing the violations (the ontology is not OWL 2 DL).
    """
    problems = dl_violations(graph)
    if problems:
        raise InconsistentOntology("not in the OWL 2 DL profile: " + "; ".join(problems[:10]), problems)
