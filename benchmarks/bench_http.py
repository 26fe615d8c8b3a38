"""HTTP: a closed-loop load over the competency questions against msckg serve, native Oxigraph and rdflib-endpoint.

What it measures, in one run, on 127.0.0.1 only, every loop bounded in time:

* the servers, each on the same release dump: ``msckg serve`` (the project, its defaults: granian, Python
  threads, query worker processes, the result cache) and ``msckg-miss`` (the same with ``MSCKG_RESULT_CACHE_MB=0``:
  every query a cache miss), ``floor`` (``floor_server.py``: the same HTTP server and Flask app answering every
  query with one constant body: what no query can beat on this stack), ``oxigraph serve-read-only
  --union-default-graph`` (the native server: PyPI package ``oxigraph``, its store made first with ``oxigraph
  load``), ``oxigraph serve`` in memory (the dump POSTed to it) and ``rdflib-endpoint serve`` (the Python peer).
  The peers live in their own virtualenvs under ``build/bench/`` (created on first use), so the project's
  dependencies stay as they are;
* for each server and each mix (``cq``: the competency questions in turn; ``light``: those that rdflib's
  engine answers in well under a second, so that the Python peer gives a number at all; the small queries of
  issue 19: ``label`` an entity's labels, ``card`` its facts (what its page asks), ``ask`` an ASK about it,
  ``varying`` a reverse label lookup with another label and a counter in a comment every request, so that no
  cache can help), a fresh
  server, a short warm-up, then ``--clients`` connections each sending its next query as soon as the last
  answer arrived (closed loop) for ``--duration`` seconds, JSON results, keep-alive: requests/s, latency p50,
  p90, p99, errors (non-2xx, socket errors, client time-outs after ``--timeout`` s). The load comes from
  Debian's ``wrk`` (C, one thread, so the client takes little of the two cores) or, when it is missing, from a
  Python thread pool;
* peak memory of each server (PSS summed over its process tree, sampled every 0.2 s under load);
* the row count of every competency question from each server, unloaded (latency per query too), checked
  equal across servers (rdflib-endpoint on the ``light`` queries only: the others run for minutes there);
* ``msckg serve`` cold start: process start to the first 200 on ``/health`` (median of ``--cold-starts``).

The ratios printed are msckg (and msckg-miss) over each peer, against issue 19's targets (:data:`TARGETS`): small
queries ≥ 0.5× oxigraph serve-read-only's req/s with p99 ≤ 2× its p99, or else ≥ 0.8× the floor; the CQ mix
≥ 0.8× in-memory oxigraph serve and ≥ 1.5× oxigraph serve-read-only.

    .venv/bin/python benchmarks/bench_http.py [--release build/current] [--duration 20] [--clients 8]
        [--mixes cq light] [--servers msckg oxigraph rdflib-endpoint] [--quick] [--json out.json]
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, fmt_ms, machine, machine_line  # noqa: E402

BENCH = ROOT / "build" / "bench"
JSON_TYPE = "application/sparql-results+json"
#: Competency questions rdflib's engine answers in under ~0.5 s at the real size (see bench_inprocess.py).
LIGHT = ("06-", "08-", "09-", "12-")
#: What each peer needs from PyPI, in its own virtualenv.
PEERS = {"oxigraph": ["oxigraph"], "rdflib-endpoint": ["rdflib-endpoint", "uvicorn"], "tools": ["py-spy"]}
#: Small queries (issue 19): the same query every request, or a different one every request (``varying``).
SMALL = ("label", "card", "ask", "varying")
ENTITY = "https://w3id.org/msc-liver/entity/bm-msc"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SMALL_QUERIES = {
    "label": f"SELECT ?label WHERE {{ <{ENTITY}> <{RDFS_LABEL}> ?label }}",
    "card": f"SELECT ?p ?o WHERE {{ <{ENTITY}> ?p ?o }} ORDER BY ?p ?o",
    "ask": f"ASK {{ <{ENTITY}> <{RDFS_LABEL}> ?label }}",
}
#: (key, sign, wanted) per mix kind: issue 19's targets (throughput and p99 ratios, msckg over the peer).
TARGETS: dict[str, list[tuple[str, str, float]]] = {
    "small": [("rps_vs_oxigraph", ">=", 0.5), ("p99_vs_oxigraph", "<=", 2.0), ("rps_vs_floor", ">=", 0.8)],
    "cq": [("rps_vs_oxigraph_mem", ">=", 0.8), ("rps_vs_oxigraph", ">=", 1.5)],
    "light": [("rps_vs_rdflib_endpoint", ">=", 20.0), ("rps_vs_oxigraph_mem", ">=", 0.8)],
}
SERVERS = ["msckg", "msckg-miss", "floor", "oxigraph", "oxigraph-mem", "rdflib-endpoint"]


def peer_venv(name: str) -> Path:
    """Return the virtualenv of a peer under build/bench/, creating it (pip from PyPI) on first use."""
    venv = BENCH / f"venv-{name}"
    marker = venv / ".installed"
    if not marker.is_file():
        BENCH.mkdir(parents=True, exist_ok=True)
        print(f"(installing {' '.join(PEERS[name])} into {venv})", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", *PEERS[name]], check=True, stdout=subprocess.DEVNULL
        )
        marker.write_text(" ".join(PEERS[name]) + "\n")
    return venv


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def oxigraph_store(dump: Path) -> tuple[Path, float | None]:
    """Load the dump into an on-disk Oxigraph store (cached by size and mtime); returns (dir, load seconds)."""
    stat = dump.stat()
    location = BENCH / "oxigraph-store" / f"{dump.resolve().parent.name}-{stat.st_size}-{int(stat.st_mtime)}"
    if (location / ".loaded").is_file():
        return location, None
    shutil.rmtree(location, ignore_errors=True)
    location.mkdir(parents=True)
    binary = peer_venv("oxigraph") / "bin" / "oxigraph"
    started = time.perf_counter()
    subprocess.run(
        [str(binary), "load", "--location", str(location), "--file", str(dump)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=1800,
    )
    took = time.perf_counter() - started
    (location / ".loaded").write_text(f"{took:.3f}\n")
    return location, took


# --- processes -----------------------------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) used so far by a process and each of its descendants, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[p] = (int(fields[11]) + int(fields[12])) / tick
    return out


def tree_pss_mib(pid: int) -> float:
    """Memory of a process and its descendants, MiB: the sum of their PSS (proportional set size).

    msckg's query workers are forks sharing the loaded store copy-on-write; summing their RSS would count the
    shared pages once per worker, PSS divides each shared page among the processes that map it.
    """
    return round(sum(tree_pss_by_process(pid).values()), 1)


def tree_pss_by_process(pid: int) -> dict[int, float]:
    """PSS of a process and of each of its descendants, MiB, by pid (a query worker's memory is its own line)."""
    found: dict[int, float] = {}
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    found[p] = int(line.split()[1]) / 1024
        except OSError:
            continue
    return found


@dataclass
class Server:
    """A server under test, started as a subprocess on 127.0.0.1."""

    name: str
    argv: list[str]
    port: int
    ready_path: str
    query_path: str
    env: dict[str, str] = field(default_factory=dict)
    #: N-Quads to POST to ``/store`` once the server answers (the in-memory native server starts empty).
    post_load: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    cold_start_s: float | None = None
    peak_pss_mib: float = 0.0
    #: PSS of each process of the tree when the total peaked, MiB (largest first).
    peak_pss_each: list[float] = field(default_factory=list)
    _sampling: bool = False

    def start(self, limit: float = 180.0) -> float:
        """Start, wait for the first 200 on the ready path; returns seconds from spawn to that answer."""
        logs = BENCH / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        log = (logs / f"{self.name}.log").open("ab")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env={**os.environ, **self.env},
            start_new_session=True,
        )
        deadline = started + limit
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {logs / self.name}.log")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", self.ready_path, headers={"Accept": JSON_TYPE})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    if self.post_load is not None:
                        self._post_load()
                    self.cold_start_s = time.perf_counter() - started
                    return self.cold_start_s
                if status != 503 and time.perf_counter() - started > 10:
                    raise RuntimeError(f"{self.name} answers {self.ready_path} with HTTP {status}")
            except OSError:
                pass
            time.sleep(0.02)
        self.stop()
        raise TimeoutError(f"{self.name} did not answer {self.ready_path} within {limit:g} s")

    def _post_load(self) -> None:
        assert self.post_load is not None  # noqa: S101
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1800)
        with self.post_load.open("rb") as body:
            conn.request(
                "POST",
                "/store",
                body=body,
                headers={"Content-Type": "application/n-quads", "Content-Length": str(self.post_load.stat().st_size)},
            )
            response = conn.getresponse()
            response.read()
        conn.close()
        if response.status >= 300:
            raise RuntimeError(f"{self.name}: loading the dump answered HTTP {response.status}")

    def sample_rss(self) -> threading.Thread:
        """Sample the process tree's memory (PSS) every 0.2 s until :meth:`stop_sampling`."""
        self._sampling = True

        def run() -> None:
            while self._sampling and self.process is not None and self.process.poll() is None:
                each = tree_pss_by_process(self.process.pid)
                if sum(each.values()) > self.peak_pss_mib:
                    self.peak_pss_mib = round(sum(each.values()), 1)
                    self.peak_pss_each = sorted((round(v, 1) for v in each.values()), reverse=True)
                time.sleep(0.2)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    def stop_sampling(self) -> None:
        """Stop sampling memory."""
        self._sampling = False

    def stop(self) -> None:
        """Stop the server and its children (its own process group: the bench started it)."""
        self._sampling = False
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)

    def url_for(self, query: str) -> str:
        """Request path of a GET query, or ``POST <path>\n<form body>`` for a query too long for a URL.

        The native server refuses URLs of more than about 16 KiB (HTTP 400), which CQ 13 passes once encoded:
        every server gets such a query as a form POST (SPARQL 1.1 Protocol), the others as a GET.
        """
        encoded = urllib.parse.urlencode({"query": query})
        if len(encoded) > LONG_URL:
            return f"POST {self.query_path}\n{encoded}"
        return f"{self.query_path}?{encoded}"


