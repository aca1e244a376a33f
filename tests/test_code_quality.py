"""The test command also keeps the code clean: ruff (lint and format) and strict mypy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(command):
    result = subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- the layers -------------------------------------------------------------------------

SRC = ROOT / "src" / "srochno"

LAYERS: list[set[str]] = [
    # The foundation: vocabulary, plumbing and kits, no domain.
    {
        "__init__",
        "config",
        "clock",
        "ids",
        "logs",
        "enums",
        "catalog",
        "errors",
        "metrics",
        "responses",
        "schemas",
        "body_limit",
        "db",
        "embedded",
        "models",
        "migrations",
        "jobs",
        "ratelimit",
        "telegram",
        "contacts",
        "geo",
        "mail",
        "docs",
        "shutdown",
    },
    {"state"},
    {"users", "staff"},
    {"auth"},
    {"ledger"},
    {"orders"},
    {"reviews", "payments", "push"},
    {"bot"},
    {"notifications"},
    {"events"},
    {"worker"},
    {"admin", "monitoring", "webapp", "health"},
    {"error_handlers", "edge", "app"},
    {"cli", "__main__"},
]
"""Bottom to top: a module imports modules of its own layer or below, never above (a
router importing ``auth`` aside)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """The ``srochno`` modules ``path`` imports (lazy imports inside functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("srochno")}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "srochno":
                continue
            for alias in node.names:  # `from srochno.x import y`: y may be a module itself
                candidate = f"{node.module}.{alias.name}"
                base = SRC.parent / Path(*candidate.split("."))
                exists = base.with_suffix(".py").exists() or (base / "__init__.py").exists()
                found.add(candidate if exists else node.module)
    return found


def layer_of(module: str) -> int:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    for index, layer in enumerate(LAYERS):
        if top in layer:
            return index
    raise AssertionError(f"{module} belongs to no layer: place it in LAYERS")


def import_graph() -> dict[str, set[str]]:
    return {module_name(path): imported_modules(path) for path in sorted(SRC.rglob("*.py"))}


def test_imports_run_downwards() -> None:
    upward = [
        f"{module} -> {target}"
        for module, targets in import_graph().items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
        and not (module.endswith(".router") and target.startswith("srochno.auth"))
    ]
    assert upward == []


def test_no_import_circles() -> None:
    graph = import_graph()
    state: dict[str, str] = {}
    circles: list[str] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in graph:
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_what_a_transaction_queues_loads_no_telegram_library() -> None:
    code = "import sys, srochno.jobs; print('aiogram' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
