"""One error hierarchy; only the CLI and the web error handlers turn these into output.

Messages name the file, node and shape a user must look at; they carry no ANSI codes.
"""

from pathlib import Path


class MsckgError(Exception):
    """Base of every error the project raises on purpose (bad input or non-conforming data)."""


class LoadError(MsckgError):
    """A source file cannot be read or parsed.

    :param file: the file that failed.
    :param line: its 1-based line, when the parser knows it.
    :param reason: what the parser said.
    """

    def __init__(self, file: Path | str, line: int | None, reason: str) -> None:
        self.file = str(file)
        self.line = line
        self.reason = reason
        where = f"{self.file}:{line}" if line is not None else self.file
        super().__init__(f"{where}: {reason}")


class ValidationFailed(MsckgError):
    """The data do not conform to the SHACL shapes or a QC gate; ``report`` holds the details."""

    def __init__(self, summary: str, report: str) -> None:
        self.report = report
        super().__init__(summary)


class InconsistentOntology(MsckgError):
    """HermiT found the merged ontology inconsistent or some classes unsatisfiable."""

    def __init__(self, summary: str, classes: list[str]) -> None:
        self.classes = classes
        super().__init__(summary)


class QueryError(MsckgError):
    """A SPARQL query is malformed, refused or exceeds a limit (HTTP 400 unless a subclass says otherwise)."""


class QueryRefused(QueryError):
    """The query asks for something this public, read-only endpoint never does (SERVICE, a remote FROM)."""


class QueryTimeout(QueryError):
    """The query ran past the wall-clock limit and was stopped (HTTP 503)."""


class ServerBusy(QueryError):
    """Every query worker stayed busy for longer than a request may wait, or too many wait already (HTTP 503)."""


class QueryAborted(QueryError):
    """The query's worker ended under it: out of memory, crashed or killed (HTTP 503, with how it ended)."""


class StoreUnavailable(ServerBusy):
    """The triple store behind the endpoint cannot be reached or failed (HTTP 503, as for a busy server)."""


class UnknownName(QueryError):
    """A name given for a node (CURIE, slug or label) names no node, or several: ``candidates`` lists them.

    :param message: what was asked and why it fails.
    :param candidates: the nodes it could mean (IRI and label), empty when none comes close.
    """

    def __init__(self, message: str, candidates: list[tuple[str, str]]) -> None:
        self.candidates = candidates
        super().__init__(message)


class NotAcceptable(QueryError):
    """No result format the client accepts fits this kind of result (HTTP 406)."""


class SetupError(MsckgError):
    """The machine cannot do what was asked (a tool missing, a port taken): exit 2, like a usage error."""


class ReasonerUnavailable(SetupError):
    """The reasoner could not run (no Java, HermiT crashed) — distinct from an inconsistent ontology."""


class PortInUse(SetupError):
    """The port to serve on is taken by another process."""
