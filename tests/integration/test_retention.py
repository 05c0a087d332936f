"""Retention, legal holds and disposal against the real journal and blob store, with the app's
clock moved past the retention period: a file leaves storage only through an approved, journaled
disposal, and the journal still proves it existed; a file missing any other way is damage."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from liuhen.archive import archiving, retention, verify
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.errors import (
    ConflictError,
    DisposalNotApproved,
    HoldActive,
    IntegrityError,
    NotArchived,
    NotInCase,
    PermissionDenied,
    RetentionNotEnded,
)
from liuhen.kernel import instance, proofs, record
from liuhen.kernel.blobs.s3 import S3Store
from liuhen.kernel.record import ActInput
from tests.integration.archive_case import ARCHIVIST, CASE, HEAD, case_with_documents

FILED_AT = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clocked(settings):
    """An app whose clock the test moves: filed on 2026-11-20, so 5年 ends on 2031-11-20."""
    instance.init(settings)
    application = instance.open_app(settings, clock=FixedClock(FILED_AT))
    yield application
    application.engine.dispose()


def filed(app):
    made = case_with_documents(app)
    done = archiving.archive(app, CASE, ARCHIVIST, checker=HEAD)
    return made, done


def doc_digest(app, seq: int) -> str:
    with app.engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": seq})
        return json.loads(body.scalar())["fields"]["digest"]


def move_to(app, day: date) -> None:
    app.clock.current = datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)


def test_retention_end_date_and_list(clocked):
    app = clocked
    case_with_documents(app)
    with pytest.raises(NotArchived):
        retention.status(app, CASE)
    archiving.archive(app, CASE, ARCHIVIST)
    state = retention.status(app, CASE)
    assert state.period == "5年" and state.ends_on == date(2031, 11, 20)
    assert not state.ended(date(2031, 11, 19)) and state.ended(date(2031, 11, 20))
    assert retention.ends_on(date(2028, 2, 29), "10年") == date(2038, 2, 28)
    assert retention.ends_on(date(2026, 1, 1), "长期") is None
    listed = retention.list_retention(app)
    assert listed.total == 1 and listed.items[0].ends_on == "2031-11-20"
    assert retention.list_retention(app, due=True).total == 0
    move_to(app, date(2031, 11, 20))
    assert retention.list_retention(app, due=True).items[0].case == CASE


def test_disposal_needs_ended_retention_head_approval_and_no_hold(clocked):
    app = clocked
    made, _done = filed(app)
    digest = doc_digest(app, made.inquiry_doc.seq)
    with pytest.raises(RetentionNotEnded) as early:
        retention.approve(app, CASE, [digest], "保管期限届满", HEAD)
    assert early.value.code == "LH434" and "2031-11-20" in early.value.message
    # An approval journaled ahead of time does not let a disposal run early.
    early_approval = record.record(
        app,
        ActInput(
            "archiving.disposal_approval", app.clock.now().isoformat(), case=CASE,
            actors=[HEAD], recorded_by={"id": HEAD, "role": "head"},
            fields={"digests": [digest], "reason": "提前审批", "decision": "同意"},
        ),
    )  # fmt: skip
    with pytest.raises(RetentionNotEnded):
        retention.dispose(app, CASE, early_approval.seq, ARCHIVIST)
    with pytest.raises(PermissionDenied):  # only a head approves (the catalog says so too)
        retention.approve(app, CASE, [digest], "x", ARCHIVIST)
    hold = retention.hold(app, CASE, "行政诉讼", "当事人已提起行政诉讼", HEAD)
    move_to(app, date(2031, 11, 21))
    with pytest.raises(HoldActive) as held:
        retention.dispose(app, CASE, early_approval.seq, ARCHIVIST)
    assert held.value.code == "LH435" and f"序号 {hold.seq}" in held.value.message
    with pytest.raises(HoldActive):
        retention.approve(app, CASE, [digest], "保管期限届满", HEAD)
    with pytest.raises(DisposalNotApproved):  # a seq that is no approval
        retention.dispose(app, CASE, made.inquiry.seq, ARCHIVIST)
    refused = retention.approve(app, CASE, [digest], "保管期限届满", HEAD, decision="不同意")
    with pytest.raises(DisposalNotApproved) as no:
        retention.dispose(app, CASE, refused.seq, ARCHIVIST)
    assert no.value.code == "LH436"
    with pytest.raises(NotInCase) as foreign:
        retention.approve(app, CASE, ["sha256:" + "0" * 64], "x", HEAD)
    assert foreign.value.code == "LH437"
    with pytest.raises(PermissionDenied):
        retention.release(app, CASE, hold.seq, "诉讼终结", ARCHIVIST)
    retention.release(app, CASE, hold.seq, "判决已生效，诉讼终结", HEAD)
    with pytest.raises(ConflictError):
        retention.release(app, CASE, hold.seq, "again", HEAD)
    assert app.blobs.exists(digest)  # every refusal above left the file where it was


def test_disposal_removes_the_blob_and_the_journal_still_proves_it(clocked, run, tmp_path):
    app = clocked
    made, _done = filed(app)
    digest = doc_digest(app, made.inquiry_doc.seq)
    size = app.blobs.size(digest)
    move_to(app, date(2031, 11, 20))
    approval = retention.approve(app, CASE, [digest], "保管期限届满，经鉴定无继续保存价值", HEAD)
    done = retention.dispose(app, CASE, approval.seq, ARCHIVIST)
    assert done.removed == (digest,) and done.sizes == (size,)
    assert not app.blobs.exists(digest)
    with app.engine.connect() as conn:
        body = json.loads(
            conn.execute(
                text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": done.seq}
            ).scalar()
        )
    assert body["fields"]["digests"] == [digest] and body["fields"]["sizes"] == [str(size)]
    assert body["fields"]["retention_ended_on"] == "2031-11-20"
    assert body["fields"]["approval"] == approval.seq
    with pytest.raises(ConflictError):  # carried out once
        retention.dispose(app, CASE, approval.seq, ARCHIVIST)
    # Verification passes: the disposed file is expected to be absent...
    assert verify.verify(app).ok and verify.check_files(app) == []
    assert "完好" in run("verify")
    # ...and the document's entry, naming the digest, is still provably in the log.
    proofs.checkpoint(app)
    proof = proofs.inclusion(app, made.inquiry_doc.seq)
    assert proof.leaf_index == made.inquiry_doc.seq - 1
    printed = run("journal", "proof", str(made.inquiry_doc.seq))
    assert json.loads(printed)["leaf_hash"] == made.inquiry_doc.leaf_hash.hex()
    # The dossier rendered now says where the file was and that it was disposed.
    from liuhen.archive.dossier import render_dossier
    from tests.integration.test_archiving import pdf_text

    words = pdf_text(tmp_path, render_dossier(app, CASE))
    assert "本文件已按保管期限销毁" in words and f"销毁记录序号{done.seq}" in words
    assert retention.list_retention(app).items[0].disposed == [digest]


def test_a_file_missing_without_disposal_is_damage(clocked, run):
    app = clocked
    made, done = filed(app)
    digest = doc_digest(app, made.approval_doc.seq)
    path = app.blobs.path(digest)
    path.chmod(0o644)
    path.unlink()  # removed behind the journal's back
    damages = verify.check_files(app)
    assert any("不在存储中" in d.render() for d in damages)
    printed = run("verify", code=1)
    assert "不在存储中" in printed
    move_to(app, date(2031, 11, 21))
    approval = retention.approve(app, CASE, [digest], "保管期限届满", HEAD)
    with pytest.raises(IntegrityError, match="损坏"):
        retention.dispose(app, CASE, approval.seq, ARCHIVIST)
    # The filed dossier itself is checked too.
    dossier = app.blobs.path(done.digest)
    dossier.chmod(0o644)
    dossier.write_bytes(b"%PDF-1.7 forged")
    assert any("案卷文件的内容与记录的摘要不符" in d.render() for d in verify.check_files(app))


def test_retention_and_dispose_commands(clocked, run):
    app = clocked
    made, _done = filed(app)
    digest = doc_digest(app, made.inquiry_doc.seq)
    assert "共 1 件" in run("retention", "list")
    listed = json.loads(run("retention", "list", "--json"))
    assert listed["items"][0]["case"] == CASE and listed["items"][0]["ends_on"] == "2031-11-20"
    printed = run("retention", "hold", CASE, "--ground", "行政复议", "--reason", "已申请复议",
                  "--by", HEAD)  # fmt: skip
    assert "已保全" in printed
    hold_seq = int(printed.rsplit("日志序号", 1)[1].strip())
    assert "行政复议" in run("retention", "list", "--json")
    # The CLI runs on the real clock: the period has not ended, so disposal is refused.
    refused = run("dispose", "approve", CASE, "--digest", digest, "--reason", "届满", "--by", HEAD,
                  code=2)  # fmt: skip
    assert "LH434" in refused or "LH435" in refused
    released = run("retention", "release", CASE, "--hold", str(hold_seq), "--reason", "复议终结",
                   "--by", HEAD)  # fmt: skip
    assert "已解除" in released
    refused = run("dispose", "approve", CASE, "--digest", digest, "--reason", "届满", "--by", HEAD,
                  code=2)  # fmt: skip
    assert "LH434" in refused and "2031-11-20" in refused
    assert "LH436" in run("dispose", "run", CASE, "--approval", str(hold_seq), "--by", ARCHIVIST,
                          code=2)  # fmt: skip
    assert app.blobs.exists(digest)


def test_no_http_route_deletes(clocked):
    from liuhen.entrypoints.web import create_app
    from tests.integration.auth import token_headers

    app = clocked
    made, done = filed(app)
    digest = doc_digest(app, made.inquiry_doc.seq)
    with TestClient(create_app(app), headers=token_headers(app)) as client:
        for path in (
            f"/api/v1/documents/{digest}/pdf",
            f"/api/v1/media/{digest}",
            f"/api/v1/media/{digest}/content",
            f"/api/v1/cases/{CASE}",
        ):
            answer = client.delete(path)
            assert answer.status_code == 405, (path, answer.text)
            assert (
                answer.json()["code"] == "LH439" and "不能通过接口删除" in answer.json()["message"]
            )
    assert app.blobs.exists(digest) and app.blobs.exists(done.digest)


def test_s3_object_lock_refuses_disposal_until_it_expires(env, s3_client, s3_bucket, s3_prefix):
    """SeaweedFS honours COMPLIANCE retention: a disposal the journal would allow is refused
    while the storage lock runs, before anything is recorded, and the object stays."""
    from liuhen.errors import StorageLocked
    from liuhen.kernel import settings as settings_mod
    from tests.conftest import S3_ENDPOINT

    st = settings_mod.load({
        **env, "LIUHEN_BLOB_URL": f"s3://{s3_bucket}/{s3_prefix}?endpoint={S3_ENDPOINT}",
        "LIUHEN_BLOB_LOCK_DAYS": "1",
    })  # fmt: skip
    instance.init(st)
    app = instance.open_app(st, clock=FixedClock(FILED_AT))
    try:
        assert app.blobs.name == "s3" and app.blobs.locking  # type: ignore[attr-defined]
        made, _done = filed(app)
        digest = doc_digest(app, made.inquiry_doc.seq)
        assert app.blobs.retained_until(digest) is not None
        move_to(app, date(2031, 11, 21))  # the journal's period has ended; the lock has not
        approval = retention.approve(app, CASE, [digest], "保管期限届满", HEAD)
        with app.engine.connect() as conn:
            before = conn.execute(text("SELECT count(*) FROM journal_entry")).scalar()
        with pytest.raises(StorageLocked) as locked:
            retention.dispose(app, CASE, approval.seq, ARCHIVIST)
        assert locked.value.code == "LH438" and "对象锁" in locked.value.message
        with app.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM journal_entry")).scalar() == before
        assert app.blobs.exists(digest)
        key = cast(S3Store, app.blobs).key(digest)
        head = s3_client.head_object(Bucket=s3_bucket, Key=key)
        with pytest.raises(StorageLocked):  # the backend itself refuses, whoever calls it
            app.blobs.dispose(digest)
        assert s3_client.head_object(Bucket=s3_bucket, Key=key)["ETag"] == head["ETag"]
    finally:
        app.engine.dispose()
