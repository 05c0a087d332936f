"""The same bytes filed in two cases of two units (one scan attached in both): the file guard
lets each case's readers read it as their case's file, and nobody else. It used to resolve the
digest to the first case naming it only, refusing the later case's own officers."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liuhen.accounts import files
from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel import record
from tests.integration import factory
from tests.integration.auth import login

SCAN = b"%PDF-1.4\n% one scan filed twice\n%%EOF\n"
DIGEST = "sha256:" + hashlib.sha256(SCAN).hexdigest()
FIRST, LATER = "某文旅罚〔2026〕1号", "某文旅罚〔2026〕2号"


@pytest.fixture
def two_units(app):
    factory.register(app)
    factory.add_unit(app, "wl-zd2", "执法二队")
    factory.add_officer(app, "31020001", "周敏", unit="wl-zd2")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scan.pdf"
        path.write_bytes(SCAN)
        app.blobs.put_file(path, DIGEST)
    attached = {"digest": DIGEST, "name": "协查函.pdf", "media_type": "application/pdf"}
    first = factory.opening_input(FIRST)
    first.attachments = [attached]
    record.record(app, first)
    later = factory.opening_input(LATER)
    later.fields["unit"] = "wl-zd2"
    later.actors[:] = ["31020001"]
    later.attachments = [attached]
    record.record(app, later)
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "zhoum", "correct-horse-2", ["officer"], "周敏", "wl-zd2", "31020001")
    return app


def test_the_owner_names_every_case_filing_the_digest(two_units):
    found = files.owner(two_units, DIGEST)
    assert found is not None and found.cases == (FIRST, LATER) and found.kind == "attachment"


def test_each_case_reads_the_shared_file_as_its_own(two_units):
    with TestClient(create_app(two_units)) as client:
        login(client, "zhoum", "correct-horse-2")  # the later case's officer
        mine = client.get(f"/cases/{LATER}/attachments/{DIGEST}")
        assert mine.status_code == 200 and mine.content == SCAN
        # the same bytes asked for as the other unit's case: that case's rules refuse him
        assert client.get(f"/cases/{FIRST}/attachments/{DIGEST}").status_code == 403
        login(client, "zhangw", "correct-horse-1")
        assert client.get(f"/cases/{FIRST}/attachments/{DIGEST}").status_code == 200
        assert client.get(f"/cases/{LATER}/attachments/{DIGEST}").status_code == 403
