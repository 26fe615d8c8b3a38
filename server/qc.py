"""QC gates: SPARQL files named for the defect they find (``queries/qc/<defect>-violation.rq``).

Any row a gate returns is a failure, reported with the row (the OBO/CL ``*-violation.sparql`` convention).
"""

from dataclasses import dataclass
from pathlib import Path

from rdflib.query import ResultRow

from server.load import Loaded
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
    """
    failures: list[QcFailure] = []
    for gate in gates:
        result = loaded.dataset.query(gate.read_text(encoding="utf-8"))
        name = gate.name.removesuffix("-violation.rq")
        for row in result:
            assert isinstance(row, ResultRow)  # noqa: S101 - gates are SELECT queries
            cells = {str(k): _show(v) for k, v in row.asdict().items()}
            failures.append(QcFailure(name, cells))
    return failures


def _show(value: object) -> str:
    text = str(value)
    return shorten(text) if text.startswith(("http://", "https://")) else repr(text)