#: Longest query string sent as a GET.
LONG_URL = 8000
FORM_TYPE = "application/x-www-form-urlencoded"


def http_request(conn: http.client.HTTPConnection, path: str) -> None:
    """Send a request made by :meth:`Server.url_for` (a GET path, or a POST and its form body)."""
    if path.startswith("POST "):
        target, _, body = path[5:].partition("\n")
        conn.request("POST", target, body=body, headers={"Accept": JSON_TYPE, "Content-Type": FORM_TYPE})
    else:
        conn.request("GET", path, headers={"Accept": JSON_TYPE})


#: Why the oxigraph peers run without ``--timeout-s``: with it, oxigraph 0.5 starts a thread per query to watch
#: its time, and at the small queries' rates (thousands per second) that thread churn makes it fail most requests
#: (measured here: 113,590 socket errors and 1,452 non-2xx answers in 4 s of label lookups, 4,415 req/s; without
#: it, 21,949 req/s and none). Run so, the peers are the stronger for it; no competency question nears 10 s.
NO_TIMEOUT = True


def make_server(name: str, release: Path, port: int) -> Server:
    """Describe how to start one of the three servers on the release."""
    dump = release / "msc-liver.nq"
    if name in ("msckg", "msckg-miss"):  # its defaults; msckg-miss without the result cache: every query a miss
        argv = [str(ROOT / ".venv" / "bin" / "msckg"), "serve", "--port", str(port), "--release", str(release)]
        env = {"MSCKG_RESULT_CACHE_MB": "0"} if name == "msckg-miss" else {}
        return Server(name, argv, port, "/health", "/sparql", env=env)
    if name == "floor":
        argv = [str(ROOT / ".venv" / "bin" / "python"), str(Path(__file__).parent / "floor_server.py"), "--port",
                str(port), "--release", str(release)]  # fmt: skip
        return Server(name, argv, port, "/health", "/sparql")
    if name == "oxigraph":
        location, _ = oxigraph_store(dump)
        binary = peer_venv("oxigraph") / "bin" / "oxigraph"
        argv = [
            str(binary),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ]  # no --timeout-s: see NO_TIMEOUT
        return Server(name, argv, port, "/query?query=ASK%7B%7D", "/query")
    if name == "oxigraph-mem":
        binary = peer_venv("oxigraph") / "bin" / "oxigraph"
        argv = [str(binary), "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"]  # see NO_TIMEOUT
        return Server(name, argv, port, "/query?query=ASK%7B%7D", "/query", post_load=dump)
    if name == "rdflib-endpoint":
        binary = peer_venv("rdflib-endpoint") / "bin" / "rdflib-endpoint"
        argv = [str(binary), "serve", str(dump), "--host", "127.0.0.1", "--port", str(port)]
        return Server(name, argv, port, "/?query=ASK%7B%7D", "/")
    raise ValueError(name)


