"""OWL 2 DL profile check of the merged graph (what HermiT assumes), by the OWL API's own ``OWL2DLProfile``.

The OWL API comes with owlready2 (its Pellet folder ships ``owlapi-distribution-3.4.3-bin.jar``); a twenty-line
Java program (``java/DLProfile.java``, run by Java 17's single-file source launcher) loads the merged graph,
written as RDF/XML, and prints every violation the profile reports: punning across property kinds, undeclared
entities, reserved vocabulary, non-simple properties in cardinality restrictions, datatypes outside the map …
"""

import shutil
import subprocess  # noqa: S404 - runs the JVM on a file we wrote
import tempfile
from importlib.resources import files
from pathlib import Path

import owlready2
from rdflib import Graph

from server.errors import InconsistentOntology, ReasonerUnavailable

#: The OWL API release that owlready2 ships, and our program that asks it for the DL profile.
OWLAPI_JAR = Path(owlready2.__file__).parent / "pellet" / "owlapi-distribution-3.4.3-bin.jar"
PROGRAM = files("server.checks") / "java" / "DLProfile.java"
#: Seconds the check may take (loading 10 000 triples takes about 2 s).
TIMEOUT = 300


def dl_violations(graph: Graph) -> list[str]:
    """List the OWL 2 DL profile violations of ``graph`` as the OWL API reports them.

    :param graph: merged ontology and data.
    :returns: one line per violation, empty when the graph is in the profile.
    :raises ReasonerUnavailable: if Java, its source launcher or the OWL API jar is missing, or the check fails.
    """
    java = shutil.which("java")
    if java is None:
        raise ReasonerUnavailable("the OWL 2 DL profile check needs Java: no 'java' on PATH")
    if not OWLAPI_JAR.is_file():
        raise ReasonerUnavailable(f"the OWL API jar is missing: {OWLAPI_JAR}")
    with tempfile.TemporaryDirectory(prefix="msckg-profile-") as tmp:
        document = Path(tmp) / "merged.owl"
        graph.serialize(document, format="xml", encoding="utf-8")
        command = [java, "-cp", str(OWLAPI_JAR), str(PROGRAM), str(document)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)  # noqa: S603
        except subprocess.TimeoutExpired as exc:
            raise ReasonerUnavailable(f"the OWL 2 DL profile check took more than {TIMEOUT} s") from exc
    if done.returncode not in (0, 1) or (done.returncode == 1 and not done.stdout.strip()):
        raise ReasonerUnavailable(f"the OWL 2 DL profile check failed: {done.stderr.strip()[-500:]}")
    return [line for line in done.stdout.splitlines() if line.strip()]


def require_dl(graph: Graph) -> None:
    """Raise unless ``graph`` is in the OWL 2 DL profile.

    :param graph: merged ontology and data.
    :raises InconsistentOntology: listing the violations (the ontology is not OWL 2 DL).
    :raises ReasonerUnavailable: if the check cannot run.
    """
    problems = dl_violations(graph)
    if problems:
        raise InconsistentOntology("not in the OWL 2 DL profile: " + "; ".join(problems[:10]), problems)
