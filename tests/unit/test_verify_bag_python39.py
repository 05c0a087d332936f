"""The verifier shipped in every bag promises Python 3.9 (its README and docstring say so).

No 3.9 interpreter is on the build machine, so this checks what the project's own code could
break: syntax newer than 3.9, and the keyword arguments 3.10 added to built-ins.
"""

from __future__ import annotations

import ast

from liuhen.archive.bagverify import SOURCE as SCRIPT

SOURCE = SCRIPT.read_text("utf-8")

NEWER_KEYWORDS = {"zip": {"strict"}, "dataclass": {"slots", "kw_only", "match_args"}}


def test_parses_as_python_39() -> None:
    ast.parse(SOURCE, feature_version=(3, 9))


def test_uses_no_keyword_added_after_39() -> None:
    found = []
    for node in ast.walk(ast.parse(SOURCE)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            for keyword in node.keywords:
                if keyword.arg in NEWER_KEYWORDS.get(name, set()):
                    found.append(f"{name}({keyword.arg}=) line {node.lineno}")
    assert found == []
