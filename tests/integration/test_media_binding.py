"""归入案件 from ``/media/todo``: a docked camera's clip no case claims yet is bound, from the
page, to the case and the act it records (the act whose time holds the recording chosen for the
officer), as a journal entry; the case page then plays it inside that act. The inbox sends the
officer to the same form; nobody outside the file's unit sees or binds it."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.archive import verify
from liuhen.clock import SHANGHAI, FixedClock
from liuhen.entrypoints.web import create_app
from liuhen.evidence import ingest
from liuhen.kernel.db.store import ENTRY
from tests.integration import factory
from tests.integration.auth import login
from tests.integration.test_evidence import camera, dock, the_clip  # noqa: F401 (fixtures)

CASE = "某文旅罚〔2026〕1号"
OTHER = "某文旅罚〔2026〕2号"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def test_a_clip_is_bound_from_the_todo_list_into_the_act_it_recorded(camera, dock: Path):  # noqa: F811
    app = camera
    app.clock = FixedClock(datetime(2026, 11, 3, 12, 0, tzinfo=SHANGHAI))
    factory.open_case(app, CASE)
    factory.open_case(app, OTHER)
    inquiry = factory.inquiry(app, CASE).seq  # 10:00 to 10:40; the clip began at 10:10
    ingest.ingest(app, dock, "ZFJLY-07")
    video = the_clip(app)
    app.clock = FixedClock(datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI))  # a day on: to file
    access.create_user(app, "zhangw", "correct-horse-1", ["officer"], "张伟", "wl-zd1", "31010001")
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.add_officer(app, "31020001", "赵六", unit="wl-zd2")
    access.create_user(app, "zhaol", "correct-horse-6", ["officer"], "赵六", "wl-zd2", "31020001")
    bind = f"/media/{video.digest}/bind"
    with TestClient(create_app(app)) as client:
        login(client, "zhangw", "correct-horse-1")
        line = client.get("/inbox").text
        line = line[line.index(video.name) - 300 : line.index(video.name) + 800]
        assert f'href="{bind}"' in line  # the inbox's item opens the form for that file

        todo = client.get("/media/todo").text
        assert f'action="{bind}"' in todo and f'<option value="{CASE}">' in todo

        page = client.get(bind, params={"case": CASE})
        assert page.status_code == 200
        assert f'<option value="{inquiry}" selected>询问' in page.text  # its time holds the clip
        assert "已按记录时间预选" in page.text

        wrong = client.post(bind, data={"csrf": _csrf(page.text), "case": OTHER,
                                        "act_seq": str(inquiry)})  # fmt: skip
        assert (
            wrong.status_code == 422 and f"案件“{OTHER}”中没有序号为 {inquiry} 的记录" in wrong.text
        )
        assert 'id="act_seq"' in wrong.text and 'aria-invalid="true"' in wrong.text

        chosen = {"csrf": _csrf(page.text), "case": CASE, "act_seq": str(inquiry)}
        done = client.post(bind, data=chosen, follow_redirects=False)
        assert done.status_code == 303, done.text[:2000]
        seq = int(done.headers["location"].rsplit("#seq-", 1)[1])
        assert done.headers["location"].startswith("/cases/")
        with app.engine.connect() as conn:
            act, body = conn.execute(
                select(ENTRY.c.act, ENTRY.c.body).where(ENTRY.c.seq == seq)
            ).one()
        entry = json.loads(body)
        assert act == "general.media" and entry["fields"]["digest"] == video.digest
        assert entry["fields"]["act_seq"] == inquiry and entry["recorded_by"]["id"] == "31010001"

        case_page = client.get(f"/cases/{CASE}").text
        article = case_page[case_page.index(f'<article class="entry" id="seq-{inquiry}"') :]
        article = article[: article.index("</article>")]
        assert f'id="seq-{seq}"' in article  # the clip, inside the inquiry it recorded

        assert video.name not in client.get("/media/todo").text
        again = client.get(bind)
        assert again.status_code == 422 and "已归入案件" in again.text

        login(client, "zhaol", "correct-horse-6")  # another unit's officer: not his file
        assert client.get(f"/media/{the_clip(app).digest}/bind").status_code == 403
    assert verify.verify(app).ok


def test_another_units_officer_neither_sees_nor_binds_an_unbound_clip(camera, dock: Path):  # noqa: F811
    app = camera
    app.clock = FixedClock(datetime(2026, 11, 3, 12, 0, tzinfo=SHANGHAI))
    factory.open_case(app, CASE)
    ingest.ingest(app, dock, "ZFJLY-07")
    video = the_clip(app)
    factory.add_unit(app, "wl-zd2", "执法大队二中队")
    factory.add_officer(app, "31020001", "赵六", unit="wl-zd2")
    access.create_user(app, "zhaol", "correct-horse-6", ["officer"], "赵六", "wl-zd2", "31020001")
    with TestClient(create_app(app)) as client:
        login(client, "zhaol", "correct-horse-6")
        bind = f"/media/{video.digest}/bind"  # the file guard: another unit's unbound file
        refused = client.get(bind)
        assert refused.status_code == 403 and "仅限其所属机构查看" in refused.text
        csrf = _csrf(client.get("/inbox").text)
        assert client.post(bind, data={"csrf": csrf, "case": CASE}).status_code == 403
    with app.engine.connect() as conn:
        assert (
            conn.execute(select(ENTRY.c.seq).where(ENTRY.c.act == "general.media")).first() is None
        )
