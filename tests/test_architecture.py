"""The package's layers (docs/architecture.md): no module imports from a layer above its own.

Imports are read with ``ast`` (module-level and inside functions), relative imports resolved.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: Layer of each top-level part of the package, bottom first; a module may import its own layer and below.
LAYERS: dict[str, int] = {
    "server": 0,
    "server.config": 0,
    "server.namespaces": 0,
    "server.iris": 0,
    "server.errors": 0,
    "server.files": 0,
    "server.curation": 1,
    "server.links": 2,
    "server.checks": 3,
    "server.release": 4,
    "server.engine": 5,
    "server.web": 6,
    "server.cli": 7,
    "server.__main__": 7,
}


def module_name(package_root: Path, path: Path) -> str:
    """Dotted name of a source file below the folder that holds the package."""
    parts = list(path.relative_to(package_root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    """The layer of a module: its longest prefix in :data:`LAYERS` (``None`` if outside the package)."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in LAYERS and (end > 1 or module == "server"):
            return LAYERS[prefix]
    return None


def imported_modules(path: Path, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, module) of every import of ``server…`` in a file, relative imports resolved."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # ``from server import errors`` imports the submodule ``server.errors``
            found += [(node.lineno, f"{base}.{alias.name}" if base == "server" else base) for alias in node.names]
    return [(line, name) for line, name in found if name == "server" or name.startswith("server.")]


def layer_violations(package_root: Path) -> list[str]:
    """Every import from a higher layer, as ``file:line: a (layer n) imports b (layer m)``."""
    problems = []
    for path in sorted((package_root / "server").rglob("*.py")):
        module = module_name(package_root, path)
        own = layer_of(module)
        if own is None:
            problems.append(f"{path.relative_to(package_root)}: module {module} has no layer in LAYERS")
            continue
        for line, target in imported_modules(path, module, path.name == "__init__.py"):
            theirs = layer_of(target)
            if theirs is not None and theirs > own:
                where = f"{path.relative_to(package_root)}:{line}"
                problems.append(f"{where}: {module} (layer {own}) imports {target} (layer {theirs})")
    return problems


def test_no_module_imports_a_higher_layer() -> None:
    assert layer_violations(ROOT) == []


def test_every_subpackage_says_what_it_owns_and_may_import() -> None:
    for init in sorted((ROOT / "server").glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "import" in doc, f"{init}: the docstring must say what the subpackage may import"


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("server/config.py", "from server.engine import pool\n", "server.config (layer 0) imports server.engine"),
        ("server/curation/load.py", "from ..checks import qc\n", "curation.load (layer 1) imports server.checks"),
        ("server/engine/pool.py", "def f():\n    import server.web.sparql\n", "imports server.web.sparql (layer 6)"),
        ("server/links/obo.py", "from server import cli\n", "server.links.obo (layer 2) imports server.cli (layer 7)"),
    ],
)
def test_the_check_catches_an_upward_import(tmp_path: Path, module: str, source: str, expected: str) -> None:
    target = tmp_path / module
    target.parent.mkdir(parents=True)
    for folder in (tmp_path / "server", target.parent):
        (folder / "__init__.py").write_text('"""A package; it may import the ground floor."""\n', encoding="utf-8")
    target.write_text(source, encoding="utf-8")
    (problem,) = layer_violations(tmp_path)
    assert expected in problem and problem.startswith(module)


def test_an_unknown_top_level_module_is_named(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    (tmp_path / "server" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "server" / "helpers.py").write_text("", encoding="utf-8")
    assert layer_violations(tmp_path) == ["server/helpers.py: module server.helpers has no layer in LAYERS"]
