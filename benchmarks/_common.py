"""Helpers shared by the benchmark scripts: machine facts, result fingerprints, killable children, tables."""

import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CTX = mp.get_context("spawn")


def machine() -> dict[str, Any]:
    """Return the facts a figure needs to be read: cores, CPU model, memory, versions."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    import pyoxigraph
    import rdflib

    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "memory_gib": round(mem_kib / 2**20, 1),
        "python": platform.python_version(),
        "pyoxigraph": getattr(pyoxigraph, "__version__", "?"),
        "rdflib": rdflib.__version__,
        "kernel": platform.release(),
    }


def machine_line(facts: dict[str, Any]) -> str:
    """One printable line of machine facts."""
    return (
        f"machine: nproc={facts['nproc']}, CPU {facts['cpu']}, {facts['memory_gib']} GiB; Python {facts['python']}, "
        f"pyoxigraph {facts['pyoxigraph']}, rdflib {facts['rdflib']}"
    )


def solutions(body: bytes) -> Counter[tuple[tuple[str, str], ...]]:
    """Canonical multiset of the solutions in a SPARQL JSON result, for comparing two engines.

    GROUP_CONCAT lists of IRIs are compared as sets, numbers as floats, ``typed-literal`` as ``literal``; an
    empty plain literal counts as unbound (an aggregate over no values: rdflib answers ``""``, pyoxigraph
    leaves the variable unbound).
    """
    doc = json.loads(body)
    if "boolean" in doc:
        return Counter({(("boolean", str(doc["boolean"])),): 1})
    rows: Counter[tuple[tuple[str, str], ...]] = Counter()
    for binding in doc["results"]["bindings"]:
        cells = []
        for var, term in sorted(binding.items()):
            value = term["value"]
            kind = term["type"].replace("typed-literal", "literal")
            if kind == "literal" and value == "" and not term.get("xml:lang") and not term.get("datatype"):
                continue
            if " " in value and all(part.startswith("http") for part in value.split(" ")):
                value = " ".join(sorted(value.split(" ")))
            if term.get("datatype", "").endswith(("#integer", "#decimal", "#double")):
                value = repr(float(value))
            cells.append((var, f"{kind}|{value}|{term.get('xml:lang', '')}"))
        rows[tuple(cells)] += 1
    return rows


def fingerprint(body: bytes) -> tuple[int, str]:
    """Return (rows, digest) of a SPARQL JSON result's canonical solutions."""
    import hashlib

    rows = solutions(body)
    digest = hashlib.sha256(repr(sorted(rows.items())).encode()).hexdigest()[:16]
    return sum(rows.values()), digest


def peak_rss_mib() -> float:
    """Peak resident set size of this process, MiB."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def median_ms(samples: Sequence[float]) -> float | None:
    """Median of seconds, in milliseconds (``None`` for no samples)."""
    return round(statistics.median(samples) * 1000, 3) if samples else None


class Child:
    """A child process answering requests over a pipe, each with a wall-clock limit (then it is killed).

    ``target(conn, *args)`` runs in the child: it sends one ``("ready", info)`` message, then answers each
    request it receives with one message.
    """

    def __init__(self, target: Callable[..., None], *args: Any, start_limit: float = 600.0) -> None:
        self.target = target
        self.args = args
        parent, child = CTX.Pipe()
        self.process = CTX.Process(target=target, args=(child, *args), daemon=True)
        self.process.start()
        child.close()
        self.conn: Connection = parent
        self.ready: Any = None
        if not parent.poll(start_limit):
            self.kill()
            raise TimeoutError(f"child did not start within {start_limit:g} s")
        message = parent.recv()
        if message[0] != "ready":
            self.kill()
            raise RuntimeError(f"child failed to start: {message}")
        self.ready = message[1]

    def ask(self, request: Any, limit: float) -> Any:
        """Send a request; return the answer, or raise TimeoutError (the child is then killed)."""
        self.conn.send(request)
        if not self.conn.poll(limit):
            self.kill()
            raise TimeoutError(f"no answer within {limit:g} s")
        return self.conn.recv()

    def alive(self) -> bool:
        """Whether the child still runs."""
        return self.process.is_alive()

    def kill(self) -> None:
        """Stop the child."""
        try:
            self.conn.close()
        except OSError:
            pass
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)


def fmt_ms(value: float | None, width: int = 9, digits: int = 2) -> str:
    """Right-aligned milliseconds, or a dash."""
    return f"{value:{width}.{digits}f}" if isinstance(value, int | float) else f"{'-':>{width}}"
