"""Which aws_cdk names and constructor keywords the library uses that an aws-cdk-lib version lacks.

    python scripts/cdk_inventory.py DIR

DIR holds an ``aws_cdk`` package: a site-packages folder, or a wheel unzipped with
``pip download --no-deps aws-cdk-lib==X`` and ``unzip 'aws_cdk/*.py'``. The script walks lambda_constructs/,
stacks/ and app.py (AST), resolves every ``aws_cdk`` module alias or imported name to ``module.Class.member``,
records the keywords of each direct ``Class(...)`` call, and looks each up in DIR's generated Python bindings.
It prints what is missing (empty: the version has everything the code names). Methods called on instances and
props passed as objects are not resolved statically: the floor job (``make test-floor``) covers those.
This is how the floor 2.220.0 was checked (docs/compatibility.md).
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sources() -> list[Path]:
    return [
        *sorted((ROOT / "lambda_constructs").rglob("*.py")),
        *sorted((ROOT / "stacks").glob("*.py")),
        ROOT / "app.py",
    ]


def inventory() -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """(module, 'Class' or 'Class.member') -> files; (module, 'Class') -> keywords of direct calls."""
    uses: dict[tuple[str, str], set[str]] = defaultdict(set)
    keywords: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in _sources():
        tree = ast.parse(path.read_text())
        names: dict[str, tuple[str, str]] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("aws_cdk"):
                for alias in node.names:
                    if node.module == "aws_cdk" and alias.name.startswith("aws_"):
                        names[alias.asname or alias.name] = (f"aws_cdk.{alias.name}", "")
                    else:
                        names[alias.asname or alias.name] = (node.module, alias.name)

        def chain(node: ast.expr, names: dict[str, tuple[str, str]] = names) -> tuple[str, list[str]] | None:
            parts: list[str] = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name) and node.id in names:
                module, base = names[node.id]
                return module, ([base] if base else []) + parts[::-1]
            return None

        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute | ast.Name):
                found = chain(node)
                if found and found[1]:
                    uses[(found[0], ".".join(found[1][:2]))].add(path.name)
            if isinstance(node, ast.Call):
                found = chain(node.func)
                if found and len(found[1]) == 1:
                    keywords[(found[0], found[1][0])].update(k.arg for k in node.keywords if k.arg)
    return uses, keywords


def missing(site: Path) -> list[str]:
    """What ``site``'s aws_cdk lacks of the inventory, one line each."""
    texts: dict[str, str] = {}

    def text(module: str) -> str:
        if module not in texts:
            init = site / module.replace(".", "/") / "__init__.py"
            texts[module] = init.read_text() if init.is_file() else ""
        return texts[module]

    def body(module: str, cls: str) -> str | None:
        match = re.search(rf"^class {cls}\b.*?(?=^class |\Z)", text(module), re.S | re.M)
        return match.group(0) if match else None

    uses, keywords = inventory()
    lines: list[str] = []
    for (module, dotted), files in sorted(uses.items()):
        parts = dotted.split(".")
        cls = body(module, parts[0])
        if cls is None:
            if not re.search(rf"^(def {parts[0]}\b|{parts[0]} = )", text(module), re.M):
                lines.append(f"{module}.{dotted}: missing ({', '.join(sorted(files))})")
            continue
        member = rf"(def {parts[1]}\b|\b{parts[1]} = |class {parts[1]}\b)" if len(parts) > 1 else ""
        if member and not re.search(member, cls):
            lines.append(f"{module}.{dotted}: member missing ({', '.join(sorted(files))})")
    for (module, cls_name), names in sorted(keywords.items()):
        cls = body(module, cls_name)
        signature = re.search(r"def __init__\((.*?)\) -> None", cls, re.S) if cls else None
        if signature:
            lines.extend(
                f"{module}.{cls_name}({name}=...): keyword missing"
                for name in sorted(names)
                if not re.search(rf"\b{name}:", signature.group(1))
            )
    return lines


if __name__ == "__main__":
    uses, keywords = inventory()
    found = missing(Path(sys.argv[1]))
    print(f"{len(uses)} names, {sum(map(len, keywords.values()))} keywords; {len(found)} missing")
    print("\n".join(found))
    sys.exit(1 if found else 0)
