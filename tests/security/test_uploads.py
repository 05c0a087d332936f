"""Uploads validated at creation and never able to wedge start-up (issue 11, findings 2 and 8).

Finding 2: the tus router only required sign-in, so an officer of another unit, the supervisor
and the administrator uploaded into cases they may not record in, and the journal named
whoever the metadata's ``by``/``officer`` said. Finding 8: an upload bound to a case that does
not exist (or to a wrong ``act_seq``) stayed in ``storing`` and ``liuhen serve`` refused to start
from then on. The restarts here are real ``liuhen serve`` processes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import httpx
import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.entrypoints.web import create_app
from liuhen.evidence.schemas import MediaRow
from liuhen.evidence.service import media_row
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from tests.integration import factory
from tests.integration.server import Server

CASE = "某文旅罚〔2026〕1号"
OTHER_CASE = "某文旅罚〔2026〕2号"  # the second unit's
PASSWORD = "correct-horse-1"
PEOPLE = {  # username: roles, unit, cert_no
    "zhangw": (["officer"], "wl-zd1", "31010001"),
    "liuq": (["officer"], "wl-zd2", "31020001"),
    "sifa": (["supervisor"], None, None),
    "root": (["admin"], None, None),
}
TUS = {"Tus-Resumable": "1.0.0"}


def metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def journal(app: App, act: str) -> list[dict]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT body FROM journal_entry WHERE act = :a ORDER BY seq"), {"a": act}
        )
        return [json.loads(r[0]) for r in rows]


@pytest.fixture
def site(app: App) -> App:
    factory.register(app)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.add_officer(app, "31020001", "刘强", unit="wl-zd2")
    factory.open_case(app)
    factory.open_case_in(app, OTHER_CASE, "wl-zd2", "31020001")
    for username, (roles, unit, cert) in PEOPLE.items():
        access.create_user(app, username, PASSWORD, roles, username, unit, cert)
    return app


@dataclass
class Caller:
    client: TestClient
    headers: dict[str, str]

    def create(self, data: bytes, **meta: str) -> httpx2.Response:
        return self.client.post(
            "/api/v1/uploads",
            headers={**TUS, **self.headers, "Upload-Length": str(len(data)),
                     "Upload-Metadata": metadata(**meta)},
        )  # fmt: skip

    def upload(self, data: bytes, **meta: str) -> httpx2.Response:
        created = self.create(data, **meta)
        assert created.status_code == 201, created.text
        return self.client.patch(
            created.headers["Location"],
            headers={**TUS, **self.headers, "Upload-Offset": "0",
                     "Content-Type": "application/offset+octet-stream"},
            content=data,
        )  # fmt: skip


@pytest.fixture
def callers(site: App) -> Iterator[dict[str, Caller]]:
    with TestClient(create_app(site)) as client:
        out: dict[str, Caller] = {}
        for username in PEOPLE:
            token, csrf, _user = access.login(site, username, PASSWORD)
            out[username] = Caller(
                client, {"Cookie": f"liuhen_session={token}", "X-CSRF-Token": csrf}
            )
        station = access.create_token(site, "zd1-station", ["officer"], "wl-zd1")
        out["station"] = Caller(client, {"Authorization": f"Bearer {station}"})
        yield out


# --- finding 2 ----------------------------------------------------------------------------------


def test_nobody_uploads_into_a_case_he_may_not_record_in(site: App, callers) -> None:
    data = os.urandom(1000)
    for who in ("liuq", "sifa", "root"):
        r = callers[who].create(data, filename="x.mp4", case=CASE)
        assert r.status_code == 403 and r.json()["code"] == "LH151", (who, r.text)
    # the station of unit 1 cannot reach unit 2's case either
    r = callers["station"].create(data, filename="x.mp4", case=OTHER_CASE)
    assert r.status_code == 403 and r.json()["code"] == "LH151"
    # the supervisor and the administrator upload nothing at all, not even unbound files
    for who in ("sifa", "root"):
        assert callers[who].create(data, filename="x.mp4").status_code == 403
    with site.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM upload")).scalar() == 0
    assert journal(site, "evidence.stored") == [] and journal(site, "general.media") == []


def test_the_case_and_the_act_are_checked_at_creation(site: App, callers) -> None:
    data = os.urandom(1000)
    zhangw = callers["zhangw"]
    missing = zhangw.create(data, filename="x.mp4", case="某文旅罚〔2099〕9号")
    assert missing.status_code == 404 and missing.json()["code"] == "LH104"
    assert "不存在" in missing.json()["message"]
    other_case_seq = journal_seq(site, OTHER_CASE)
    for seq in ("99999", str(other_case_seq)):  # no such entry; an entry of another case
        wrong = zhangw.create(data, filename="x.mp4", case=CASE, act_seq=seq)
        assert wrong.status_code == 422 and wrong.json()["code"] == "LH100", wrong.text
        assert wrong.json()["problems"][0]["field"] == "metadata.act_seq"
    bad_source = zhangw.create(data, filename="x.mp4", source="随便")
    assert bad_source.status_code == 422


def journal_seq(app: App, chain: str) -> int:
    with app.engine.connect() as conn:
        seq = conn.execute(
            text("SELECT min(seq) FROM journal_entry WHERE chain = :c"), {"c": chain}
        ).scalar()
        return int(cast(int, seq))


def test_the_author_is_the_signed_in_officer_never_the_metadata(site: App, callers) -> None:
    zhangw = callers["zhangw"]
    data = os.urandom(2000)
    claimed = zhangw.create(data, filename="x.mp4", by="31010002")
    assert claimed.status_code == 422  # ``by`` is no longer a key a client may send
    for meta in ({"officer": "31010002"}, {"unit": "wl-zd2"}):
        r = zhangw.create(data, filename="x.mp4", **meta)
        assert r.status_code == 403 and r.json()["code"] == "LH151", meta
    done = zhangw.upload(data, filename="x.mp4", case=CASE, act_seq=str(journal_seq(site, CASE)))
    assert done.status_code == 204, done.text
    stored, bound = journal(site, "evidence.stored")[-1], journal(site, "general.media")[-1]
    assert stored["recorded_by"] == {"id": "31010001", "role": "officer"}
    assert bound["recorded_by"] == {"id": "31010001", "role": "officer"}
    assert stored["fields"]["officer"] == "31010001" and stored["fields"]["unit"] == "wl-zd1"
    row = media_row(site, sha(data))
    assert row is not None and row.case_number == CASE


def test_a_station_names_only_officers_of_its_own_unit(site: App, callers) -> None:
    station = callers["station"]
    data = os.urandom(3000)
    other_unit = station.create(data, filename="x.mp4", officer="31020001")
    assert other_unit.status_code == 403 and "31020001" in other_unit.json()["message"]
    assert station.create(data, filename="x.mp4", officer="99999999").status_code == 403
    assert station.create(data, filename="x.mp4", unit="wl-zd2").status_code == 403
    done = station.upload(data, filename="x.mp4", officer="31010002", case=CASE)
    assert done.status_code == 204, done.text
    stored = journal(site, "evidence.stored")[-1]
    assert stored["recorded_by"] == {"id": "token:zd1-station", "role": "system"}
    assert stored["fields"]["officer"] == "31010002" and stored["fields"]["unit"] == "wl-zd1"


def test_an_upload_is_its_uploaders_alone(site: App, callers) -> None:
    data = os.urandom(1000)
    created = callers["zhangw"].create(data, filename="x.mp4")
    location = created.headers["Location"]
    colleague = callers["station"]  # same unit, but not the uploader
    for method in ("GET", "HEAD", "DELETE"):
        r = colleague.client.request(method, location, headers={**TUS, **colleague.headers})
        assert r.status_code == 404, method
    r = colleague.client.patch(
        location, content=data,
        headers={**TUS, **colleague.headers, "Upload-Offset": "0",
                 "Content-Type": "application/offset+octet-stream"},
    )  # fmt: skip
    assert r.status_code == 404
    mine = callers["zhangw"]
    assert mine.client.get(location, headers={**TUS, **mine.headers}).json()["offset"] == 0


# --- finding 8 ----------------------------------------------------------------------------------


def plant_storing(app: App, data: bytes, uploader: str, **meta: object) -> str:
    """An upload an earlier version (or a crash) left in ``storing``: all bytes received and
    hashed, the file not yet in the store nor journaled, bound to whatever ``meta`` says."""
    upload_id = secrets.token_hex(16)
    part = app.settings.data_dir / "uploads" / f"{upload_id}.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(data)
    now = app.clock.now().isoformat()
    full = {"filename": f"{upload_id[:6]}.mp4", "officer": "31010001", "uploader": uploader,
            "probe": {"kind": "unknown"}, **meta}  # fmt: skip
    with app.engine.begin() as conn:
        conn.execute(
            insert(store.T["upload"]).values(
                id=upload_id, length=len(data), offset=len(data),
                meta=json.dumps(full, ensure_ascii=False), expected=None, status="storing",
                digest=sha(data), error=None, created_at=now, updated_at=now,
            )
        )  # fmt: skip
    return upload_id


def status(server: Server, upload_id: str, headers: dict[str, str]) -> dict:
    r = httpx.get(f"{server.url}/api/v1/uploads/{upload_id}", headers={**TUS, **headers})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_failed_bindings_never_stop_the_server_and_can_be_bound_again(site: App, env, run) -> None:
    token = access.create_token(site, "zd1-dock", ["officer"], "wl-zd1")
    auth = {"Authorization": f"Bearer {token}"}
    no_case, wrong_act = os.urandom(4000), os.urandom(5000)
    first = plant_storing(site, no_case, "token:zd1-dock", case="某文旅罚〔2099〕9号")
    second = plant_storing(site, wrong_act, "token:zd1-dock", case=CASE, act_seq=99999)
    server = Server(env)
    try:
        server.start()  # used to exit: "Application startup failed"
        for upload_id, why in ((first, "不存在"), (second, "99999")):
            st = status(server, upload_id, auth)
            assert st["status"] == "failed", st
            assert "未能归入案件" in st["error"] and why in st["error"], st["error"]
        # the same bytes already in one case, uploaded again into another: refused, stated
        data = os.urandom(6000)
        up = Uploader(server.url, auth)
        assert up.upload(data, case=CASE).status_code == 204
        factory.open_case(site, "某文旅罚〔2026〕3号")
        again = up.upload(data, case="某文旅罚〔2026〕3号")
        assert again.status_code == 422 and again.json()["code"] == "LH147", again.text
        assert "已归入案件" in again.json()["message"]
        third = up.last
        assert status(server, third, auth)["status"] == "failed"
        server.stop()
        server.start()  # and again after each kind of failure: nothing is left in ``storing``
        for upload_id in (first, second, third):
            assert status(server, upload_id, auth)["status"] == "failed"
    finally:
        server.stop()
    with site.engine.connect() as conn:
        left = conn.execute(text("SELECT count(*) FROM upload WHERE status = 'storing'")).scalar()
    assert left == 0
    for data in (no_case, wrong_act):  # stored as evidence, unbound, ready to be bound
        row = media_row(site, sha(data))
        assert row is not None and row.case_number is None
        run("media", "bind", sha(data), CASE, "--by", "31010001")
        assert cast(MediaRow, media_row(site, sha(data))).case_number == CASE
    assert verify.verify(site).ok


def test_recover_records_a_failure_instead_of_raising(site: App) -> None:
    from liuhen.evidence.uploads.service import Uploads

    upload_id = plant_storing(site, os.urandom(700), "zhangw", case="没有这个案件")
    uploads = Uploads(site)
    assert uploads.recover() == 1  # no exception
    st = uploads.get(upload_id)
    assert st.status == "failed" and st.error and "没有这个案件" in st.error
    assert uploads.recover() == 0


class Uploader:
    """A tus client over HTTP that remembers the last upload's id."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.url, self.headers, self.last = url, headers, ""

    def upload(self, data: bytes, **meta: str) -> httpx.Response:
        created = httpx.post(
            f"{self.url}/api/v1/uploads",
            headers={**TUS, **self.headers, "Upload-Length": str(len(data)),
                     "Upload-Metadata": metadata(filename="clip.mp4", **meta)},
        )  # fmt: skip
        assert created.status_code == 201, created.text
        self.last = created.headers["Location"].rsplit("/", 1)[1]
        return httpx.patch(
            self.url + created.headers["Location"],
            headers={**TUS, **self.headers, "Upload-Offset": "0",
                     "Content-Type": "application/offset+octet-stream"},
            content=data, timeout=60,
        )  # fmt: skip
