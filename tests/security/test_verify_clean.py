"""Finding 1 of issue 11: a fresh instance verifies from the first start.

``liuhen init && liuhen demo && liuhen verify`` must exit 0: every document the demo journals
names a PDF that is in storage, hashes to its digest and carries exactly the PAdES signatures
its entry records, all valid, so every 查看文书 PDF link of the demo works.
"""

from __future__ import annotations

import io
import json

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from liuhen.entrypoints.web import create_app
from liuhen.kernel import instance
from liuhen.kernel.db import store
from liuhen.kernel.settings import Settings
from liuhen.signing import pdf as pades
from liuhen.signing import service as signing
from tests.integration.auth import login


def test_init_demo_verify_exits_zero(run, settings: Settings) -> None:
    run("init")
    assert "已写入演示数据" in run("demo")
    assert "完好" in run("verify")  # ``run`` asserts the exit code is 0

    app = instance.open_app(settings)
    try:
        with app.engine.connect() as conn:
            bodies = [
                json.loads(b)
                for (b,) in conn.execute(
                    select(store.ENTRY.c.body).where(store.ENTRY.c.act == "general.document")
                )
            ]
        assert len(bodies) >= 25  # every demo case's inspection, inquiry and service records
        ca = signing.ca_pem(app)
        for body in bodies:
            fields = body["fields"]
            digest = fields["digest"]
            assert app.blobs.exists(digest), digest
            data = b"".join(app.blobs.read(digest))
            assert data.startswith(b"%PDF-")
            assert len(PdfReader(io.BytesIO(data)).pages) >= 1
            assert f"{app.alg.name}:{app.alg.digest(data).hex()}" == digest
            statuses = pades.validate(data, ca)
            crypto = [s for s in fields["signatures"] if s.get("method") == "PAdES"]
            assert crypto and len(statuses) == len(crypto)
            assert all(s.valid for s in statuses)
            # each officer's signature is his certificate's; the agency's seal names none
            pairs = zip(statuses, crypto, strict=True)
            assert all(st.serial_number == s["cert_no"] for st, s in pairs if "cert_no" in s)
            assert {"digest": digest}.items() <= body["attachments"][0].items()
        # Every 查看文书 PDF link of the demo answers with the file, for the supervisor who
        # sees every case.
        with TestClient(create_app(app)) as client:
            assert login(client, "sifaju", "jiandu-demo-2026").status_code == 303
            for body in bodies:
                digest = body["fields"]["digest"]
                answer = client.get(f"/api/v1/documents/{digest}/pdf")
                assert answer.status_code == 200, (digest, answer.text[:200])
                assert answer.content == b"".join(app.blobs.read(digest))
    finally:
        app.engine.dispose()
