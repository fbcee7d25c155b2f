"""The shape of the code base (issue 16): grid_cli's modules import one another without a cycle, and only
the command layer (cli.py and commands/) imports typer or rich.

Both read the source with `ast`, so an import inside a function counts as much as one at the top: a
function-local import that only dodges a cycle is still a cycle. An import under `if TYPE_CHECKING:` is
never executed and does not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grid_cli

ROOT = Path(grid_cli.__file__).parent
UI = ("typer", "rich", "click")  # click is typer's own layer


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names imported from it, line) for every import in the file, outside TYPE_CHECKING blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for part in node.body for n in ast.walk(part))
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
        elif isinstance(node, ast.ImportFrom):  # relative: resolved against the file's own package
            package = path.relative_to(ROOT.parent).with_suffix("").parts[:-1]
            base = ".".join(package[: len(package) - node.level + 1])
            module = f"{base}.{node.module}" if node.module else base
            found.append((module, [alias.name for alias in node.names], node.lineno))
    return found


def _graph() -> dict[str, set[str]]:
    """module -> the grid_cli modules it imports (`from grid_cli.ledger import ranges` names the module
    grid_cli.ledger.ranges; `from grid_cli.sync import merge_bundle` the package)."""
    graph = {}
    for name, path in MODULES.items():
        out = set()
        for module, names, _line in _imports(path):
            if module != "grid_cli" and not module.startswith("grid_cli."):
                continue
            subs = [f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES]
            out.update(subs or ([module] if module in MODULES else []))
            if names and len(subs) < len(names) and module in MODULES:
                out.add(module)
        out.discard(name)
        graph[name] = out
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the path that closes it, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_checks_see_the_imports():
    graph = _graph()
    assert len(MODULES) > 100
    assert "grid_cli.place" in graph["grid_cli.sync.admission"]
    assert "grid_cli.ledger.ranges" in graph["grid_cli.sync.merge"]  # `from grid_cli.ledger import ranges as R`
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_grid_cli():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def _ui_layer(name: str) -> bool:
    return name in ("grid_cli.cli", "grid_cli.__main__") or name.startswith("grid_cli.commands.") \
        or name == "grid_cli.commands"


def _ui_imports(names) -> list[str]:
    return [f"{name} line {line}: {module}" for name in names for module, _names, line in _imports(MODULES[name])
            if module.split(".")[0] in UI]


def test_the_core_never_imports_typer_or_rich():
    assert _ui_imports(["grid_cli.cli"])  # the check sees the command layer's imports
    core = sorted(n for n in MODULES if not _ui_layer(n))
    assert "grid_cli.place" in core and "grid_cli.commands.sync" not in core
    bad = _ui_imports(core)
    assert not bad, f"the core imports the command layer's libraries: {bad}"


def test_the_ledger_place_and_security_sit_below_sync():
    """Sync uses the ledger, where a ledger sits and security; none of them reaches back into sync (the
    cycle issue 16 removed: security took refusals and places from sync, sync called back into security)."""
    graph = _graph()
    below = [n for n in graph
             if n.startswith(("grid_cli.ledger", "grid_cli.security")) or n in ("grid_cli.place", "grid_cli.errors")]
    up = sorted(f"{n} -> {m}" for n in below for m in graph[n] if m.startswith("grid_cli.sync"))
    assert below and not up, up
