"""Shared fixtures: the real project, a copy of it in a temporary folder, and a CLI runner.

Paths come from ``__file__``; nothing touches the network.
"""

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.config import ProjectPaths, project_paths
from server.load import Loaded, load_project

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
#: ../shared/reference next to the checkout (CI lays shared/ beside the clone).
REFERENCE = ROOT.parent / "shared" / "reference"
SEED = ROOT.parent / "shared" / "seed" / "000_68435c52fdf4860a.txt"


@pytest.fixture(scope="session")
def paths() -> ProjectPaths:
    return project_paths(ROOT)


@pytest.fixture(scope="session")
def loaded(paths: ProjectPaths) -> Loaded:
    return load_project(paths)


@pytest.fixture
def project_copy(tmp_path: Path) -> ProjectPaths:
    """A throw-away copy of the project's source folders, for tests that break or build things."""
    for folder in ("ontology", "instances", "shapes", "queries"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return project_paths(tmp_path)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
