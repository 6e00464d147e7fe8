"""course_lib is layered: the app imports domains and the toolkit, a domain imports the toolkit,
the toolkit imports only itself, and no import (top-level or inside a function) closes a cycle.

Every import statement of every module is parsed, so a failure names the file and the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "course_lib"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def layer(module: str) -> str:
    """``toolkit``, ``domains`` or ``app``: the second part of a course_lib module's name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ("domains", "app") else "toolkit"


def imports(module: str, modules: dict[str, Path] = MODULES) -> list[tuple[str, int]]:
    """The course_lib modules ``module`` imports, with the line of each import."""
    path = modules[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                     for a in node.names]
        else:
            continue
        found += [(n, node.lineno) for n in names if n in modules and n != module]
    return found


GRAPH = {m: imports(m) for m in MODULES}


def allowed(source: str, target: str) -> bool:
    """Whether ``source`` may import ``target``: app -> domains -> toolkit, no domain -> domain."""
    if target in ("course_lib.domains", "course_lib.app") or layer(target) == "toolkit":
        return True  # the two subpackages' __init__ files hold no code
    return layer(source) == "app"


def test_no_import_against_the_layers():
    wrong = [f"{MODULES[m].relative_to(PACKAGE.parent)}:{line} imports {t} "
             f"({layer(m)} -> {layer(t)})"
             for m, edges in GRAPH.items() for t, line in edges if not allowed(m, t)]
    assert not wrong, ("imports go app -> domains -> toolkit, and no domain imports another; "
                       "move the code to the lower layer or pass it in:\n" + "\n".join(wrong))


def find_cycles(graph: dict, modules: dict[str, Path] = MODULES) -> list[str]:
    """Every import cycle once (from its alphabetically first module), with its lines."""
    root = min(modules.values(), key=lambda p: len(p.parts)).parent.parent  # above course_lib/
    cycles = []
    for start in modules:
        stack = [(start, [start], [])]
        while stack:
            node, path, lines = stack.pop()
            for target, line in graph[node]:
                where = f"{modules[node].relative_to(root).as_posix()}:{line}"
                if target == start:
                    cycles.append(" -> ".join(path + [start])
                                  + "  (" + ", ".join(lines + [where]) + ")")
                elif target not in path and target > start:
                    stack.append((target, path + [target], lines + [where]))
    return sorted(set(cycles))


def test_no_import_cycle():
    cycles = find_cycles(GRAPH)
    assert not cycles, ("import cycles (break one import: move the shared code down):\n"
                        + "\n".join(cycles))


def test_the_layers_are_where_the_readme_says():
    assert {layer(m) for m in MODULES} == {"toolkit", "domains", "app"}
    assert {m.rpartition(".")[2] for m in MODULES if layer(m) == "domains"} >= {
        "deepsea", "resistance", "language", "recurrent", "capstone"}
    assert {m.rpartition(".")[2] for m in MODULES if layer(m) == "app"} >= {
        "cli", "runner", "site", "slurm", "train"}


def test_the_checks_see_a_cycle_and_a_wrong_import(tmp_path):
    """The parser and the rule fail where they should, on a small package written for the test."""
    fake = tmp_path / "course_lib"
    (fake / "domains").mkdir(parents=True)
    for name, text in {"__init__.py": "", "domains/__init__.py": "",
                       "a.py": "def f():\n    from course_lib import b\n",
                       "b.py": "from course_lib.a import f\n",
                       "c.py": "from course_lib.domains import d\n",
                       "domains/d.py": "import course_lib.a\nfrom course_lib.domains import e\n",
                       "domains/e.py": ""}.items():
        (fake / name).write_text(text)
    modules = {module_name(p, fake): p for p in fake.rglob("*.py")}
    graph = {m: imports(m, modules) for m in modules}
    assert graph["course_lib.a"] == [("course_lib.b", 2)]  # inside a function, too
    assert graph["course_lib.b"] == [("course_lib.a", 1)]  # the cycle a <-> b
    assert graph["course_lib.domains.d"] == [("course_lib.a", 1), ("course_lib.domains.e", 2)]
    assert not allowed("course_lib.c", "course_lib.domains.d")  # toolkit -> domain
    assert not allowed("course_lib.domains.d", "course_lib.domains.e")  # domain -> domain
    assert allowed("course_lib.domains.d", "course_lib.a")
    assert allowed("course_lib.app.cli", "course_lib.domains.d")
    assert find_cycles(graph, modules) == [
        "course_lib.a -> course_lib.b -> course_lib.a  (course_lib/a.py:2, course_lib/b.py:1)"]