# --- load ----------------------------------------------------------------------------------------------------

_WRK_SCRIPT = """
local paths = {%s}
local unique = %s
local accept = "%s"
local counter = 0
request = function()
  counter = counter + 1
  local path = paths[(counter - 1) %% #paths + 1]
  if unique then path = path .. counter end
  if string.sub(path, 1, 5) == "POST " then
    local newline = string.find(path, "\\n", 1, true)
    return wrk.format("POST", string.sub(path, 6, newline - 1), {["Accept"] = accept,
      ["Content-Type"] = "application/x-www-form-urlencoded"}, string.sub(path, newline + 1))
  end
  return wrk.format("GET", path, {["Accept"] = accept})
end
"""
#: wrk's end of run, as one ``WRKJSON {…}`` line (appended to every request script).
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def lua_string(text: str) -> str:
    """A Lua string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def load_wrk(
    server: Server, paths: list[str], duration: float, clients: int, timeout: float, unique: bool = False
) -> dict[str, Any]:
    """Closed-loop load with wrk (one thread, ``clients`` connections); ``unique``: a counter ends every path."""
    script = BENCH / f"wrk-{server.name}.lua"
    paths_lua = ", ".join(lua_string(p) for p in paths)
    script.write_text(_WRK_SCRIPT % (paths_lua, "true" if unique else "false", JSON_TYPE) + WRK_DONE)
    argv = [
        "wrk",
        "-t1",
        f"-c{clients}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={max(1, round(timeout))}s",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}",
    ]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration + timeout + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {out.stdout[-500:]} {out.stderr[-500:]}")
    raw = json.loads(line[len("WRKJSON ") :])
    seconds = raw["duration_us"] / 1e6
    ok = raw["requests"] - raw["status"]
    if ok == 0:
        raw.update(p50_us=None, p90_us=None, p99_us=None, max_us=None)
    if raw["requests"] == 0:  # every connection still waiting at the end: count them as failures
        raw["unfinished"] = clients
    kinds = ("connect", "read", "write", "status", "timeout", "unfinished")
    errors = sum(raw.get(k, 0) for k in kinds)
    return {
        "tool": "wrk",
        "requests": raw["requests"],
        "ok": ok,
        "seconds": round(seconds, 2),
        "rps": round(ok / seconds, 1) if seconds else 0.0,
        "errors": errors,
        "errors_by_kind": {k: raw[k] for k in kinds if raw.get(k)},
        **{
            f"{k}_ms": (raw[f"{k}_us"] / 1000 if raw[f"{k}_us"] is not None else None)
            for k in ("p50", "p90", "p99", "max")
        },
    }


def load_python(
    server: Server, paths: list[str], duration: float, clients: int, timeout: float, unique: bool = False
) -> dict[str, Any]:
    """Closed-loop load from Python threads (keep-alive ``http.client``), when wrk is missing."""
    deadline = time.perf_counter() + duration
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
        i = offset
        while time.perf_counter() < deadline:
            path = paths[i % len(paths)] + (str(i * clients + offset) if unique else "")
            i += 1
            start = time.perf_counter()
            try:
                http_request(conn, path)
                response = conn.getresponse()
                response.read()
                good = 200 <= response.status < 400
            except (OSError, http.client.HTTPException):
                good = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
            took = time.perf_counter() - start
            with lock:
                if good:
                    latencies.append(took)
                else:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + timeout + 5)
    seconds = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 3) if latencies else None

    return {
        "tool": "python",
        "requests": len(latencies) + errors,
        "ok": len(latencies),
        "seconds": round(seconds, 2),
        "rps": round(len(latencies) / seconds, 1),
        "errors": errors,
        "errors_by_kind": {},
        "p50_ms": pct(0.5),
        "p90_ms": pct(0.9),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 3) if latencies else None,
    }


def run_load(
    server: Server, paths: list[str], duration: float, clients: int, timeout: float, unique: bool = False
) -> dict[str, Any]:
    """Closed-loop load with wrk when installed, else Python threads."""
    if shutil.which("wrk"):
        return load_wrk(server, paths, duration, clients, timeout, unique)
    return load_python(server, paths, duration, clients, timeout, unique)


def per_query(server: Server, queries: list[tuple[str, str]], repeats: int, timeout: float) -> dict[str, Any]:
    """Unloaded: each query ``repeats`` times on one keep-alive connection; rows and median latency."""
    out: dict[str, Any] = {}
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    for name, text in queries:
        times = []
        rows: int | str = "-"
        for _ in range(repeats):
            start = time.perf_counter()
            try:
                http_request(conn, server.url_for(text))
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as exc:
                rows = f"error: {type(exc).__name__}"
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
                break
            times.append(time.perf_counter() - start)
            if response.status != 200:
                rows = f"HTTP {response.status}"
                break
            document = json.loads(body)
            rows = str(document["boolean"]).lower() if "boolean" in document else len(document["results"]["bindings"])
        out[name] = {"rows": rows, "p50_ms": round(statistics.median(times) * 1000, 3) if times else None}
    conn.close()
    return out


# --- the run -------------------------------------------------------------------------------------------------


def _queries(release: Path) -> list[tuple[str, str]]:
    folder = release / "queries" if (release / "queries").is_dir() else ROOT / "queries" / "cq"
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))]


def label_lookups(dump: Path, most: int = 2000) -> list[tuple[str, str]]:
    """Reverse lookups by label, one per English label of the release (``varying``: a counter ends each text)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    found = store.query(f'SELECT DISTINCT ?l WHERE {{ ?s <{RDFS_LABEL}> ?l FILTER(LANGMATCHES(LANG(?l), "en")) }} '
                        f"ORDER BY ?l LIMIT {most}", use_default_graph_as_union=True)  # fmt: skip
    return [(f"label-{i}", f"SELECT ?s WHERE {{ ?s <{RDFS_LABEL}> {row[0]} }} #")
            for i, row in enumerate(found)]  # type: ignore[index]  # fmt: skip


