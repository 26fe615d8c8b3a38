"""QC gates: SPARQL files named for the defect they find (``queries/qc/<defect>-violation.rq``).

Any row a gate returns is a failure, reported with the row (the OBO/CL ``*-violation.sparql`` convention).
"""

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from server.checks.oxstore import store_from_graphs
from server.curation.load import Loaded
from server.errors import QueryError
from server.namespaces import shorten


@dataclass(frozen=True)
class QcFailure:
    """One row returned by one QC gate."""

    gate: str
    row: dict[str, str]

    def __str__(self) -> str:
        cells = ", ".join(f"{k}={v}" for k, v in self.row.items())
        return f"{self.gate}: {cells}"


def gate_files(queries_dir: Path) -> list[Path]:
    """List the QC gates.

    :param queries_dir: the project's ``queries/`` folder.
    :returns: every ``qc/*-violation.rq``, sorted.
    """
    return sorted((queries_dir / "qc").glob("*-violation.rq"))


def run_gates(loaded: Loaded, gates: list[Path]) -> list[QcFailure]:
    """Run every gate over the union of the data graphs.

    :param loaded: the project's Dataset.
    :param gates: the ``.rq`` files.
    :returns: one failure per row returned, in gate order.
    :raises QueryError: if a gate is not a SELECT query.
    """
    failures: list[QcFailure] = []
    store = store_from_graphs(loaded.data_graphs())
    for gate in gates:
        result = store.query(gate.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError(f"{gate}: a QC gate must be a SELECT query")
        name = gate.name.removesuffix("-violation.rq")
        variables = [v.value for v in result.variables]
        for solution in result:
            cells = {var: _show(solution[i]) for i, var in enumerate(variables) if solution[i] is not None}
            failures.append(QcFailure(name, cells))
    return failures


def _show(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    return repr(term.value) if isinstance(term, ox.Literal) else str(term)
