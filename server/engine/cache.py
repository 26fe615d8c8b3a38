"""A bounded cache of answers in front of any engine: exact, because a served release never changes.

The key is the whole :class:`~server.engine.QuerySpec` (query text, dataset, ``Accept``, ``format``, caps), so an
answer is only ever reused for the very same request; the release is fixed for the server's life
(:func:`server.release.layout.pin_release`). Only answers are kept, never errors, and never the answer of a query
whose text calls a function that gives a new value on every evaluation (``RAND``, ``NOW``, ``UUID``,
``STRUUID``, ``BNODE``). The cache holds at most ``max_bytes`` of result bodies, least recently used first out.

A hit skips the query worker altogether; benchmarks report hits and misses apart (``MSCKG_RESULT_CACHE_MB=0``
turns the cache off).
"""

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

from server.engine import EngineHealth, QueryEngine, QueryResult, QuerySpec

#: Functions whose value changes from one evaluation to the next (SPARQL 1.1 §17.4): their answers are not kept.
VOLATILE = re.compile(r"RAND|NOW|UUID|BNODE", re.IGNORECASE)


@dataclass
class CachingEngine:
    """Answer repeated requests from memory, others from ``engine``.

    :param engine: the engine that answers a miss.
    :param max_bytes: most result bytes kept (0: keep nothing).
    """

    engine: QueryEngine
    max_bytes: int

    def __post_init__(self) -> None:
        self._entries: OrderedDict[QuerySpec, QueryResult] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def query(self, spec: QuerySpec) -> QueryResult:
        """Answer from the cache, or run the query and keep its answer.

        :param spec: the query and how to answer it.
        :returns: the serialized result.
        """
        with self._lock:
            found = self._entries.get(spec)
            if found is not None:
                self._entries.move_to_end(spec)
                self.hits += 1
                return found
            self.misses += 1
        result = self.engine.query(spec)
        if len(result.body) <= self.max_bytes // 8 and not VOLATILE.search(spec.text):
            self._keep(spec, result)
        return result

    def _keep(self, spec: QuerySpec, result: QueryResult) -> None:
        with self._lock:
            if spec in self._entries:
                return
            self._entries[spec] = result
            self._size += len(result.body)
            while self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)

    def counts(self) -> dict[str, int]:
        """Return the cache's counters, for ``/health``.

        :returns: hits and misses so far, entries and bytes kept now.
        """
        with self._lock:
            return {"cache_hits": self.hits, "cache_misses": self.misses, "cache_entries": len(self._entries),
                    "cache_bytes": self._size}  # fmt: skip

    def health(self) -> EngineHealth:
        """Say whether queries can be answered now: the inner engine's health, with the cache's counters.

        :returns: the health (always ok for an inner engine without processes to supervise).
        """
        check = getattr(self.engine, "health", None)
        state = check() if check is not None else EngineHealth(True, 0, 0, {})
        return EngineHealth(state.ok, state.workers, state.busy, {**state.detail, **self.counts()})

    def close(self) -> None:
        """Stop the inner engine's processes, if it has any."""
        stop = getattr(self.engine, "close", None)
        if stop is not None:
            stop()