def mix_kind(mix: str) -> str:
    """``small`` for the small-query mixes, else the mix's own name (its targets)."""
    return "small" if mix in SMALL else mix


def cold_starts(release: Path, count: int) -> list[float]:
    """Start ``msckg serve`` ``count`` times; seconds from spawn to the first 200 on /health."""
    times = []
    for _ in range(count):
        server = make_server("msckg", release, free_port())
        try:
            times.append(round(server.start(), 3))
        finally:
            server.stop()
    return times


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current")
    parser.add_argument(
        "--servers",
        nargs="+",
        default=SERVERS,
        choices=SERVERS,
    )
    parser.add_argument("--mixes", nargs="+", default=["cq", "light", *SMALL], choices=["cq", "light", *SMALL])
    parser.add_argument("--duration", type=float, default=None, help="seconds of measured load per run")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of load before each measured run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections")
    parser.add_argument("--timeout", type=float, default=10.0, help="client time-out per request (s)")
    parser.add_argument("--repeats", type=int, default=None, help="unloaded runs per query (row check)")
    parser.add_argument("--cold-starts", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="5 s runs, 1 s warm-up, fewer repeats")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    args.duration = args.duration or (5.0 if args.quick else 20.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 3.0)
    args.repeats = args.repeats or (3 if args.quick else 5)
    args.cold_starts = args.cold_starts or (2 if args.quick else 3)
    release = args.release.resolve()
    dump = release / "msc-liver.nq"
    if not dump.is_file():
        sys.exit(f"no msc-liver.nq in {release}: run 'msckg build' (or benchmarks/run_all.py) first")
    facts = machine()
    print(machine_line(facts))
    queries = _queries(release)
    light = [(n, t) for n, t in queries if n.startswith(LIGHT)]
    mixes = {"cq": queries, "light": light, "varying": label_lookups(dump)}
    mixes.update({name: [(name, text)] for name, text in SMALL_QUERIES.items()})
    checked = queries + [(name, text) for name, text in SMALL_QUERIES.items()] + mixes["varying"][:3]
    print(
        f"HTTP: release {release} ({dump.stat().st_size / 2**20:.1f} MiB N-Quads); {args.clients} closed-loop "
        f"clients, {args.duration:g} s per run after {args.warmup:g} s warm-up, client time-out {args.timeout:g} s, "
        f"load from {'wrk' if shutil.which('wrk') else 'Python threads'}; mixes: cq = {len(queries)} CQs, "
        f"light = {', '.join(n.split('-')[0] for n, _ in light)}"
    )
    result: dict[str, Any] = {"machine": facts, "release": str(release), "runs": [], "rows": {}, "servers": {}}
    if "oxigraph" in args.servers:
        _, load_s = oxigraph_store(dump)
        if load_s is not None:
            result["oxigraph_load_s"] = round(load_s, 2)
            print(f"(oxigraph load into its on-disk store: {load_s:.2f} s)")

    for name in args.servers:
        info: dict[str, Any] = {"peak_pss_mib": 0.0, "ready_s": []}
        result["servers"][name] = info
        for mix in args.mixes:
            if name == "floor" and mix_kind(mix) != "small":
                continue  # its constant answer stands for small answers only
            server = make_server(name, release, free_port())
            paths = [server.url_for(t) for _, t in mixes[mix]]
            unique = mix == "varying"
            try:
                info["ready_s"].append(round(server.start(), 3))
                sampler = server.sample_rss()
                if name not in result["rows"] and name != "floor":  # unloaded pass first, on a fresh server
                    rows_mix = [q for q in checked if q not in queries or q in light] if name == "rdflib-endpoint" \
                        else checked  # fmt: skip
                    result["rows"][name] = per_query(server, rows_mix, args.repeats, args.timeout)
                if args.warmup > 0:
                    run_load(server, paths, args.warmup, args.clients, args.timeout, unique)
                assert server.process is not None  # noqa: S101
                cpu_before = tree_cpu_s(server.process.pid)
                figures = run_load(server, paths, args.duration, args.clients, args.timeout, unique)
                cpu_after = tree_cpu_s(server.process.pid)
                # the busiest process of the tree (msckg: its HTTP process, a child of granian's supervisor)
                main_cpu = max((v - cpu_before.get(p, 0) for p, v in cpu_after.items()), default=0.0)
                total_cpu = sum(v - cpu_before.get(p, 0) for p, v in cpu_after.items())
                if figures.get("ok"):
                    figures["cpu_ms_per_req"] = round(total_cpu / figures["ok"] * 1000, 3)
                    figures["cpu_ms_per_req_main"] = round(main_cpu / figures["ok"] * 1000, 3)
                figures["cpu_cores_used"] = round(total_cpu / max(figures.get("seconds", 0), 1e-9), 2)
                server.stop_sampling()
                sampler.join(timeout=2)
            except (RuntimeError, TimeoutError, OSError, subprocess.SubprocessError) as exc:
                figures = {"error": f"{type(exc).__name__}: {exc}"}
            finally:
                server.stop()
            info["peak_pss_mib"] = max(info["peak_pss_mib"], server.peak_pss_mib)
            run = {"server": name, "mix": mix, **figures, "peak_pss_mib": server.peak_pss_mib,
                   "peak_pss_each_mib": server.peak_pss_each}  # fmt: skip
            result["runs"].append(run)
            print(
                f"  {name:16} {mix:6} "
                + (
                    f"{run.get('rps', 0):8.1f} req/s  p50 {fmt_ms(run.get('p50_ms'))} ms  "
                    f"p99 {fmt_ms(run.get('p99_ms'))} ms  errors {run.get('errors', '-')}"
                    if "error" not in run
                    else run["error"]
                ),
                flush=True,
            )

    if "msckg" in args.servers and args.cold_starts:
        starts = cold_starts(release, args.cold_starts)
        result["cold_start_s"] = {"runs": starts, "median": statistics.median(starts)}
    report(result, args)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str))
    return result


