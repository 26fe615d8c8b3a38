"""A worker executor without the guard: how the isolation test sends SERVICE straight to the engine.

Only tests name it (``WorkerPool(..., executor="tests.engine.unguarded_executor:execute")``); the server always
runs ``server.engine.oxigraph_engine:execute``, guard first.
"""

import pyoxigraph as ox

from server.engine import QueryResult, QuerySpec
from server.engine.oxigraph_engine import write_result


def execute(store: ox.Store, graphs: set[str], spec: QuerySpec) -> QueryResult:
    """Run the query as the engine reads it, with no guard in front."""
    return write_result(store.query(spec.text, use_default_graph_as_union=True), spec)
