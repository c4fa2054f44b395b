"""The rooms of the package and the one-way order of their imports (docs/architecture.md).

Every import of every module counts, the ones inside functions too: a lazy import
that runs back up is still a dependency on a higher layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("simulate", "distributions", "scenarios", "results")

# Lowest first. A module may import its own room and any room of a lower layer; rooms of
# one layer do not import each other.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("distributions",),
    ("scenarios",),
    ("simulate.model",),
    ("results",),
    ("simulate.engine",),
    ("simulate.sensitivity", "simulate.decisions", "simulate.calibration"),
    ("simulate.cli", "simulate"),
)
RANK = {room: rank for rank, rooms in enumerate(LAYERS) for room in rooms}


def room_of(module: str) -> str:
    """The room of a dotted module name: its longest prefix that is a room."""
    parts = module.split(".")
    for size in range(len(parts), 0, -1):
        prefix = ".".join(parts[:size])
        if prefix in RANK:
            return prefix
    raise KeyError(module)


def package_sources(root: Path = ROOT) -> dict[str, str]:
    """Source text of every first-party module, by dotted name."""
    sources = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            sources[".".join(parts)] = path.read_text()
    return sources


def imported_modules(module: str, source: str, known: set[str]) -> set[str]:
    """First-party modules that ``module`` imports anywhere in its source."""
    is_package = any(name.startswith(module + ".") for name in known)
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            # ``from package import submodule`` imports the submodule.
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module -> first-party modules it imports."""
    known = set(sources)
    return {module: imported_modules(module, text, known) for module, text in sources.items()}


def back_imports(graph: dict[str, set[str]]) -> list[str]:
    """Imports against the layer order, as ``"a -> b (room x may not import room y)"``."""
    wrong = []
    for module, targets in sorted(graph.items()):
        room = room_of(module)
        for target in sorted(targets):
            other = room_of(target)
            if other == room:
                continue
            if RANK[other] >= RANK[room]:
                wrong.append(f"{module} -> {target} ({room} may not import {other})")
    return wrong


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_module_belongs_to_a_room():
    for module in package_sources():
        room_of(module)  # raises KeyError for a module outside every room


def test_imports_follow_the_layer_order():
    assert back_imports(import_graph(package_sources())) == []


def test_no_import_cycles():
    assert cycles(import_graph(package_sources())) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        (
            "simulate.model._probe",
            "def f():\n    from simulate.cli.main import main\n",
            "simulate.model._probe -> simulate.cli.main (simulate.model may not import "
            "simulate.cli)",
        ),
        (
            "results._probe",
            "from simulate.engine.montecarlo import run\n",
            "results._probe -> simulate.engine.montecarlo (results may not import simulate.engine)",
        ),
        (
            "simulate.decisions._probe",
            "from simulate.sensitivity import sobol\n",
            "simulate.decisions._probe -> simulate.sensitivity.sobol (simulate.decisions may "
            "not import simulate.sensitivity)",
        ),
        (
            "distributions._probe",
            "from ..scenarios import loader\n",
            "distributions._probe -> scenarios.loader (distributions may not import scenarios)",
        ),
    ],
)
def test_a_back_import_is_caught(module, source, expected):
    clean = set(back_imports(import_graph(package_sources())))
    probed = set(back_imports(import_graph(package_sources() | {module: source})))
    assert probed - clean == {expected}


def test_a_cycle_is_caught():
    sources = package_sources() | {
        "distributions._probe_a": "from distributions import _probe_b\n",
        "distributions._probe_b": "from ._probe_a import x\n",
    }
    assert ["distributions._probe_a", "distributions._probe_b"] in cycles(import_graph(sources))
