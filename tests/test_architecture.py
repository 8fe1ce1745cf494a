"""The code keeps its layers (docs/architecture.md): no import circles in marketplace/, domain
code never imports the wiring in config/, no workflow imports another, the kernel imports no
workflow. Every import counts, also those inside functions."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
WORKFLOWS = {"bookings", "sampletesting", "residency", "inquiries"}
# Apps beside the workflows: they may import the kernel and catalogue, and hear about the
# workflows only through registrations and signals (neither side imports the other).
BESIDE_WORKFLOWS = {"vouchers"}
# The kernel every workflow builds on; it knows no workflow (payables register themselves).
KERNEL = {"accounts", "notifications", "payments", "workflow", "workflow_pages", "api", "money"}
KERNEL |= {"uploads", "regions", "csv_safety", "pdf_probe", "completions", "gc_pause"}
KERNEL |= {"model_fields", "api_views", "charts", "commands", "quota", "translation"}
KERNEL |= {"statements", "signed_in", "pg_times"}


def _modules() -> dict[str, Path]:
    modules = {}
    for top in ("marketplace", "cms", "search", "config"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """module → the project modules it imports (relative imports resolved)."""
    modules = _modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    module = node.module or ""
                targets = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges[name].add(target)
    return edges


def _part(module: str) -> str:
    """marketplace.bookings.services → bookings; config.urls → config."""
    parts = module.split(".")
    return parts[1] if parts[0] == "marketplace" and len(parts) > 1 else parts[0]


def _cycles(edges: dict[str, set[str]], within: str) -> list[list[str]]:
    nodes = [node for node in edges if node.startswith(within)]
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if not other.startswith(within):
                continue
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
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

    for node in nodes:
        if node not in index:
            visit(node)
    return found


def test_no_import_circles_between_marketplace_files():
    assert _cycles(import_graph(), "marketplace") == []


@pytest.mark.parametrize("package", ["cms", "search", "config"])
def test_no_import_circles_between_files_of_the_other_packages(package):
    assert _cycles(import_graph(), package) == []


def test_domain_code_does_not_import_the_wiring_in_config():
    offenders = [
        f"{source} → {target}"
        for source, targets in import_graph().items()
        for target in targets
        if not source.startswith("config") and target.startswith("config")
    ]
    assert offenders == []


def test_no_workflow_imports_another_workflow():
    offenders = [
        f"{source} → {target}"
        for source, targets in import_graph().items()
        for target in targets
        if source.startswith("marketplace.")
        and _part(source) in WORKFLOWS
        and _part(target) in WORKFLOWS
        and _part(source) != _part(target)
    ]
    assert offenders == []


def test_the_kernel_imports_no_workflow_and_nothing_above_it():
    offenders = [
        f"{source} → {target}"
        for source, targets in import_graph().items()
        for target in targets
        if source.startswith("marketplace.")
        and _part(source) in KERNEL
        and target.startswith("marketplace.")
        and _part(target) not in KERNEL
    ]
    assert offenders == []


def test_the_graph_sees_imports_inside_functions_and_relative_ones():
    """The checks above are only as good as the graph: it must see what the code imports."""
    edges = import_graph()
    assert "marketplace.payments.services" in edges["marketplace.bookings.services"]
    # bookings/apps.py imports its calendar module inside ready(), relatively.
    assert "marketplace.bookings.calendar" in edges["marketplace.bookings.apps"]


def test_apps_beside_the_workflows_and_the_workflows_ignore_each_other():
    offenders = [
        f"{source} → {target}"
        for source, targets in import_graph().items()
        for target in targets
        if source.startswith("marketplace.")
        and target.startswith("marketplace.")
        and (
            (_part(source) in BESIDE_WORKFLOWS and _part(target) in WORKFLOWS)
            or (_part(source) in WORKFLOWS and _part(target) in BESIDE_WORKFLOWS)
        )
    ]
    assert offenders == []


def test_no_import_circles_across_packages_at_most_one():
    """Circles that run between packages (e.g. search ↔ cms) count too: one at the most."""
    assert len(_cycles(import_graph(), "")) <= 1


# The layers of docs/architecture.md, lowest first: a module may import its own layer and the
# ones below. `marketplace` itself (the package) and its small shared modules are the kernel.
LAYERS = {
    "kernel": KERNEL | {"countries", "marketplace"},
    "catalogue": {"catalogue", "search"},
    "workflows": WORKFLOWS | BESIDE_WORKFLOWS,
    "top": {"sharing", "oversight", "workspace", "demo", "cms"},
    "wiring": {"config"},
}
LAYER_OF = {part: rank for rank, parts in enumerate(LAYERS.values()) for part in parts}
# Today's imports that run back up: search indexes and facets the CMS's pages (search.documents,
# search.facets, search.signals → cms.models), imported inside functions.
MAX_IMPORTS_UP = 5


def imports_up() -> list[str]:
    return [
        f"{source} → {target}"
        for source, targets in sorted(import_graph().items())
        for target in sorted(targets)
        if LAYER_OF[_part(target)] > LAYER_OF[_part(source)]
    ]


def test_every_module_has_a_layer():
    modules = {*import_graph(), *(t for targets in import_graph().values() for t in targets)}
    assert sorted({_part(module) for module in modules} - LAYER_OF.keys()) == []


def test_few_imports_run_back_up_from_a_lower_layer_to_a_higher_one():
    assert len(imports_up()) <= MAX_IMPORTS_UP, imports_up()


def test_the_layer_check_sees_an_import_up():
    """A kernel module importing a workflow would be counted (the check is not vacuous)."""
    assert LAYER_OF[_part("marketplace.bookings.services")] > LAYER_OF[_part("marketplace.api")]
    assert LAYER_OF[_part("config.api")] > LAYER_OF[_part("search.documents")]
