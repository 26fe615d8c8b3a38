"""Shared pieces of the nanopub tests: a throw-away signer and a release folder made from a fixture."""

import shutil
from pathlib import Path

from server.config import ProjectPaths, project_paths
from server.release.layout import DATASET_FILE, DUMP_FILE, INFO_FILE

NANOPUB_DATA = Path(__file__).resolve().parent.parent / "data" / "nanopub"
#: The placeholder ORCID iD of the throw-away test signer (allowed in fixtures, refused in a release).
TEST_ORCID = "https://orcid.org/0000-0000-0000-0001"


def write_profile(folder: Path) -> Path:
    """Generate a throw-away RSA key with nanopub-sign and write a nanopub profile naming it."""
    import nanopub_sign

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "id_rsa").write_text(nanopub_sign.KeyPair().private, encoding="utf-8")
    profile = folder / "profile.yml"
    profile.write_text(f"orcid_id: {TEST_ORCID}\nname: Test Signer\nprivate_key: id_rsa\n", encoding="utf-8")
    return profile


def make_release(root: Path, name: str, trig: str) -> ProjectPaths:
    """Lay out ``build/releases/<name>`` holding ``trig`` as the release's dataset and make it current."""
    release = root / "build" / "releases" / name
    release.mkdir(parents=True)
    (release / DATASET_FILE).write_text(trig, encoding="utf-8")
    (release / DUMP_FILE).write_text("", encoding="utf-8")
    (release / INFO_FILE).write_text('{"version": "2026-01-01"}\n', encoding="utf-8")
    current = root / "build" / "current"
    if current.is_symlink():
        current.unlink()
    current.symlink_to(release.relative_to(root / "build"))
    return project_paths(root)


def fixture_release(root: Path, name: str = "2026-01-01-a") -> ProjectPaths:
    """A release made from ``tests/data/nanopub/release.trig``."""
    return make_release(root, name, (NANOPUB_DATA / "release.trig").read_text(encoding="utf-8"))


def keep(path: Path, target: Path) -> Path:
    """Copy a file out of a release folder (old releases are pruned)."""
    shutil.copy(path, target)
    return target
