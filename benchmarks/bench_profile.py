"""Where ``msckg serve`` spends its CPU under the CQ load: py-spy over the server and its query workers.

What it does: starts ``msckg serve`` on the release (127.0.0.1), puts the closed-loop CQ mix on it with wrk
(or Python threads) for ``--duration`` seconds, and samples every process of the server's tree with py-spy
(PyPI ``py-spy``, installed into ``build/bench/venv-tools``) meanwhile. It prints, per process role (the HTTP
process, the query workers), the share of samples, the functions with most samples of their own (leaf
frames; time inside pyoxigraph's Rust code is charged to the Python line that called it), and the inclusive
share of the stages of a request. The raw stacks are kept in ``build/bench/profile-msckg.txt`` (flamegraph
"collapsed" format). Sampling slows the server: the throughput printed here is not a benchmark figure.

    .venv/bin/python benchmarks/bench_profile.py [--release build/current] [--duration 10] [--json out.json]
"""

import argparse
import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT  # noqa: E402
from bench_http import BENCH, _queries, free_port, make_server, peer_venv, run_load  # noqa: E402

#: Stages of a request, by a frame that marks them (inclusive samples), in the order a request meets them.
STAGES = {
    "HTTP process": [
        ("granian WSGI entry (HTTP itself is in Rust, unsampled)", "granian/wsgi.py"),
        ("Flask dispatch + request/response objects", "flask/app.py"),
        ("/sparql view (read params, QuerySpec)", "sparql (server/web/sparql.py"),
        ("result cache", "CachingEngine.query"),
        ("WorkerPool.query (pipe to a worker)", "WorkerPool.query"),
    ],
    "query worker": [
        ("pipe transfer (spec in, header + body bytes out)", "multiprocessing/connection.py"),
        ("read_query (guard: every reading of the text)", "read_query"),
        ("Store.query / next(): Rust engine (leaf in execute)", "LEAF:execute"),
        ("result writing (pyoxigraph serializer into the row-cap sink)", "server/engine/results.py"),
        ("negotiate", "negotiate"),
    ],
}


#: Leaf frames where a thread sits blocked (py-spy's --nonblocking sampling still reports some of them).
WAITING = (
    "Condition.wait (",
    "select (selectors.py",
    "Connection._recv (",
    "Connection._poll (",
    "_ConnectionBase.poll (",
    "wait (multiprocessing/connection.py",
)


def _waiting(frame: str) -> bool:
    return any(marker in frame for marker in WAITING)


def role(stack: list[str]) -> str:
    """The process role of a py-spy stack: HTTP process or query worker."""
    processes = [f for f in stack if f.startswith("process ")]
    return "query worker" if len(processes) > 1 else "HTTP process"


def analyse(raw: Path, top: int = 12) -> dict[str, Any]:
    """Summarise py-spy's collapsed stacks."""
    totals: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    leaf: dict[str, Counter[str]] = {}
    inclusive: dict[str, Counter[str]] = {}
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack_text, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        stack = stack_text.split(";")
        who = role(stack)
        frames = [f for f in stack if not f.startswith("process ")]
        if frames and _waiting(frames[-1]):
            waiting[who] += count
            continue
        totals[who] += count
        leaf.setdefault(who, Counter())[frames[-1] if frames else "?"] += count
        seen = set()
        for label, marker in STAGES[who]:
            hit = (
                (frames and frames[-1].startswith(("execute (", "execute.<locals>")))
                if marker == "LEAF:execute"
                else any(marker in f for f in frames)
            )
            if hit and label not in seen:
                inclusive.setdefault(who, Counter())[label] += count
                seen.add(label)
    grand = sum(totals.values()) or 1
    return {
        "samples": dict(totals),
        "waiting_samples": dict(waiting),
        "share": {k: round(v / grand, 3) for k, v in totals.items()},
        "top_self": {k: c.most_common(top) for k, c in leaf.items()},
        "stages": {k: {label: inclusive.get(k, Counter())[label] for label, _ in STAGES[k]} for k in STAGES},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    release = args.release.resolve()
    pyspy = peer_venv("tools") / "bin" / "py-spy"
    server = make_server("msckg", release, free_port())
    paths = [server.url_for(t) for _, t in _queries(release)]
    raw = BENCH / "profile-msckg.txt"
    try:
        server.start()
        run_load(server, paths, 2.0, args.clients, 10.0)
        figures: dict[str, Any] = {}

        def load() -> None:
            figures.update(run_load(server, paths, args.duration + 2, args.clients, 10.0))

        loader = threading.Thread(target=load, daemon=True)
        loader.start()
        assert server.process is not None  # noqa: S101
        subprocess.run(
            [
                str(pyspy),
                "record",
                "--pid",
                str(server.process.pid),
                "--subprocesses",
                "--nonblocking",
                "--format",
                "raw",
                "--rate",
                str(args.rate),
                "--duration",
                str(round(args.duration)),
                "-o",
                str(raw),
            ],
            check=True,
            capture_output=True,
            timeout=args.duration + 60,
        )
        loader.join(timeout=args.duration + 30)
    finally:
        server.stop()
    summary = analyse(raw)
    summary["load_while_sampled"] = {k: figures.get(k) for k in ("rps", "p50_ms", "p99_ms", "errors")}
    print(
        f"profile of msckg serve under the CQ mix ({args.clients} clients, {args.duration:g} s, py-spy "
        f"{args.rate} Hz; {figures.get('rps', 0):.0f} req/s while sampled); raw stacks: {raw}"
    )
    for who, count in summary["samples"].items():
        print(
            f"\n{who}: {count} busy samples ({summary['share'][who] * 100:.0f}% of all busy; "
            f"{summary['waiting_samples'].get(who, 0)} more blocked in waits, left out)"
        )
        print("  stages (inclusive samples, % of this role):")
        for label, n in summary["stages"].get(who, {}).items():
            print(f"    {label:48} {n:6} {n / count * 100:5.1f}%")
        print("  top functions by own samples:")
        for frame, n in summary["top_self"].get(who, []):
            print(f"    {n:6} {n / count * 100:5.1f}%  {frame[:110]}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return summary


if __name__ == "__main__":
    main()
