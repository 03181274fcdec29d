"""The package's import graph, read from the source with `ast`: no import loop, and imports run one way,
from the command line down to the data model. A new loop or an import from a lower layer back up fails
here. Imports under `if TYPE_CHECKING:` are annotations only and are left out; imports inside functions
count like the others."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kvopt"

# From the bottom up; a module belongs to the layer of its longest listed prefix (a package name covers
# its modules; "kvopt" is only the package face) and may import only modules of its own layer or below.
LAYERS = [
    ("data model", ["kvopt.errors", "kvopt.version", "kvopt.batch_time", "kvopt.hardware", "kvopt.timing",
                    "kvopt.energy",
                    "kvopt.instance", "kvopt.schedule", "kvopt.result", "kvopt.attempt", "kvopt.predictions", "kvopt.io", "kvopt.clock",
                    "kvopt.verify", "kvopt.plugins"]),
    ("method interface", ["kvopt.method"]),
    ("backends and their libraries", ["kvopt.heuristics", "kvopt.sim", "kvopt.policies", "kvopt.bounds",
                                      "kvopt.exact", "kvopt.formulations", "kvopt.patterns", "kvopt.methods", "kvopt.generate",
                                      "kvopt.stats", "kvopt.instances"]),
    ("catalogue", ["kvopt.catalogue"]),
    ("solve", ["kvopt.solve"]),
    ("workflows", ["kvopt.certify", "kvopt.certify_lane", "kvopt.certify_child", "kvopt.claims", "kvopt.sweep", "kvopt.experiments", "kvopt.generate.bundles"]),
    ("reports", ["kvopt.report"]),
    ("command line and package face", ["kvopt.cli", "kvopt.__main__", "kvopt"]),
]
ABOVE_SOLVE = ("kvopt.catalogue", "kvopt.solve", "kvopt.certify")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(tree: ast.AST, module: str, modules: set[str], is_package: bool) -> set[str]:
    """The kvopt modules `module` imports (a `from X import name` of a submodule counts as that module)."""
    found: set[str] = set()
    pending = list(ast.iter_child_nodes(tree))
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _type_checking_only(node):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "kvopt")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            if base.split(".")[0] != "kvopt":
                continue
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules else base)
    return {name for name in found if name in modules and name != module}


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    modules = set(paths)
    return {name: imported(ast.parse(path.read_text(encoding="utf-8")), name, modules, path.name == "__init__.py")
            for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def layer(module: str) -> int:
    matches = [(len(prefix), position) for position, (_, prefixes) in enumerate(LAYERS) for prefix in prefixes
               if module == prefix or (prefix != "kvopt" and module.startswith(prefix + "."))]
    assert matches, f"{module} is in no layer of tests/test_import_graph.py: give it one"
    return max(matches)[1]


def test_the_package_has_no_import_loop():
    assert cycles(import_graph()) == []


def test_imports_run_from_the_command_line_down_to_the_data_model():
    upward = [f"{module} ({LAYERS[layer(module)][0]}) imports {target} ({LAYERS[layer(target)][0]})"
              for module, targets in sorted(import_graph().items()) for target in sorted(targets)
              if layer(target) > layer(module)]
    assert upward == []


def test_nothing_below_solve_imports_solve_certify_or_the_catalogue():
    solve_layer = layer("kvopt.solve")
    offending = [f"{module} imports {target}" for module, targets in sorted(import_graph().items())
                 if layer(module) < solve_layer for target in targets
                 if target in ABOVE_SOLVE and module != "kvopt.catalogue"]
    assert offending == []


def test_the_checker_sees_loops_lazy_imports_and_skips_type_checking_blocks():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kvopt.b import B\n"
              "def f():\n    from kvopt.c import g\n")
    modules = {"kvopt.a", "kvopt.b", "kvopt.c"}
    assert imported(ast.parse(source), "kvopt.a", modules, False) == {"kvopt.c"}
    assert cycles({"kvopt.a": {"kvopt.c"}, "kvopt.c": {"kvopt.a"}, "kvopt.b": set()}) == [["kvopt.a", "kvopt.c"]]
