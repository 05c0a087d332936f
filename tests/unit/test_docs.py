"""Every setting and every error code is documented (the datasette practice)."""

from __future__ import annotations

import re
from pathlib import Path

from liuhen import errors
from liuhen.kernel.settings import SETTINGS

DOCS = Path(__file__).parents[2] / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text("utf-8")
    for name in SETTINGS:
        assert f"`{name}`" in text, name


def test_every_error_code_is_documented():
    text = (DOCS / "errors.md").read_text("utf-8")
    from liuhen.accounts import service as access
    from liuhen.evidence.media import errors as media_errors

    codes = {
        "LH000",
        "LH143",
        "LH144",
        "LH145",
        media_errors.MediaError("x").code,
        access.AuthError().code,
        access.Forbidden("x").code,
    }
    for value in vars(errors).values():
        if (
            isinstance(value, type)
            and issubclass(value, errors.LiuhenError)
            and value is not errors.LiuhenError
        ):
            codes.add(value("x").code)
    assert codes <= set(re.findall(r"`(LH\d{3})`", text)), codes


def test_readme_starts_with_the_two_commands():
    readme = (DOCS.parent / "README.md").read_text("utf-8")
    first_block = readme.split("```")[1]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines()[1:] if line.strip()]
    assert commands == ["scripts/serve.sh", "scripts/test.sh"]
    ci = (DOCS.parent / ".ci" / "run").read_text("utf-8")
    assert "scripts/test.sh" in ci


def test_every_rule_kind_is_documented():
    from liuhen.rules.engine import CHECKS

    text = (DOCS / "rule-packs.md").read_text("utf-8")
    for kind in CHECKS:
        assert f"| `{kind}` |" in text, kind
