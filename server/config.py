"""Where the project's files are, and the named limits; read once, passed around, never global.

Environment variables (prefix ``MSCKG_``) override the defaults, e.g. ``MSCKG_ROOT``.
"""

import os
from dataclasses import dataclass
from pathlib import Path

#: Default wall-clock limit of one query (seconds).
DEFAULT_TIMEOUT = 10.0
#: Default longest wait for a free worker before answering 503 (seconds).
DEFAULT_QUEUE_WAIT = 5.0
#: Default cap on result rows (SELECT) or triples (CONSTRUCT/DESCRIBE).
DEFAULT_ROW_LIMIT = 10_000
#: Default longest query text, characters.
DEFAULT_MAX_QUERY_LENGTH = 20_000
#: Default deepest nesting of a query (groups, parentheses, brackets, '!' chains), checked before parsing: the
#: engine's recursive parser overflows its stack at a few thousand levels and needs seconds for ~150 nested '['.
DEFAULT_MAX_QUERY_DEPTH = 64
#: Default cap on a serialized result, bytes (then cut, like the row cap).
DEFAULT_MAX_RESULT_BYTES = 16 * 2**20
#: Default longest mechanism path, in claims (steps): the review's longest chain from BM-MSC has six.
DEFAULT_PATH_LENGTH = 6
#: Longest mechanism path anyone may ask for (the number of simple paths grows with the power of the length).
MAX_PATH_LENGTH = 8
#: Default cap on the paths of one answer (stated and derived each); the answer says when it cut.
DEFAULT_MAX_PATHS = 500

#: CPUs this process may run on (what ``nproc`` prints): the server's processes and threads are sized from it.
CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

#: Repository root when running from a checkout (``server/`` sits directly below it).
DEFAULT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ProjectPaths:
    """The hand-edited source folders and the generated build folder of one checkout."""

    root: Path
    #: Folder of the external sources' tables (``MSCKG_REFERENCE``; default ``../shared/reference``).
    reference: Path | None = None
    #: The review's text (``MSCKG_SOURCE_TEXT``; default ``sources/qi-2024-review.txt`` in the project).
    source: Path | None = None

    @property
    def source_text(self) -> Path:
        """The curated review's text, which quotes and the curation ledger are checked against."""
        return self.source or self.root / "sources" / "qi-2024-review.txt"

    @property
    def reference_tables(self) -> Path:
        """Source tables the build checks external identifiers against (when the folder exists)."""
        return self.reference or self.root.parent / "shared" / "reference"

    @property
    def term_kinds(self) -> Path:
        """Rules saying which external terms fit which use (``ontology/term-kinds.tsv``)."""
        return self.ontology / "term-kinds.tsv"

    @property
    def upper_alignment(self) -> Path:
        """The rules that place each external class under its BFO/COB parent (``ontology/upper-alignment.tsv``)."""
        return self.root / "ontology" / "upper-alignment.tsv"

    @property
    def ontology(self) -> Path:
        """T-box edit file and ``imports/``."""
        return self.root / "ontology"

    @property
    def instances(self) -> Path:
        """Entities, references and nanopublications."""
        return self.root / "instances"

    @property
    def shapes(self) -> Path:
        """SHACL shapes."""
        return self.root / "shapes"

    @property
    def queries(self) -> Path:
        """Competency questions (``cq/``) and QC gates (``qc/``)."""
        return self.root / "queries"

    @property
    def build(self) -> Path:
        """Generated release folder (gitignored)."""
        return self.root / "build"

    def source_dirs(self) -> list[Path]:
        """Return the folders whose RDF files are canonical sources.

        :returns: ontology, instances and shapes folders.
        """
        return [self.ontology, self.instances, self.shapes]


def project_paths(root: Path | str | None = None) -> ProjectPaths:
    """Resolve the project root from an argument, ``MSCKG_ROOT`` or the checkout.

    ``MSCKG_REFERENCE`` names the source tables' folder and ``MSCKG_SOURCE_TEXT`` the review's text.

    :param root: explicit root folder, or ``None``.
    :returns: the paths of that project.
    """
    chosen = root or os.environ.get("MSCKG_ROOT") or DEFAULT_ROOT
    reference = os.environ.get("MSCKG_REFERENCE")
    source = os.environ.get("MSCKG_SOURCE_TEXT")
    return ProjectPaths(
        Path(chosen).resolve(),
        Path(reference).resolve() if reference else None,
        Path(source).resolve() if source else None,
    )


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if not value else value.strip().lower() not in ("0", "off", "false", "no")