def ratios(result: dict[str, Any], mix: str) -> dict[str, dict[str, float | None]]:
    """msckg (result cache on: ``msckg``; off, every query a miss: ``msckg-miss``) over each peer on one mix."""
    runs = {r["server"]: r for r in result["runs"] if r["mix"] == mix and "error" not in r}
    out: dict[str, dict[str, float | None]] = {}
    for who in ("msckg", "msckg-miss"):
        ours = runs.get(who)
        if not ours:
            continue
        found: dict[str, float | None] = {}
        for peer in ("oxigraph", "oxigraph-mem", "floor", "rdflib-endpoint"):
            theirs = runs.get(peer)
            if not theirs:
                continue
            key = peer.replace("-", "_")
            found[f"rps_vs_{key}"] = round(ours["rps"] / theirs["rps"], 3) if theirs["rps"] else None
            if ours.get("p99_ms") and theirs.get("p99_ms"):
                found[f"p99_vs_{key}"] = round(ours["p99_ms"] / theirs["p99_ms"], 3)
        out[who] = found
    return out


def verdicts(result: dict[str, Any]) -> list[tuple[str, str, str, str, float | None, bool]]:
    """(mix, server, ratio, wanted sign, value, met) for every target of issue 19 measured in this run."""
    rows = []
    for mix, by_server in result.get("ratios", {}).items():
        for who, found in by_server.items():
            for key, sign, wanted in TARGETS.get(mix_kind(mix), []):
                if key not in found:
                    continue
                value = found[key]
                met = value is not None and (value <= wanted if sign == "<=" else value >= wanted)
                rows.append((mix, who, key, f"{sign} {wanted:g}", value, met))
    return rows


