"""Answers that never straddle a release switch, on a store whose publisher marks its switches.

Virtuoso's default isolation, read committed, holds per row, not per query: a query that runs while a switch
commits can count some graphs of the old release and some of the new (docs/deploy.md gives the measurement).
``msckg publish --virtuoso`` marks the commit in the store's registry, which a SPARQL query can read:
``stable N`` between switches, ``switching N+1`` from just before the switch's commit until it has finished.

The fence is a sequence lock on that mark. An answer is kept only when the mark read after the query is the
``stable`` mark read before it; otherwise the query runs again once the mark is stable. No switch can then have
committed while the query ran: a switch sets ``switching`` before its commit and a new ``stable`` (its epoch one
higher) only after. Epochs only grow, so the mark read before a query may be any earlier read, such as the one
the previous query made after it: one extra request per query. A store that no publish has marked answers the
same mark every time and the fence never waits.
"""

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from server.errors import StoreUnavailable

#: How often a waiting query asks whether the switch is over (seconds).
POLL = 0.02

T = TypeVar("T")


class ReleaseFence:
    """Runs queries so that none of their answers mixes two releases.

    :param read_mark: asks the store for its mark now (one request).
    """

    def __init__(self, read_mark: Callable[[], str]) -> None:
        self._read = read_mark
        self._lock = threading.Lock()
        self._stable: str | None = None

    def run(self, query: Callable[[], T], deadline: float) -> T:
        """Run ``query`` until one run falls between two switches; return that run's answer.

        :param query: runs the query and returns its whole answer.
        :param deadline: ``time.monotonic()`` past which a wait for a switch to end gives up.
        :returns: the answer.
        :raises StoreUnavailable: if the store is still switching releases at the deadline.
        """
        while True:
            before = self._wait_stable(deadline)
            answer = query()
            after = self._read()
            self._remember(after)
            if after == before:
                return answer

    def _wait_stable(self, deadline: float) -> str:
        with self._lock:
            mark = self._stable
        if mark is None:
            mark = self._read()
        while mark.startswith("switching"):
            if time.monotonic() > deadline:
                raise StoreUnavailable("the triple store is switching to a new release; try again in a moment")
            time.sleep(POLL)
            mark = self._read()
        self._remember(mark)
        return mark

    def _remember(self, mark: str) -> None:
        with self._lock:
            self._stable = None if mark.startswith("switching") else mark
