"""Every public function of the package documents its parameters and return value (Sphinx fields).

Ruff's pydoclint rules read only Google/NumPy docstrings, so this test checks our Sphinx-style ones.
"""

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

MODULES = sorted((ROOT / "server").rglob("*.py"))


def _public_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            found.append(node)
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            found.extend(n for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_"))
    return found


def _is_entry_point(fn: ast.FunctionDef) -> bool:
    return any(
        isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ("command", "group", "route")
        for d in fn.decorator_list
    )


@pytest.mark.parametrize("module", MODULES, ids=[str(m.relative_to(ROOT)) for m in MODULES])
def test_sphinx_fields(module: Path) -> None:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    problems = []
    for fn in _public_functions(tree):
        doc = ast.get_docstring(fn)
        if not doc:
            problems.append(f"{fn.name}: no docstring")
            continue
        if _is_entry_point(fn) or "@property" in {ast.unparse(d) for d in fn.decorator_list}:
            continue
        params = [a.arg for a in fn.args.args + fn.args.kwonlyargs if a.arg not in ("self", "cls")]
        if len(doc.splitlines()) == 1 and len(params) <= 0:
            continue  # a one-line docstring is enough for a method without parameters
        problems += [f"{fn.name}: no ':param {p}:'" for p in params if f":param {p}:" not in doc]
        returns = fn.returns is not None and ast.unparse(fn.returns) not in ("None", "NoReturn")
        if returns and ":returns:" not in doc:
            problems.append(f"{fn.name}: no ':returns:'")
    assert not problems, "\n".join(problems)