def report(result: dict[str, Any], args: argparse.Namespace) -> None:
    """Print the tables and the targets."""
    print(
        f"\n{'server':16} {'mix':6} {'req/s':>9} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'errors':>7} "
        f"{'peak PSS MiB':>13} {'CPU ms/req':>11} {'(top)':>7} {'cores':>6}"
    )
    for run in result["runs"]:
        if "error" in run:
            print(f"{run['server']:16} {run['mix']:6} {run['error']}")
            continue
        kinds = ",".join(f"{k}:{v}" for k, v in run.get("errors_by_kind", {}).items())
        print(
            f"{run['server']:16} {run['mix']:6} {run['rps']:9.1f} {fmt_ms(run['p50_ms'])} {fmt_ms(run['p90_ms'])} "
            f"{fmt_ms(run['p99_ms'])} {run['errors']:7} {run['peak_pss_mib']:13.0f} "
            f"{fmt_ms(run.get('cpu_ms_per_req'), 11)} {fmt_ms(run.get('cpu_ms_per_req_main'), 7)} "
            f"{run.get('cpu_cores_used', 0):6.2f}  {kinds}"
        )
    result["ratios"] = {mix: ratios(result, mix) for mix in args.mixes}
    print(f"\n{'mix':8} {'server':11} {'ratio':26} {'target':>8} {'value':>8}")
    for mix, who, key, wanted, value, met in verdicts(result):
        print(f"{mix:8} {who:11} {key:26} {wanted:>8} {value if value is not None else '-':>8}  "
              f"{'met' if met else 'MISSED'}")  # fmt: skip
    rows = result["rows"]
    if rows:
        names = list(rows)
        print(f"\nunloaded, one client: rows | p50 ms per query and server ({args.repeats} runs)")
        print(f"{'query':38} " + " ".join(f"{n:>22}" for n in names) + "  same rows")
        all_queries = sorted({q for r in rows.values() for q in r})
        mismatch = []
        for q in all_queries:
            cells, counts = [], set()
            for n in names:
                cell = rows[n].get(q)
                if cell is None:
                    cells.append(f"{'(not run)':>22}")
                    continue
                counts.add(cell["rows"])
                cells.append(f"{str(cell['rows']):>8} | {fmt_ms(cell['p50_ms'], 11)}")
            same = len(counts) == 1
            if not same:
                mismatch.append(q)
            print(f"{q[:38]:38} " + " ".join(cells) + f"  {'yes' if same else 'NO'}")
        result["row_mismatches"] = mismatch
    if "cold_start_s" in result:
        cold = result["cold_start_s"]
        print(
            f"\nmsckg serve cold start (spawn -> first 200 on /health): median {cold['median']:.2f} s "
            f"(runs {', '.join(f'{t:.2f}' for t in cold['runs'])}); target < 3 s: "
            f"{'met' if cold['median'] < 3 else 'MISSED'}"
        )
    print(
        "\nPSS per process at each run's peak, MiB, largest first (msckg: HTTP process, store process, query workers)"
    )
    for run in result["runs"]:
        if run.get("peak_pss_each_mib"):
            print(f"  {run['server']:16} {run['mix']:8} {' '.join(f'{v:.0f}' for v in run['peak_pss_each_mib'])}")
    for name, info in result["servers"].items():
        print(
            f"{name:16} ready after {', '.join(f'{t:.2f}' for t in info['ready_s'])} s; "
            f"peak PSS (process tree) {info['peak_pss_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
