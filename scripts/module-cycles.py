#!/usr/bin/env python3
"""Fails when the modules of src/core import each other in a circle.

Builds the graph of `crate::core::a::b` and `super::` paths of every file under src/core,
collapses it to sibling modules at every level (core's children, then each child's children),
and looks for a cycle among siblings. A file that only adds `impl` blocks to the engine (its
children) may name the engine root; that is the engine's own split, not a circle.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent / "src" / "core"


def module_of(path: pathlib.Path) -> tuple:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    return tuple(parts)


def imports(path: pathlib.Path, module: tuple) -> set:
    text = path.read_text()
    # Test code may reach anywhere.
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
    found = set()
    is_root = path.name == "mod.rs"
    # `crate::core::a::b`, `super::a`, and their braced forms `super::{a, b::c}`.
    for m in re.finditer(r"\b(crate::core|super)::((?:\w+::)*)(\w+|\{[^}]*\})", text):
        if m.group(1) == "super":
            base = module[:-1] if is_root else module[:-1]
        else:
            base = ()
        prefix = tuple(p for p in m.group(2).split("::") if p)
        last = m.group(3)
        names = [n.strip() for n in last.strip("{}").split(",")] if last.startswith("{") else [last]
        for name in names:
            head = tuple(p for p in re.split(r"::", name.split(" as ")[0].strip()) if p and p != "self")
            found.add(base + prefix + head)
    return found


def main() -> int:
    files = [p for p in ROOT.rglob("*.rs") if "tests" not in p.relative_to(ROOT).parts]
    modules = {module_of(p): p for p in files}
    edges = set()
    for module, path in modules.items():
        for target in imports(path, module):
            # The longest known module the path names.
            while target and target not in modules:
                target = target[:-1]
            if target and target != module:
                edges.add((module, target))
    # Collapse to siblings: for an edge a -> b, the children of their common parent.
    sibling_edges = {}
    for a, b in edges:
        common = 0
        while common < min(len(a), len(b)) and a[common] == b[common]:
            common += 1
        if common == len(b):
            # A module naming its own ancestor: a circle (the ancestor declares it), unless it
            # only adds `impl` blocks to the engine, which is the engine's own split.
            if "impl<" not in modules[a].read_text() or " Engine<" not in modules[a].read_text():
                print(f"cycle: {'::'.join(('core',) + a)} imports its ancestor {'::'.join(('core',) + b)}")
                return 1
            continue
        if common == len(a):
            continue  # a module naming its own descendant
        parent, x, y = a[:common], a[common], b[common]
        sibling_edges.setdefault(parent, set()).add((x, y))
    for parent, pairs in sorted(sibling_edges.items()):
        graph = {}
        for x, y in pairs:
            graph.setdefault(x, set()).add(y)
        state = {}

        def visit(node, trail):
            state[node] = 1
            for nxt in sorted(graph.get(node, ())):
                if state.get(nxt) == 1:
                    cycle = trail[trail.index(nxt):] + [nxt]
                    where = "::".join(("core",) + parent)
                    print(f"cycle in {where}: {' -> '.join(cycle)}")
                    return True
                if state.get(nxt) is None and visit(nxt, trail + [nxt]):
                    return True
            state[node] = 2
            return False

        for node in sorted(graph):
            if state.get(node) is None and visit(node, [node]):
                return 1
    print(f"{len(modules)} modules of src/core, no cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
