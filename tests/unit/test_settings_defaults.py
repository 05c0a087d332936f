"""Each setting's default is written once (``kernel.settings.SETTINGS``): ``load`` and the
documentation both say what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from liuhen.kernel import settings as settings_mod
from liuhen.kernel.settings import SETTINGS

DOCS = Path(__file__).parents[2] / "docs"


def test_docs_give_the_declared_defaults():
    rows = dict(
        re.findall(
            r"^\| `(LIUHEN_[A-Z0-9_]+)` \| `([^`]*)` \|",
            (DOCS / "settings.md").read_text("utf-8"),
            re.MULTILINE,
        )
    )
    assert rows == {name: default for name, (default, _meaning) in SETTINGS.items()}


def test_load_without_settings_uses_the_declared_defaults(tmp_path: Path):
    data = tmp_path / "data"
    st = settings_mod.load({"LIUHEN_DATA_DIR": str(data)})
    assert st.database_url == f"sqlite:///{data / 'liuhen.db'}"
    assert st.blob_url == f"file://{data / 'blobs'}"
    assert st.hash_alg.name == SETTINGS["LIUHEN_HASH"][0]
    assert str(st.timezone) == SETTINGS["LIUHEN_TIMEZONE"][0]
    assert st.host == SETTINGS["LIUHEN_HOST"][0]
    assert str(st.port) == SETTINGS["LIUHEN_PORT"][0]
    assert str(st.blob_lock_days) == SETTINGS["LIUHEN_BLOB_LOCK_DAYS"][0]
    assert str(st.upload_max) == SETTINGS["LIUHEN_UPLOAD_MAX"][0] == str(64 << 30)
    assert str(st.session_idle_minutes) == SETTINGS["LIUHEN_SESSION_IDLE_MINUTES"][0]
    assert st.export_sm3 is False and st.cookie_secure is False


def test_default_data_dir_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    st = settings_mod.load({})
    assert st.data_dir == (tmp_path / SETTINGS["LIUHEN_DATA_DIR"][0]).resolve()
    assert st.database_url == f"sqlite:///{st.data_dir / 'liuhen.db'}"


def test_a_default_under_the_data_directory_needs_it():
    assert settings_mod.default("LIUHEN_PORT") == "8000"
    assert settings_mod.default("LIUHEN_BLOB_URL", Path("/srv/d")) == "file:///srv/d/blobs"
    with pytest.raises(ValueError, match="LIUHEN_BLOB_URL"):
        settings_mod.default("LIUHEN_BLOB_URL")
