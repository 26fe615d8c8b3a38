"""What the publish tests ask a store: over SPARQL as the public reads it; of Virtuoso, over SQL as the DBA sees it."""

import re
import urllib.parse
import urllib.request
from pathlib import Path

from server.release.layout import DUMP_FILE
from server.release.publish import STAGING
from tests.stores import Virtuoso

COUNT_GRAPHS = "SELECT (COUNT(DISTINCT ?g) AS ?g) (COUNT(*) AS ?q) WHERE { GRAPH ?g { ?s ?p ?o } }"
COUNT_UNION = "SELECT (COUNT(*) AS ?q) WHERE { ?s ?p ?o }"
STAGED = 'ASK { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:x-msckg:staging:")) }'


def select(endpoint: str, query: str) -> list[str]:
    """The first row of a SELECT's answer, as TSV cells."""
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "text/tab-separated-values"})
    with urllib.request.urlopen(request, timeout=30) as response:  # our own 127.0.0.1 server
        lines = response.read().decode().strip().splitlines()
    return lines[1].split("\t")


def ask(endpoint: str, query: str) -> bool:
    """An ASK's answer."""
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return b"true" in response.read()


def number(cell: str) -> int:
    """The integer in a TSV cell (``"12"^^xsd:integer`` or ``12``)."""
    return int(cell.split("^^")[0].strip('"'))


def release_counts(release: Path) -> tuple[int, int]:
    """Graphs and quads of a release's dump."""
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(release / DUMP_FILE), format=ox.RdfFormat.N_QUADS))
    return len({q.graph_name for q in quads}), len(quads)


def served_counts(endpoint: str) -> list[int]:
    """Graphs and quads a public reader sees (``GRAPH ?g``)."""
    return [number(cell) for cell in select(endpoint, COUNT_GRAPHS)]


def sql(server: Virtuoso, script: str) -> str:
    """Run statements as the DBA; isql's output."""
    from server.release.isql import run_isql
    from server.release.publish import Credentials

    return run_isql(server.address, Credentials("dba", server.password), script)


def sql_number(server: Virtuoso, query: str) -> int:
    """The one integer a SQL query returns."""
    output = sql(server, query + ";\n")
    found = re.search(r"^(-?\d+)\s*$", output, re.MULTILINE)
    assert found, output
    return int(found.group(1))


def staged_quads(server: Virtuoso, prefix: str = STAGING) -> int:
    """Quads in staging graphs (of every run, or of the run with ``prefix``), asked over SQL (a staging graph is
    private: SPARQL readers never see one)."""
    return sql_number(server, f"select count(*) from DB.DBA.RDF_QUAD where starts_with (id_to_iri (G), '{prefix}')")


def private_state(server: Virtuoso, prefix: str = STAGING) -> tuple[int, int]:
    """Staging graphs (of every run, or of the run with ``prefix``) in Virtuoso's private group (its table), and
    how far its in-memory copy differs from the table."""
    from server.release.virtuoso_sql import PRIVATE

    members = f"select count (*) from DB.DBA.RDF_GRAPH_GROUP_MEMBER where RGGM_GROUP_IID = iri_to_id ('{PRIVATE}')"
    staged = sql_number(server, f"{members} and starts_with (id_to_iri (RGGM_MEMBER_IID), '{prefix}')")
    drift = sql_number(server, f"select dict_size (__rdf_graph_group_of_privates_dict ()) - ({members})")
    return staged, drift


def slot_of(server: Virtuoso, graph: str) -> str:
    """The staging slot the last publish run loaded a release graph into (its map, as the DBA reads it)."""
    from server.release.virtuoso_sql import SLOTS

    output = sql(server, f"select id_to_iri (FROM_G) from DB.DBA.MSCKG_MAP where TO_G = iri_to_id ('{graph}');\n")
    found = re.search(rf"^({re.escape(SLOTS)}\d+)\s*$", output, re.MULTILINE)
    assert found, output
    return found.group(1)


def private(server: Virtuoso, graph: str) -> tuple[int, int]:
    """Whether one graph is in Virtuoso's private group: its table, its in-memory copy (1 or 0 each)."""
    from server.release.virtuoso_sql import PRIVATE

    iid = f"iri_to_id ('{graph}')"
    listed = sql_number(server, "select count (*) from DB.DBA.RDF_GRAPH_GROUP_MEMBER where "
                                f"RGGM_GROUP_IID = iri_to_id ('{PRIVATE}') and RGGM_MEMBER_IID = {iid}")  # fmt: skip
    return listed, sql_number(server, f"select dict_get (__rdf_graph_group_of_privates_dict (), {iid}, 0)")


def security_audit_clean(server: Virtuoso) -> bool:
    """Virtuoso's own audit of graph-level security: its tables against the caches queries are checked with."""
    return "No errors found in RDF security" in sql(server, "DB.DBA.RDF_GRAPH_SECURITY_AUDIT (0);\n")
