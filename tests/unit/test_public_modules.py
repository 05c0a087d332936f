"""Every module of a feature is either public or protected by a contract in pyproject.

The protected contracts list modules by name, so a module added to a feature would be importable
from anywhere until someone remembered to list it; this test is that memory.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "liuhen"
PUBLIC = {"service", "schemas"}
EXTRA_PUBLIC = {"accounts": {"guard"}}


def _contracts() -> dict[str, set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    out: dict[str, set[str]] = {}
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract["type"] != "protected":
            continue
        importers = contract["allowed_importers"]
        feature = importers[0].removeprefix("liuhen.")
        assert importers == [f"liuhen.{feature}", "liuhen.entrypoints"], contract["name"]
        out[feature] = {m.removeprefix(f"liuhen.{feature}.") for m in contract["protected_modules"]}
    return out


def _children(feature: str) -> set[str]:
    folder = PKG / feature
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    packages = {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
    return modules | packages


def test_every_feature_module_is_public_or_protected() -> None:
    contracts = _contracts()
    features = {"accounts", "archive", "cases", "compliance", "disclosure", "documents"}
    features |= {"evidence", "signing", "admin", "inbox", "demo"}
    features |= {"warnings"}
    features |= {"stats"}
    features |= {"search"}
    features |= {"supervision"}
    assert set(contracts) == features
    for feature, protected in contracts.items():
        public = PUBLIC | EXTRA_PUBLIC.get(feature, set())
        children = _children(feature)
        assert not protected & public, feature
        assert protected <= children, f"{feature}: listed but missing {protected - children}"
        unlisted = children - protected - public
        assert not unlisted, f"{feature}: neither public nor protected: {sorted(unlisted)}"


def test_page_names_are_unique_across_template_folders() -> None:
    """The pages' loader takes the first folder holding a name: two features' pages of one name
    would silently shadow each other."""
    from liuhen.web.templates import FOLDERS

    assert len(FOLDERS) > 5
    seen: dict[str, Path] = {}
    for folder in FOLDERS:
        for page in folder.glob("*.html"):
            assert page.name not in seen, f"{page} shadows {seen[page.name]}"
            seen[page.name] = page
    assert "login.html" in seen and "base.html" in seen
