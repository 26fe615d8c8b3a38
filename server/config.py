"""Where the project's files are, and the named limits; read once, passed around, never global.

Environment variables (prefix ``MSCKG_``) override the defaults, e.g. ``MSCKG_ROOT``.
"""

import os
from dataclasses import dataclass
from pathlib import Path

#: Repository root when running from a checkout (``server/`` sits directly below it).
DEFAULT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ProjectPaths:
    """The hand-edited source folders and the generated build folder of one checkout."""

    root: Path

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

    :param root: explicit root folder, or ``None``.
    :returns: the paths of that project.
    """
    chosen = root or os.environ.get("MSCKG_ROOT") or DEFAULT_ROOT
    return ProjectPaths(Path(chosen).resolve())
