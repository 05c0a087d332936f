"""Every error code is declared once, in ``liuhen.errors.CODES``, and nowhere contradicted.

A code is a promise to users and to other systems (docs/errors.md); a number taken twice, or
written somewhere without being declared, would break it silently.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from liuhen import errors

ROOT = Path(__file__).parents[2]
SRC = ROOT / "src" / "liuhen"
ERRORS_PY = SRC / "errors.py"
CODE = re.compile(r"\bLH\d{3}\b")


def _sources() -> list[Path]:
    return sorted(
        p
        for p in SRC.rglob("*")
        if p.is_file() and p.suffix in (".py", ".html", ".js", ".yaml", ".json") and p != ERRORS_PY
    )


def _kinds() -> dict[str, type[errors.LiuhenError]]:
    return {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, errors.LiuhenError)
        and value is not errors.LiuhenError
    }


def test_every_code_in_src_is_declared():
    undeclared = {
        f"{path.relative_to(ROOT)}: {code}"
        for path in _sources()
        for code in CODE.findall(path.read_text("utf-8"))
        if code not in errors.CODES
    }
    assert not undeclared, sorted(undeclared)


def test_no_code_is_declared_twice():
    tree = ast.parse(ERRORS_PY.read_text("utf-8"))
    declared = [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ErrorCode"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    twice = [code for code, n in Counter(declared).items() if n > 1]
    assert not twice, twice
    assert set(declared) == set(errors.CODES)
    assert all(CODE.fullmatch(code) for code in declared)


def test_declaring_a_code_twice_is_refused():
    one = errors.ErrorCode("LH999", 400, "甲")
    with pytest.raises(ValueError, match="LH999"):
        errors._declare(one, errors.ErrorCode("LH999", 409, "乙"))


def test_every_kind_answers_with_its_declared_status():
    for name, kind in _kinds().items():
        refusal = kind("x")
        declared = errors.CODES[refusal.code]
        assert refusal.http_status == declared.status, name
    assert errors.LiuhenError("x").code in errors.CODES
    assert errors.LiuhenError("x").http_status == errors.CODES["LH000"].status


def test_kinds_are_defined_only_in_errors_py():
    """The old homes (accounts.service, media.errors…) import them; none defines its own."""
    kinds = set(_kinds()) | {"LiuhenError"}
    elsewhere = []
    for path in _sources():
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {
                    b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
                }
                if bases & kinds:
                    elsewhere.append(f"{path.relative_to(ROOT)}: {node.name}")
    assert not elsewhere, elsewhere


def test_a_code_given_inline_keeps_its_declared_status():
    """``LiuhenError(..., code="LH145", http_status=416)`` must agree with the registry."""
    for path in _sources():
        if path.suffix != ".py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            kw = {k.arg: k.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            if "code" in kw and "http_status" in kw:
                code = kw["code"].value
                assert isinstance(code, str)
                assert kw["http_status"].value == errors.CODES[code].status, (path, code)


def test_docs_table_is_the_registry():
    """docs/errors.md lists each code with the status and meaning declared in errors.py."""
    rows = re.findall(
        r"^\| `(LH\d{3})` \| (\S+) \| (.*) \|$",
        (ROOT / "docs" / "errors.md").read_text("utf-8"),
        re.MULTILINE,
    )
    documented = {
        code: (None if status == "—" else int(status), meaning) for code, status, meaning in rows
    }
    declared = {c.code: (c.status, c.meaning) for c in errors.CODES.values()}
    assert documented == declared


def test_login_refusal_keeps_its_message():
    from liuhen.accounts.service import AuthError

    refusal = AuthError()
    assert (refusal.code, refusal.http_status) == ("LH150", 401)
    assert refusal.message == "用户名或密码错误，或账户已暂时锁定"
