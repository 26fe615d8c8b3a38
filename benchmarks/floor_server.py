"""The floor of the server stack: ``msckg serve``'s HTTP server and Flask app, answering every query with one
constant SPARQL JSON body (no guard, no query worker, no store).

What no query can beat on this stack: bench_http.py measures it in the same run as the real server, so that the
small queries' figures can be read against it (issue 19: ≥ 0.8× this floor where native Oxigraph is out of
reach for a Python server).

    .venv/bin/python benchmarks/floor_server.py --port 8001 [--release build/current]
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT  # noqa: E402

#: A label lookup's answer, as the real server writes it.
BODY = (
    b'{"head":{"vars":["label"]},"results":{"bindings":[{"label":{"type":"literal","value":"bone marrow-derived '
    b'mesenchymal stem cell","xml:lang":"en"}}]}}'
)


class ConstantEngine:
    """An engine that answers every query with :data:`BODY` at once."""

    def query(self, spec: object) -> object:
        """Return the constant answer."""
        from server.engine import QueryResult

        return QueryResult(BODY, "application/sparql-results+json", False, "solutions")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--release", type=Path, default=ROOT / "build" / "current")
    args = parser.parse_args()
    from server.config import Settings
    from server.web.server import serve

    settings = replace(Settings.from_env(args.release), public_url=f"http://127.0.0.1:{args.port}/")
    serve(settings, "127.0.0.1", args.port, ConstantEngine(), source="a constant answer (the floor)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
