"""The anomaly thresholds page (issue 15 item 3 remainder), on SQLite and PostgreSQL: the head
sets his own agency's, the administrator any agency's; each threshold shows what it means, its
value and default; a refused form keeps what was typed, says in Chinese what is wrong beside the
input, with the stable code; a change is journaled with the signed-in user as its author."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from liuhen.accounts import service as access
from liuhen.entrypoints.web import create_app
from liuhen.kernel.db import store
from liuhen.supervision import service as anomalies
from tests.integration import factory
from tests.integration.auth import login

AGENCY = "wl"
PASSWORD = "mima-12345678"


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def _settings_entries(app) -> list[dict]:
    with app.engine.connect() as conn:
        rows = conn.execute(
            select(store.ENTRY.c.body)
            .where(store.ENTRY.c.act == "registry.supervision_settings")
            .order_by(store.ENTRY.c.seq)
        ).scalars()
        return [json.loads(b) for b in rows]


def _in_force(app) -> dict[str, str]:
    """The form as the page fills it: each threshold's value in force, whole numbers bare."""
    return {f"t_{s.name}": f"{s.value:g}" for s in anomalies.threshold_settings(app, AGENCY)}


def _people(app) -> None:
    factory.register(app)
    access.create_user(app, "zhifa", PASSWORD, ["officer"], "张伟", "wl-zd1", "31010001")
    access.create_user(app, "jiandu", PASSWORD, ["supervisor"], "监督员", "wl-zd1")
    access.create_user(app, "fuzeren", PASSWORD, ["head"], "负责人", "wl-zd1")
    access.create_user(app, "guanli", PASSWORD, ["admin"], "管理员")


def test_the_head_sets_his_agency_s_thresholds_on_the_page(app) -> None:
    _people(app)
    with TestClient(create_app(app)) as client:
        login(client, "zhifa", PASSWORD)  # an officer: refused
        assert client.get("/anomalies/thresholds").status_code == 403
        login(client, "jiandu", PASSWORD)  # the supervisor reads anomalies, sets nothing
        assert client.get("/anomalies/thresholds").status_code == 403
        assert 'id="thresholds-link"' not in client.get("/anomalies").text

        login(client, "fuzeren", PASSWORD)  # the head: his own agency's
        assert 'href="/anomalies/thresholds"' in client.get("/anomalies").text
        page = client.get("/anomalies/thresholds")
        assert page.status_code == 200
        assert "两案事项时间重叠的最短时长（分钟）" in page.text  # the label
        assert "一人同时在两处执法" in page.text  # its meaning
        assert 'name="t_overlap_minutes" value="5"' in page.text
        assert 'name="t_copy_similarity" value="0.6"' in page.text
        assert 'id="pick-agency"' not in page.text  # a head has no choice of agency

        # refused: each problem beside its input, what was typed kept, nothing journaled
        typed = _in_force(app)
        typed |= {"t_overlap_minutes": "45", "t_copy_similarity": "1.5", "t_max_speed_kmh": "快"}
        refused = client.post("/anomalies/thresholds", data={"csrf": _csrf(page.text), **typed})
        assert refused.status_code == 422
        text = refused.text
        assert "有 2 处需要修改" in text and "LH100" in text
        assert "“笔录雷同的相似度下限（0–1）”应为大于 0、不超过 1 的小数" in text
        assert "“两地之间可能的最高移动速度（千米/小时）”应为大于 0 的整数" in text
        assert 'name="t_overlap_minutes" value="45"' in text  # kept as typed
        assert 'name="t_max_speed_kmh" value="快"' in text
        assert 'id="t_copy_similarity" name="t_copy_similarity" value="1.5"' in text
        assert 'aria-describedby="err-t_copy_similarity"' in text
        assert _settings_entries(app) == []

        typed |= {"t_copy_similarity": "0.7", "t_max_speed_kmh": "120"}
        done = client.post("/anomalies/thresholds", data={"csrf": _csrf(page.text), **typed},
                           follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        shown = client.get(done.headers["location"]).text
        assert "已记入日志" in shown and 'name="t_overlap_minutes" value="45"' in shown
        [entry] = _settings_entries(app)
        assert entry["recorded_by"] == {"id": "fuzeren", "role": "head"}
        assert sorted(entry["fields"]["values"]) == ["copy_similarity=0.7", "overlap_minutes=45"]
        values = {s.name: s.value for s in anomalies.threshold_settings(app, AGENCY)}
        assert values["overlap_minutes"] == 45 and values["copy_similarity"] == 0.7
        # nothing changed: nothing journaled
        again = client.post("/anomalies/thresholds", data={"csrf": _csrf(shown), **typed},
                            follow_redirects=False)  # fmt: skip
        assert again.headers["location"].endswith("done=0") and len(_settings_entries(app)) == 1


def test_the_administrator_sets_any_agency_s_thresholds(app) -> None:
    _people(app)
    anomalies.set_thresholds(app, AGENCY, {"overlap_minutes": "45"}, {"id": "x", "role": "head"})
    typed = _in_force(app)
    with TestClient(create_app(app)) as client:
        login(client, "guanli", PASSWORD)  # the administrator: any agency
        assert 'href="/anomalies/thresholds"' in client.get("/admin/settings").text
        chosen = client.get("/anomalies/thresholds", params={"agency": AGENCY})
        assert chosen.status_code == 200 and 'id="pick-agency"' in chosen.text
        assert client.get("/anomalies/thresholds", params={"agency": "nobody"}).status_code == 404
        typed["t_lag_min_entries"] = "8"
        by_admin = client.post(
            "/anomalies/thresholds", params={"agency": AGENCY},
            data={"csrf": _csrf(chosen.text), **typed}, follow_redirects=False,
        )  # fmt: skip
        assert by_admin.status_code == 303
        last = _settings_entries(app)[-1]
        assert last["recorded_by"] == {"id": "guanli", "role": "admin"}
        assert "lag_min_entries=8" in last["fields"]["values"]
        assert "overlap_minutes=45" in last["fields"]["values"]  # the head's stays
