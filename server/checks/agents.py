"""The curators gate: every nanopublication's creator is a named agent of ``instances/agents.ttl``.

A curator is a person on an ORCID iD IRI with a ``foaf:name``; the build refuses a placeholder or malformed
ORCID iD anywhere in the data (all-zero iDs, ORCID's fictitious test record, a wrong check digit), so no
release carries one. A creator that is not a person must be a ``prov:Organization`` named there.
"""

from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from server.curation.load import Loaded
from server.iris import file_graph, graph_kind, orcid_problem
from server.namespaces import FOAF, ORCID

#: The graph of ``instances/agents.ttl``.
AGENTS_GRAPH = file_graph("agents")


def agent_problems(loaded: Loaded) -> list[str]:
    """List what is wrong with the curators named in the data.

    :param loaded: the project's Dataset.
    :returns: one line per problem (empty when the gate passes).
    """
    agents = loaded.dataset.graph(AGENTS_GRAPH)
    named = {s for s, _, o in agents.triples((None, FOAF.name, None)) if str(o).strip()}
    problems: list[str] = []
    people: set[URIRef] = set()
    for graph in loaded.data_graphs():
        for _, _, o in graph:
            if isinstance(o, URIRef) and o.startswith(str(ORCID)):
                people.add(o)
    people |= {s for s in agents.subjects() if isinstance(s, URIRef) and s.startswith(str(ORCID))}
    problems += [f"{person}: {p}" for person in sorted(people) if (p := orcid_problem(str(person)))]
    creators: dict[URIRef, set[str]] = {}
    for graph in loaded.data_graphs():
        if graph_kind(URIRef(graph.identifier)) == "pubinfo":
            for s, _, o in graph.triples((None, DCTERMS.creator, None)):
                if isinstance(o, URIRef):
                    creators.setdefault(o, set()).add(str(s))
    for creator, nanopubs in sorted(creators.items()):
        first = sorted(nanopubs)[0]
        if creator not in named:
            problems.append(f"{first}: creator {creator} has no foaf:name in instances/agents.ttl")
        elif not creator.startswith(str(ORCID)) and (creator, RDF.type, PROV.Organization) not in agents:
            problems.append(f"{first}: creator {creator} is neither a person's ORCID iD nor a prov:Organization")
    return problems
