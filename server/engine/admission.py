"""Admission control for any engine: cheap requests stay cheap while expensive queries run.

Two rules, enforced by the engine around each query, so that no engine can tie up the whole server:

* **bounded waiting**: at most ``max_waiting`` requests wait for a free worker (each at most ``queue_wait``
  seconds); one more is refused at once (503), so requests waiting for a worker never hold every HTTP thread and
  ``/health``, pages and downloads keep answering;
* **a lane for long queries**: a query still running after ``long_after`` seconds needs one of ``long_slots``
  places; when they are all taken it is stopped (503) instead of holding its worker to the time limit. So
  ``workers - long_slots`` workers always turn over quickly, whatever many clients send queries that time out.
  An engine also lowers a long query's CPU priority, so that short ones are not slowed by it.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from server.errors import ServerBusy


class Admission:
    """Counts of waiting requests and long queries, shared by the threads of one engine.

    :param max_waiting: requests that may wait for a worker at once.
    :param long_slots: queries that may run longer than ``long_after`` at once.
    :param long_after: seconds after which a query counts as long.
    """

    def __init__(self, max_waiting: int, long_slots: int, long_after: float) -> None:
        self.max_waiting = max_waiting
        self.long_slots = long_slots
        self.long_after = long_after
        self.waiting = 0
        self.long = 0
        self.refused = 0
        self.stopped_long = 0
        self._lock = threading.Lock()

    @contextmanager
    def wait_turn(self) -> Iterator[None]:
        """Count this request as waiting for a worker while the block runs.

        :returns: a context manager.
        :raises ServerBusy: at once, when ``max_waiting`` requests are waiting already.
        """
        with self._lock:
            if self.waiting >= self.max_waiting:
                self.refused += 1
                raise ServerBusy(f"{self.waiting} requests are already waiting for a query worker; try again shortly")
            self.waiting += 1
        try:
            yield
        finally:
            with self._lock:
                self.waiting -= 1

    def enter_long(self) -> bool:
        """Take a place in the long-query lane.

        :returns: whether a place was free (then call :meth:`leave_long` when the query ends).
        """
        with self._lock:
            if self.long >= self.long_slots:
                self.stopped_long += 1
                return False
            self.long += 1
            return True

    def leave_long(self) -> None:
        """Give a place in the long-query lane back."""
        with self._lock:
            self.long -= 1

    def long_lane_full(self) -> ServerBusy:
        """Return the error for a query stopped because the long-query lane is full.

        :returns: the error to raise.
        """
        return ServerBusy(
            f"the query ran longer than {self.long_after:g} s while the server was already running its "
            f"{self.long_slots} long queries, and was stopped; try again later, or narrow it"
        )

    def counts(self) -> dict[str, int]:
        """Return the counters, for ``/health``.

        :returns: waiting and long queries now; requests refused and long queries stopped so far.
        """
        with self._lock:
            return {"waiting": self.waiting, "long_running": self.long, "refused_waiting": self.refused,
                    "stopped_long": self.stopped_long}  # fmt: skip