@dataclass(frozen=True)
class Settings:
    """Endpoint settings: every limit a named, overridable value (``MSCKG_<NAME>`` environment variables)."""

    #: Release folder to serve (``build/current`` by default).
    release: Path = DEFAULT_ROOT / "build" / "current"
    #: Wall-clock limit of one query, seconds (then 503, and the query is stopped).
    query_timeout: float = DEFAULT_TIMEOUT
    #: Longest a request waits for a free query worker, seconds (then 503).
    queue_wait: float = DEFAULT_QUEUE_WAIT
    #: Query worker processes (forks sharing the loaded store): 4 per CPU, half of them kept for short queries.
    workers: int = 4 * CPUS
    #: Python threads of the HTTP process: ``workers + max_waiting`` and 8 more, so that requests needing no
    #: worker (pages, ``/health``, cached answers) always find one.
    threads: int = 12 * CPUS + 8
    #: Requests that may wait for a worker at once (2 per worker); one more gets 503 at once.
    max_waiting: int = 8 * CPUS
    #: Seconds after which a running query counts as long (its CPU priority is lowered).
    long_after: float = 0.5
    #: Queries that may run longer than ``long_after`` at once (2 per CPU); a further one is stopped (503).
    long_slots: int = 2 * CPUS
    #: Address space one worker may add to the store it shares, MiB (then its query is stopped: 503).
    worker_memory_mb: int = 2048
    #: Cut the query workers off the network (seccomp, network namespace); the server refuses to start without.
    isolation: bool = True
    #: Largest request body, bytes (then 413).
    max_body_bytes: int = 64 * 1024
    #: Longest query text, characters (then 400).
    max_query_length: int = DEFAULT_MAX_QUERY_LENGTH
    #: Deepest query nesting (then 400).
    max_query_depth: int = DEFAULT_MAX_QUERY_DEPTH
    #: Most result rows (SELECT) or triples (CONSTRUCT/DESCRIBE); the response says when it cut.
    row_limit: int = DEFAULT_ROW_LIMIT
    #: Largest serialized result, bytes; the response says when it cut.
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    #: The server's public root URL (service description, VoID), never taken from the request's Host header.
    public_url: str = "http://127.0.0.1:8000/"
    #: Open HTTP connections the server accepts at once.
    connection_limit: int = 1000
    #: Seconds an HTTP connection may stay idle (or half-sent) before it is closed.
    channel_timeout: float = 15.0
    #: Result bytes kept in memory to answer a repeated request without a query worker, MiB (0: no cache).
    result_cache_mb: int = 64
    #: Seconds clients and caches may reuse an answer without asking again (``Cache-Control: max-age``).
    max_age: int = 300

    @classmethod
    def from_env(cls, release: Path | None = None) -> "Settings":
        """Read settings from ``MSCKG_*`` environment variables over the defaults.

        :param release: release folder, overriding ``MSCKG_RELEASE``.
        :returns: the settings.
        """
        base = cls()
        chosen = release or Path(os.environ.get("MSCKG_RELEASE", str(base.release)))
        return cls(
            release=chosen,
            query_timeout=_env_float("MSCKG_QUERY_TIMEOUT", base.query_timeout),
            queue_wait=_env_float("MSCKG_QUEUE_WAIT", base.queue_wait),
            workers=_env_int("MSCKG_WORKERS", base.workers),
            threads=_env_int("MSCKG_THREADS", base.threads),
            max_waiting=_env_int("MSCKG_MAX_WAITING", base.max_waiting),
            long_after=_env_float("MSCKG_LONG_AFTER", base.long_after),
            long_slots=_env_int("MSCKG_LONG_SLOTS", base.long_slots),
            worker_memory_mb=_env_int("MSCKG_WORKER_MEMORY_MB", base.worker_memory_mb),
            isolation=_env_flag("MSCKG_ISOLATION", base.isolation),
            max_body_bytes=_env_int("MSCKG_MAX_BODY_BYTES", base.max_body_bytes),
            max_query_length=_env_int("MSCKG_MAX_QUERY_LENGTH", base.max_query_length),
            max_query_depth=_env_int("MSCKG_MAX_QUERY_DEPTH", base.max_query_depth),
            row_limit=_env_int("MSCKG_ROW_LIMIT", base.row_limit),
            max_result_bytes=_env_int("MSCKG_MAX_RESULT_BYTES", base.max_result_bytes),
            public_url=os.environ.get("MSCKG_PUBLIC_URL", base.public_url).rstrip("/") + "/",
            connection_limit=_env_int("MSCKG_CONNECTION_LIMIT", base.connection_limit),
            channel_timeout=_env_float("MSCKG_CHANNEL_TIMEOUT", base.channel_timeout),
            result_cache_mb=_env_int("MSCKG_RESULT_CACHE_MB", base.result_cache_mb),
            max_age=_env_int("MSCKG_MAX_AGE", base.max_age),
        )
