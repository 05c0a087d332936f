"""Print the architecture figures the architecture issue asks to watch.

Run: ``.venv/bin/python scripts/arch_figures.py`` (add ``--json`` for machine-readable output).

Each figure is read from the code itself (Python's ``ast`` and the app's own ``/openapi.json``),
so the numbers in a closing note can be re-measured by anyone from the same commit.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PKG = SRC / "liuhen"
# Declarative data: tables of acts and document fields, exempt from the 600-line file aim.
DECLARATIVE = {"liuhen/procedure/catalog.py", "liuhen/documents/types.py"}
ROLE_NAMES = ("officer", "reviewer", "head", "archivist", "supervisor", "admin")


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    text: str
    imports: set[str] = field(default_factory=set)


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def load_modules() -> dict[str, Module]:
    out: dict[str, Module] = {}
    for path in sorted(PKG.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        out[module_name(path)] = Module(module_name(path), path, ast.parse(text), text)
    return out


def resolve(mod: Module, node: ast.ImportFrom | ast.Import, known: set[str]) -> set[str]:
    """The liuhen modules an import statement names (``from a import b`` may name module a.b)."""
    targets: set[str] = set()
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name.startswith("liuhen")} & known
    base = node.module or ""
    if node.level:
        pkg = mod.name.split(".")
        if mod.path.name != "__init__.py":
            pkg = pkg[:-1]
        pkg = pkg[: len(pkg) - (node.level - 1)]
        base = ".".join([*pkg, base] if base else pkg)
    if not base.startswith("liuhen"):
        return targets
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        targets.add(sub if sub in known else base)
    return targets & known


def type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def collect_imports(mods: dict[str, Module]) -> list[tuple[str, int, str]]:
    """Fill each module's imports; return the imports placed inside functions."""
    known = set(mods)
    inner: list[tuple[str, int, str]] = []
    for mod in mods.values():
        lines = mod.text.splitlines()

        def visit(
            node: ast.AST, in_function: bool, mod: Module = mod, lines: list[str] = lines
        ) -> None:
            for child in ast.iter_child_nodes(node):
                if type_checking_block(child):
                    continue
                if isinstance(child, ast.Import | ast.ImportFrom):
                    mod.imports |= resolve(mod, child, known)
                    if in_function:
                        inner.append((mod.name, child.lineno, lines[child.lineno - 1].strip()))
                nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                visit(child, nested)

        visit(mod.tree, False)
    return inner


def sccs(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of size > 1: each is at least one import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]
    sys.setrecursionlimit(10_000)

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp: list[str] = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def package_of(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else name


def functions(mods: dict[str, Module]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for mod in mods.values():
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                out.append((length, f"{mod.path.relative_to(SRC)}:{node.lineno} {node.name}"))
    return sorted(out, reverse=True)


def openapi_figures() -> dict[str, Any]:
    """JSON operations in the app's own ``/openapi.json`` and how many describe their response."""
    sys.path.insert(0, str(SRC))
    from liuhen.entrypoints.web import create_app
    from liuhen.kernel import instance
    from liuhen.kernel import settings as settings_mod

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_mod.load({"LIUHEN_DATA_DIR": tmp})
        instance.init(settings)
        app = instance.open_app(settings)
        try:
            doc = create_app(app).openapi()
        finally:
            app.engine.dispose()
    described: list[str] = []
    bare: list[str] = []
    for path, ops in doc.get("paths", {}).items():
        for method, op in ops.items():
            for status, resp in op.get("responses", {}).items():
                if not status.startswith("2"):
                    continue
                schema = resp.get("content", {}).get("application/json", {}).get("schema")
                if schema is None:
                    continue
                named = "$ref" in json.dumps(schema)  # a model, not a bare ``object``
                (described if named else bare).append(f"{method.upper()} {path}")
    return {"json_routes": len(described) + len(bare), "with_response_model": len(described),
            "without": sorted(bare)}  # fmt: skip


def count(pattern: str, where: list[Module]) -> int:
    rx = re.compile(pattern, re.MULTILINE)
    return sum(len(rx.findall(m.text)) for m in where)


def main() -> None:
    mods = load_modules()
    inner = collect_imports(mods)
    graph = {m.name: m.imports - {m.name} for m in mods.values()}
    pkg_graph: dict[str, set[str]] = defaultdict(set)
    for name, targets in graph.items():
        for t in targets:
            if package_of(t) != package_of(name):
                pkg_graph[package_of(name)].add(package_of(t))
    files = sorted(((m.text.count("\n"), str(m.path.relative_to(SRC))) for m in mods.values()),
                   reverse=True)  # fmt: skip
    code_files = [f for f in files if f[1] not in DECLARATIVE]
    funcs = functions(mods)
    services = [m for m in mods.values() if not m.name.startswith("liuhen.kernel.db")]
    role_literals = count(r"""["'](?:""" + "|".join(ROLE_NAMES) + r""")["']""", list(mods.values()))
    figures: dict[str, Any] = {
        "lines_in_src": sum(f[0] for f in files),
        "longest_functions": [f"{n} lines  {w}" for n, w in funcs[:5]],
        "functions_over_60_lines": sum(1 for n, _ in funcs if n > 60),
        "longest_files": [f"{n} lines  {w}" for n, w in files[:5]],
        "longest_code_file": f"{code_files[0][0]} lines  {code_files[0][1]}",
        "files_over_600_lines_outside_data": sum(1 for n, _ in code_files if n > 600),
        "package_import_cycles": sccs(pkg_graph),
        "module_import_cycles": sccs(graph),
        "in_function_imports": len(inner),
        "in_function_imports_uncommented": [f"{m}:{n} {t}" for m, n, t in inner if "#" not in t],
        "dataclasses_and_models": count(
            r"^@dataclass|^class \w+\((?:BaseModel|_Model|Model)\b", list(mods.values())
        ),
        # JSON whose shape is data (liuhen.payloads), counted apart from dict[str, Any]
        "payload_aliases": {
            name: count(rf"\b{name}\b", [m for m in mods.values() if m.name != "liuhen.payloads"])
            for name in ("FieldValues", "JsonObject")
        },
        # third-party libraries loaded on first use through liuhen.lazy instead of in a function
        "lazy_library_modules": sorted(
            f"{mod.name}: {lib}"
            for mod in mods.values()
            if mod.name != "liuhen.lazy"  # its docstring shows the pattern
            for lib in re.findall(r'lazy\.module\("([\w.]+)"\)', mod.text)
        ),
        "dict_str_any": count(r"dict\[str, Any\]", list(mods.values())),
        "role_string_literals": role_literals,
        "store_T_lookups": count(r"""\bT\[["']""", list(mods.values())),
        "raw_engine_calls_outside_kernel_db": count(r"engine\.(?:connect|begin)\(", services),
        "handles_errors": count(r"@handles_errors", list(mods.values())),
        "openapi": openapi_figures(),
    }
    if "--json" in sys.argv:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    for key, value in figures.items():
        if isinstance(value, list):
            print(f"{key}: {len(value)}")
            for item in value:
                print(f"    {item}")
        elif isinstance(value, dict):
            for k, v in value.items():
                shown = len(v) if isinstance(v, list) else v
                print(f"{key}.{k}: {shown}")
        else:
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
