"""Anomaly detection, measured: N honest cases of the kind an agency's units produce, K planted
anomalies of each kind, then every detector over the lot. Prints, per kind, the recall (planted
anomalies found) and the false positives (anomalies resting only on honest cases, per 1,000
honest cases), and the scan time. Asserts nothing.

    .venv/bin/python -m bench.anomalies [--cases 1000] [--planted 20] [--seed 7]
    .venv/bin/python -m bench.anomalies --incremental [--cases 1000] [--batch 50]
        [--backend sqlite|postgres] [--db liuhen_bench_anomalies]

``--incremental`` writes the planted world into a fresh instance's journal table ``--batch``
cases at a time (rows as the journal holds them, without hashing: the figure is the
detection's, not the append's), runs the incremental detection
(``supervision.service.detect_new``) after each batch and prints the entries per second it
handles; then the full scan (``supervision.service.scan``) with its time, whether it left the
same anomalies as the incremental path, and the recall of the stored anomalies.

The honest cases follow the demo's shape (立案, 设备检查, 现场检查 with its 笔录 and video,
询问 with its 笔录 and video, 调取证据, 案件处理审批, 法制审核, 负责人审批, 决定, 送达, 履行,
结案): two officers of a unit per case, each pair in one place at a time, each officer wearing
his own camera, records entered the same day (some the next), videos uploaded within two days,
transcripts written from the same formulas with each case's own facts; and the noise honest
records have: 15% of acts written up the next morning, 10% of videos in two files (a battery
change, three minutes apart), 5% of transcripts corrected before the decision. The plants are the
study's fabrications: one officer in two cases at once, a camera 900 km away, another's camera,
a 笔录 whose video runs at other times, a video made after the act, a video before the check,
an officer who enters everything days late, a case written up in one sitting, evidence added
after the decision, a transcript copied from another case, evidence never collected, a
decision served before it was made or made before its review.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.common import fresh_app
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.supervision import service as supervision
from liuhen.supervision.detectors.model import (
    Anomaly,
    Assignment,
    Corpus,
    Ref,
    Severity,
    case_file,
)
from liuhen.supervision.detectors.run import KINDS, detect
from liuhen.supervision.detectors.thresholds import Thresholds

START = datetime.fromisoformat("2026-01-05T00:00:00+08:00")
LATE_SHARE = 0.15  # acts written up the next morning
SPLIT_SHARE = 0.10  # videos in two files (a battery change)
CORRECTED_SHARE = 0.05  # cases with a correction before the decision
UNITS = 10
PAIRS_PER_UNIT = 3
SURNAMES = (
    "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅文斌兰凤玉萍辉鹏飞宇晨浩然子轩"
ROADS = [
    "文华", "建设", "解放", "人民", "滨河", "科技园", "长青", "和平", "光明", "幸福", "朝阳",
    "新华",
    "胜利", "青年", "北京", "中山", "南湖", "东风",
]  # fmt: skip
TRADES = [
    ("食品经营许可证", "熟食", "冷藏柜", "进货单据"),
    ("营业性演出许可证", "演出门票", "舞台", "售票明细"),
    ("网络文化经营许可证", "上网服务", "电脑", "上网登记记录"),
    ("药品经营许可证", "处方药", "货架", "销售记录"),
    ("道路运输经营许可证", "货物运输", "车辆", "运单"),
    ("烟草专卖零售许可证", "卷烟", "柜台", "进货发票"),
]
OPENINGS = [
    "问：我们是某区{agency}执法人员{o1}（执法证号{c1}）、{o2}（执法证号{c2}），这是我们的执法证件，"
    "请你过目。你是否看清楚？答：看清楚了。问：我们依法就有关问题进行调查，请你如实回答，你有权进行"
    "陈述和申辩，你是否明白？答：明白。",
    "问：我们是某区{agency}的执法人员{o1}、{o2}，执法证号分别为{c1}、{c2}，现向你出示执法证件。"
    "你是否看清？答：看清了。问：你应当如实回答询问，并协助调查，不得阻挠，你听清楚了吗？答：听清楚了。",
]
QUESTIONS = [
    "问：请介绍一下你的基本情况。答：我叫{party}，今年{age}岁，住{addr}，是{shop}的负责人，电话{phone}。",
    "问：你是否取得{license}？答：{license_answer}",
    "问：{goods}是从什么时候开始经营的？答：从{month}月{day}日开始，到现在大约{weeks}个星期，"
    "一共经营了{count}次（批），收入大约{income}元。",
    "问：{place_item}里的{goods}是什么情况？答：{place_answer}",
    "问：你能否提供{papers}？答：{papers_answer}",
    "问：你对本次检查有什么意见？答：{opinion}",
]
LICENSE_ANSWERS = [
    "没有取得，我以为{reason}。",
    "取得过，但是已经在{month}月过期了，{reason}。",
    "正在办理，材料{month}月{day}日交上去了，{reason}。",
]
REASONS = [
    "规模很小不需要办理",
    "朋友说可以先经营后补办",
    "是临时性的经营",
    "续办的事情一直没顾上",
    "工作人员说可以先营业",
    "以前没有人来检查过",
    "这个场地是租来的由房东负责",
    "对规定不了解",
]
PLACE_ANSWERS = [
    "是{day}号上午从{supplier}进的货，一共{count}件，还没有卖完。",
    "这些是顾客预订的，明天{hour}点来取，一共{count}份。",
    "是我们自己{verb}的，每天大约{count}份，当天卖完。",
    "是{supplier}送来的样品，具体数量是{count}件，我没有清点过。",
]
PAPERS_ANSWERS = [
    "可以，{papers}在{where}，我现在就拿给你们，共{count}页。",
    "{papers}在会计{acct}那里，明天上午送到你们局里。",
    "只有一部分，{month}月以前的{papers}找不到了，现有的共{count}页。",
]
OPINIONS = [
    "没有意见，我们会配合整改。",
    "我承认有问题，请求从轻处理。",
    "希望给我们一些时间补办手续。",
    "没有意见，以上情况属实。",
    "我认为情节轻微，请求不予处罚。",
]
SCENES = [
    "执法人员到达现场后开启执法记录仪，语音说明时间、地点、人员、事由。经出示执法证件，{party}在场。"
    "现场为{shop}，位于{addr}，营业面积约{area}平方米，",
    "执法人员于{hour}时到达{addr}{shop}，表明身份并出示执法证件，由负责人{party}陪同检查，"
    "现场营业面积约{area}平方米，",
]
SCENE_PARTS = [
    "{place_item}内摆放{goods}{count}件，标签显示生产日期为{month}月{day}日；",
    "墙上悬挂营业执照一份，未见{license}；",
    "收银台处有{papers}一本，记载至{month}月{day}日，共{count}笔；",
    "现场有顾客{count}人，工作人员{staff}人，正在营业；",
    "后仓堆放{goods}约{count}箱，未见{papers}；",
    "执法人员对现场进行了拍照和录像，共拍摄照片{photos}张。",
]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _fill(template: str, ctx: dict[str, Any], rng: random.Random) -> str:
    values = dict(ctx)
    values.update(
        month=rng.randint(1, 12),
        day=rng.randint(1, 28),
        weeks=rng.randint(2, 30),
        count=rng.randint(3, 400),
        income=rng.randint(800, 90000),
        hour=rng.randint(8, 20),
        area=rng.randint(20, 600),
        staff=rng.randint(1, 12),
        photos=rng.randint(4, 40),
        acct=_name(rng),
        supplier=f"某区{rng.choice(ROADS)}批发市场{_name(rng)}",
        where=rng.choice(["办公室柜子里", "收银台抽屉里", "仓库的文件柜里", "手机里"]),
        verb=rng.choice(["加工", "制作", "包装", "分装"]),
        reason=rng.choice(REASONS),
        age=rng.randint(23, 66),
    )
    return template.format(**values)


def transcript(ctx: dict[str, Any], rng: random.Random) -> str:
    ctx = dict(ctx)
    ctx["license_answer"] = _fill(rng.choice(LICENSE_ANSWERS), ctx, rng)
    ctx["place_answer"] = _fill(rng.choice(PLACE_ANSWERS), ctx, rng)
    ctx["papers_answer"] = _fill(rng.choice(PAPERS_ANSWERS), ctx, rng)
    ctx["opinion"] = rng.choice(OPINIONS)
    parts = [_fill(rng.choice(OPENINGS), ctx, rng)]
    parts += [_fill(q, ctx, rng) for q in QUESTIONS]
    return "".join(parts) + "问：以上笔录是否属实？答：属实。"


def scene(ctx: dict[str, Any], rng: random.Random) -> str:
    parts = [_fill(rng.choice(SCENES), ctx, rng)]
    parts += [_fill(p, ctx, rng) for p in rng.sample(SCENE_PARTS, 4)]
    return "".join(parts)


@dataclass
class Gen:
    """The honest world: units of officer pairs, their cameras, the cases they handled."""

    rng: random.Random
    officers: dict[str, str] = field(default_factory=dict)
    pairs: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, o1, o2)
    devices: dict[str, str] = field(default_factory=dict)  # officer → device
    busy: dict[int, set[int]] = field(default_factory=dict)  # pair → half-days taken
    cases: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    gps: dict[str, tuple[float, float]] = field(default_factory=dict)
    seq: int = 0

    def __post_init__(self) -> None:
        n = 0
        for u in range(UNITS):
            for _ in range(PAIRS_PER_UNIT):
                pair = []
                for _ in range(2):
                    n += 1
                    cert = f"1101{n:04d}"
                    self.officers[cert] = _name(self.rng)
                    self.devices[cert] = f"ZFJLY-{n:04d}"
                    pair.append(cert)
                self.pairs.append((f"zd{u + 1}", pair[0], pair[1]))
        self.officers["11019001"] = "沈若兰"  # 法制审核
        self.officers["11019002"] = "贺建国"  # 负责人

    def slot(self, pair: int, not_before: int) -> tuple[datetime, datetime]:
        """The pair's next free half-day at or after half-day ``not_before`` (weekdays)."""
        busy = self.busy.setdefault(pair, set())
        s = not_before
        while s in busy or (START + timedelta(days=s // 2)).weekday() >= 5:
            s += 1
        busy.add(s)
        begin = START + timedelta(days=s // 2, hours=9 if s % 2 == 0 else 14)
        return begin, begin + timedelta(hours=3)

    def add(
        self,
        number: str,
        act: str,
        occurred: datetime,
        lag_min: float,
        actors: list[str],
        **fields: Any,
    ) -> dict[str, Any]:
        self.seq += 1
        if act not in ("general.media", "general.document") and self.rng.random() < LATE_SHARE:
            lag_min += self.rng.randint(14 * 60, 26 * 60)  # written up the next morning
        doc = {
            "seq": self.seq,
            "act": act,
            "occurred_at": occurred.isoformat(),
            "recorded_at": (occurred + timedelta(minutes=lag_min)).isoformat(),
            "actors": [{"cert_no": c} for c in actors],
            "body": {"fields": fields, "recorded_by": {"id": self.meta[number]["o1"]}},
        }
        self.cases[number].append(doc)
        return doc

    def on_site(
        self,
        number: str,
        act: str,
        start: datetime,
        minutes: int,
        text: dict[str, str],
        where: tuple[float, float],
        **extra: Any,
    ) -> tuple[dict[str, Any], ...]:
        """An act done in person: the camera check, the act, its 笔录, its video."""
        m, r = self.meta[number], self.rng
        o1, o2 = m["o1"], m["o2"]
        end = start + timedelta(minutes=minutes)
        check = self.add(
            number,
            "general.device_check",
            start - timedelta(minutes=10),
            3,
            [o1, o2],
            device_no=self.devices[o1],
            battery_percent=90,
            works=True,
        )
        act_doc = self.add(
            number,
            act,
            start,
            minutes + r.randint(20, 300),
            [o1, o2],
            started_at=start.isoformat(),
            ended_at=end.isoformat(),
            **text,
            **extra,
        )
        seq = act_doc["seq"]
        record = "inquiry_record" if act.endswith("inquiry") else "inspection_record"
        doc = self.add(
            number,
            "general.document",
            end,
            minutes + r.randint(25, 320),
            [o1, o2],
            doc_type=record,
            act_seq=seq,
            issued_at=end.isoformat(),
        )
        split = r.random() < SPLIT_SHARE  # the battery changed halfway: two files
        middle = start + timedelta(minutes=minutes // 2)
        parts = [(start - timedelta(minutes=1), middle), (middle + timedelta(minutes=3), end)]
        files = []
        for begin, finish in parts if split else [(start - timedelta(minutes=1), end)]:
            digest = f"sha256:{self.seq + 1:064x}"
            files.append(self.add(
                number, "general.media", begin, minutes + r.randint(60, 2880), [o2],
                digest=digest, kind="video", device_no=self.devices[o1], act_seq=seq,
                started_at=begin.isoformat(),
                ended_at=(finish + timedelta(minutes=1)).isoformat(),
            ))  # fmt: skip
            self.gps[digest] = where
        m.setdefault("split", set()).update({act} if split else set())
        return check, act_doc, doc, files[0]

    def case(self, i: int) -> str:
        r = self.rng
        number = f"某区罚〔2026〕{i + 1}号"
        p = r.randrange(len(self.pairs))
        unit, o1, o2 = self.pairs[p]
        trade = r.choice(TRADES)
        party = _name(r)
        ctx = {
            "agency": "市场监督管理局",
            "o1": self.officers[o1],
            "o2": self.officers[o2],
            "c1": o1,
            "c2": o2,
            "party": party,
            "shop": f"{party}{r.choice(['商行', '经营部', '店'])}",
            "addr": f"某区{r.choice(ROADS)}路{r.randint(1, 300)}号",
            "license": trade[0],
            "goods": trade[1],
            "place_item": trade[2],
            "papers": trade[3],
            "phone": f"1{r.randint(3, 9)}{r.randint(0, 9)}****{r.randint(1000, 9999)}",
        }
        self.cases[number] = []
        self.meta[number] = {"unit": unit, "o1": o1, "o2": o2, "pair": p, "party": party}
        site = (39.9 + r.uniform(-0.25, 0.25), 116.4 + r.uniform(-0.3, 0.3))
        office = (39.90, 116.40)
        begin = r.randrange(0, 240)
        day0 = START + timedelta(days=begin // 2, hours=9, minutes=r.randint(0, 90))
        self.add(
            number,
            "initiation.ex_officio",
            day0,
            r.randint(20, 240),
            [o1, o2],
            parties=[{"name": party}],
            cause=f"未取得{trade[0]}从事经营活动",
            category="penalty",
            procedure="ordinary",
            unit=unit,
        )
        s, _ = self.slot(p, begin + 1)
        inspected = self.on_site(
            number,
            "investigation.inspection",
            s + timedelta(minutes=r.randint(0, 40)),
            r.randint(30, 90),
            {"scene": scene(ctx, r)},
            site,
        )
        s, _ = self.slot(p, begin + r.randint(4, 12))
        asked = self.on_site(
            number,
            "investigation.inquiry",
            s + timedelta(minutes=r.randint(0, 40)),
            r.randint(40, 100),
            {"transcript": transcript(ctx, r)},
            office,
            subject={"name": party},
        )
        t_asked = datetime.fromisoformat(asked[1]["occurred_at"])
        t_seen = datetime.fromisoformat(inspected[1]["occurred_at"])
        draft_at = t_asked + timedelta(days=r.randint(3, 10), hours=2)
        if r.random() < CORRECTED_SHARE:  # a slip in the transcript, corrected in time
            fix = self.add(number, "general.correction", draft_at - timedelta(days=1), 30, [o1],
                           changes={"transcript": transcript(ctx, r)})  # fmt: skip
            fix["body"]["corrects"] = asked[1]["seq"]
            self.meta[number]["corrected"] = True
        self.add(
            number,
            "decision.draft",
            draft_at,
            r.randint(30, 600),
            [o1],
            evidence=[
                f"现场检查笔录（{t_seen.year}年{t_seen.month}月{t_seen.day}日）",
                f"{party}询问笔录（{t_asked.year}年{t_asked.month}月{t_asked.day}日）",
                "营业执照复印件",
                "现场照片及视听资料",
            ],
        )
        review_at = draft_at + timedelta(days=r.randint(1, 5))
        self.add(
            number,
            "decision.legal_review",
            review_at,
            r.randint(30, 300),
            ["11019001"],
            conclusion="同意",
        )
        self.add(
            number,
            "decision.head_approval",
            review_at + timedelta(days=1),
            20,
            ["11019002"],
            approved=True,
        )
        decided = review_at + timedelta(days=r.randint(2, 4))
        d = self.add(
            number,
            "decision.decision",
            decided,
            r.randint(20, 120),
            [o1, o2],
            document_no=f"某区罚决〔2026〕{i + 1}号",
            amount="5000.00",
        )
        self.add(
            number,
            "general.document",
            decided,
            r.randint(30, 150),
            [o1, o2],
            doc_type="penalty_decision",
            act_seq=d["seq"],
            issued_at=decided.isoformat(),
        )
        s, _ = self.slot(p, (decided - START).days * 2 + 2)
        served = s + timedelta(minutes=r.randint(0, 90))
        self.add(
            number,
            "service.direct",
            served,
            r.randint(20, 300),
            [o1, o2],
            document_no=f"某区罚决〔2026〕{i + 1}号",
            served_at=served.isoformat(),
        )
        self.add(
            number, "execution.compliance", served + timedelta(days=r.randint(3, 14)), 600, [o1]
        )
        self.add(number, "archiving.closing", served + timedelta(days=20), 60, [o1])
        self.meta[number].update(inspected=inspected, asked=asked, decision=d, ctx=ctx)
        return number


def _time(doc: dict[str, Any], key: str) -> datetime:
    return datetime.fromisoformat(doc[key] if key in doc else doc["body"]["fields"][key])


def _shift(doc: dict[str, Any], minutes: float, *keys: str) -> None:
    for k in keys:
        f = doc["body"]["fields"] if k in doc["body"]["fields"] else doc
        f[k] = (datetime.fromisoformat(f[k]) + timedelta(minutes=minutes)).isoformat()


@dataclass
class Plant:
    kind: str
    cases: set[str]  # the anomaly rests on entries of these cases
    officer: str = ""  # for an officer's pattern (record_lag)


@dataclass
class Planter:
    """Plants ``k`` of each kind, each in cases no other plant touches."""

    g: Gen
    honest: list[str]
    k: int
    used: set[str] = field(default_factory=set)
    plants: list[Plant] = field(default_factory=list)

    def take(self, n: int = 1, pair: int | None = None) -> list[str]:
        got = []
        for c in self.honest:
            # plants edit one video and the transcript as first recorded: not in these cases
            split = self.g.meta[c].get("split") or self.g.meta[c].get("corrected")
            if c in self.used or split or (pair is not None and self.g.meta[c]["pair"] != pair):
                continue
            got.append(c)
            if len(got) == n:
                break
        self.used.update(got)
        return got

    def new(self, number: str, act: str, at: datetime, lag: float, **fields: Any) -> Any:
        m = self.g.meta[number]
        return self.g.add(number, act, at, lag, [m["o1"], m["o2"]], **fields)

    def lag(self) -> None:
        """Officers who enter everything days late (one per unit at most)."""
        g, units = self.g, set[str]()
        for p, (unit, o1, _o2) in enumerate(g.pairs):
            mine = [c for c in self.honest if g.meta[c]["pair"] == p]
            if len(units) >= min(self.k, UNITS) or unit in units or len(mine) < 3:
                continue
            units.add(unit)
            for c in mine:
                self.used.add(c)
                for doc in g.cases[c]:
                    if doc["body"]["recorded_by"]["id"] == o1:
                        _shift(doc, 60 * 24 * 5 + g.rng.randint(0, 600), "recorded_at")
            self.plants.append(Plant("record_lag", set(mine), officer=o1))

    def overlap(self) -> None:
        """One officer in two cases at once: an inquiry during the pair's other inspection."""
        (x,) = self.take()
        y = self.take(1, self.g.meta[x]["pair"])
        if not y:
            return
        start = _time(self.g.meta[y[0]]["inspected"][1], "started_at") + timedelta(minutes=10)
        end = start + timedelta(minutes=40)
        self.new(
            x,
            "investigation.inquiry",
            start,
            120,
            started_at=start.isoformat(),
            ended_at=end.isoformat(),
            transcript="问：补充询问。",
        )
        self.plants.append(Plant("officer_overlap", {x, y[0]}))

    def travel(self) -> None:
        """A video whose camera was 1,000 km away within hours of the pair's other case."""
        g = self.g
        videos = sorted(
            (
                (g.meta[c]["pair"], _time(d["body"]["fields"], "started_at"), c, d)
                for c in self.honest
                for d in g.cases[c]
                if d["act"] == "general.media"
            ),
            key=lambda v: (v[0], v[1]),
        )
        done = 0
        for (pa, ta, ca, da), (pb, tb, cb, _db) in itertools.pairwise(videos):
            near = pa == pb and ca != cb and tb - ta <= timedelta(hours=6)
            if done >= self.k or not near or {ca, cb} & self.used:
                continue
            self.used.update({ca, cb})
            g.gps[da["body"]["fields"]["digest"]] = (31.23, 121.47)
            self.plants.append(Plant("officer_travel", {ca}))
            done += 1

    def device(self) -> None:
        (x,) = self.take()
        other = self.g.pairs[(self.g.meta[x]["pair"] + 1) % len(self.g.pairs)][1]
        self.g.meta[x]["inspected"][3]["body"]["fields"]["device_no"] = self.g.devices[other]
        self.plants.append(Plant("device_not_assigned", {x}))

    def av_outside(self) -> None:
        """A 笔录 whose video covers a third of it."""
        (x,) = self.take()
        media = self.g.meta[x]["asked"][3]["body"]["fields"]
        start, end = _time(media, "started_at"), _time(media, "ended_at")
        media["ended_at"] = (start + (end - start) / 3).isoformat()
        self.plants.append(Plant("av_outside_time", {x}))

    def av_after(self) -> None:
        (x,) = self.take()
        _shift(self.g.meta[x]["asked"][3], 240, "started_at", "ended_at")
        self.plants.append(Plant("av_after_act", {x}))

    def before_check(self) -> None:
        (x,) = self.take()
        _shift(self.g.meta[x]["inspected"][0], 45, "occurred_at", "recorded_at")
        self.plants.append(Plant("av_before_check", {x}))

    def session(self) -> None:
        """A case's investigation written up in one sitting, the evening before the decision."""
        (x,) = self.take()
        decided = datetime.fromisoformat(self.g.meta[x]["decision"]["occurred_at"])
        sitting = decided - timedelta(hours=12)
        late = [
            d
            for d in self.g.cases[x]
            if datetime.fromisoformat(d["occurred_at"]) < sitting
            and d["act"] not in ("general.media", "general.document")
        ]
        for i, doc in enumerate(late):
            doc["recorded_at"] = (sitting + timedelta(minutes=3 * i)).isoformat()
        self.plants.append(Plant("backfill_session", {x}))

    def after_decision(self, i: int) -> None:
        """Evidence, or a correction of the inquiry, entered three days after the decision."""
        (x,) = self.take()
        m = self.g.meta[x]
        after = datetime.fromisoformat(m["decision"]["recorded_at"]) + timedelta(days=3)
        asked = m["asked"][1]
        if i % 2:
            doc = self.new(x, "general.correction", after, 5, changes={"transcript": "（更正）"})
            doc["body"]["corrects"] = asked["seq"]
        else:
            at = _time(asked, "occurred_at") + timedelta(days=1)
            doc = self.new(x, "investigation.evidence_request", at, 0, collected_at=at.isoformat())
            doc["recorded_at"] = after.isoformat()
        self.plants.append(Plant("after_decision_change", {x}))

    def copy(self) -> None:
        """A transcript copied from another case, the party's name and a word changed."""
        x, y = self.take(2)
        text = self.g.meta[y]["asked"][1]["body"]["fields"]["transcript"]
        for old, new_word in ((self.g.meta[y]["party"], self.g.meta[x]["party"]), ("属实", "无误")):
            text = text.replace(old, new_word)
        self.g.meta[x]["asked"][1]["body"]["fields"]["transcript"] = text
        self.plants.append(Plant("transcript_copy", {x, y}))

    def unbacked(self) -> None:
        """Evidence named that no act produced (no 抽样 was ever recorded)."""
        (x,) = self.take()
        draft = next(d for d in self.g.cases[x] if d["act"] == "decision.draft")
        seen = _time(self.g.meta[x]["inspected"][1], "occurred_at")
        item = f"抽样检验报告（{seen.year}年{seen.month}月{seen.day}日抽样）"
        draft["body"]["fields"]["evidence"].append(item)
        self.plants.append(Plant("evidence_unbacked", {x}))

    def order(self, i: int) -> None:
        """Served two days before it was made, or made before its legal review."""
        (x,) = self.take()
        docs = self.g.cases[x]
        if i % 2:
            service = next(d for d in docs if d["act"] == "service.direct")
            decided = datetime.fromisoformat(self.g.meta[x]["decision"]["occurred_at"])
            service["body"]["fields"]["served_at"] = (decided - timedelta(days=2)).isoformat()
        else:
            review = next(d for d in docs if d["act"] == "decision.legal_review")
            _shift(review, 60 * 24 * 8, "occurred_at", "recorded_at")
        self.plants.append(Plant("order_contradiction", {x}))


def plant(g: Gen, honest: list[str], k: int) -> tuple[list[Plant], set[str]]:
    pool = list(honest)
    g.rng.shuffle(pool)
    p = Planter(g, pool, k)
    p.lag()
    p.travel()
    for i in range(k):
        for one in (
            p.overlap,
            p.device,
            p.av_outside,
            p.av_after,
            p.before_check,
            p.session,
            p.copy,
            p.unbacked,
        ):
            one()
        p.after_decision(i)
        p.order(i)
    return p.plants, p.used


def corpus_of(g: Gen) -> Corpus:
    files = [case_file(n, g.meta[n]["unit"], "scjgj", docs) for n, docs in g.cases.items()]
    since = START - timedelta(days=30)
    given = [Assignment(d, o, since) for o, d in g.devices.items()]
    return Corpus(files, given, g.officers, g.gps)


def _scan(corpus: Corpus) -> tuple[list[Any], float]:
    t0 = time.perf_counter()
    found = detect(corpus, Thresholds())
    return found, time.perf_counter() - t0


def _per_detector(corpus: Corpus) -> str:
    """Seconds each detector takes on ``corpus`` (a detector two kinds share, once)."""
    seen, out = set(), []
    for kind in KINDS:
        if kind.detect in seen:
            continue
        seen.add(kind.detect)
        t0 = time.perf_counter()
        kind.detect(corpus, Thresholds())
        out.append(f"{kind.detect.__module__.rsplit('.', 1)[-1]}.{kind.detect.__name__} "
                   f"{time.perf_counter() - t0:.2f}")  # fmt: skip
    return "，".join(out)


AGENCY = "scjgj"


def _registry(app: App, g: Gen) -> None:
    """The agency, units, officers, cameras' assignments and the files' positions."""
    now = START.isoformat()
    since = (START - timedelta(days=30)).isoformat()
    units = sorted({u for u, _, _ in g.pairs})
    with app.engine.begin() as conn:
        conn.execute(insert(store.AGENCY), [{"code": AGENCY, "name": "某区市场监督管理局",
                                             "region": None, "rule_pack": None}])  # fmt: skip
        conn.execute(insert(store.UNIT), [{"code": u, "name": u, "agency": AGENCY} for u in units])
        unit_of = {o: u for u, a, b in g.pairs for o in (a, b)}
        conn.execute(insert(store.OFFICER), [
            {"cert_no": c, "name": n, "unit": unit_of.get(c, units[0]), "roles": "[]",
             "active": True} for c, n in g.officers.items()
        ])  # fmt: skip
        conn.execute(insert(store.MEDIA), [
            {"digest": d, "name": d, "size": 1, "media_type": None, "kind": "video",
             "device_no": None, "officer": None, "unit": None, "started_at": None,
             "ended_at": None, "stored_at": now, "remote": False, "returned_at": None,
             "corrupt": False, "problems": "[]", "info": json.dumps({"gps": f"{la},{lo}"}),
             "case_number": None, "act_seq": None, "party": None, "bound_seq": None,
             "stored_seq": 0, "thumbnail": None}
            for d, (la, lo) in g.gps.items()
        ])  # fmt: skip
        rows = [
            _entry(i + 1, "@registry", i + 1, "registry.device", since, [],
                   {"fields": {"device_no": d, "officer": o}})
            for i, (o, d) in enumerate(sorted(g.devices.items()))
        ]  # fmt: skip
        conn.execute(insert(store.ENTRY), rows)


def _entry(seq: int, chain: str, chain_seq: int, act: str, occurred: str, actors: list[Any],
           body: dict[str, Any], recorded: str | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "seq": seq, "chain": chain, "chain_seq": chain_seq, "act": act, "occurred_at": occurred,
        "recorded_at": recorded or occurred, "actors": json.dumps(actors, ensure_ascii=False),
        "body": json.dumps(body, ensure_ascii=False), "prev_hash": None, "leaf_hash": b"",
        "canonical": b"",
    }  # fmt: skip


def _append(app: App, g: Gen, numbers: list[str], seq: int) -> int:
    """Journal rows for these cases (their seqs renumbered in order, references with them)."""
    rows, cases = [], []
    for number in numbers:
        docs = sorted(g.cases[number], key=lambda d: int(d["seq"]))
        new = {int(d["seq"]): seq + i + 1 for i, d in enumerate(docs)}
        for i, d in enumerate(docs):
            body = json.loads(json.dumps(d["body"]))
            if isinstance(body.get("corrects"), int):
                body["corrects"] = new.get(body["corrects"], body["corrects"])
            fields = body.get("fields") or {}
            if isinstance(fields.get("act_seq"), int):
                fields["act_seq"] = new.get(fields["act_seq"], fields["act_seq"])
            rows.append(_entry(new[int(d["seq"])], number, i + 1, d["act"], d["occurred_at"],
                               d["actors"], body, d["recorded_at"]))  # fmt: skip
        seq += len(docs)
        cases.append({
            "number": number, "cause": "", "category": "penalty", "procedure": "general",
            "unit": g.meta[number]["unit"], "summary": "", "parties": "[]", "officers": "[]",
            "stage": "closed", "status": "closed", "opened_at": docs[0]["occurred_at"],
            "entry_count": len(docs), "last_seq": seq, "last_act": docs[-1]["act"],
            "updated_at": docs[-1]["recorded_at"],
        })  # fmt: skip
    with app.engine.begin() as conn:
        conn.execute(insert(store.CASE), cases)
        conn.execute(insert(store.ENTRY), rows)
    return seq


def _stored(app: App) -> set[str]:
    t = store.T["anomaly"]
    with app.engine.connect() as conn:
        return set(conn.execute(select(t.c.key).where(t.c.active.is_(True))).scalars())


def _recall(found: list[Anomaly], plants: list[Plant], touched: set[str],
            false: Counter[str] | None, cases: int) -> None:  # fmt: skip
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for a in found:
        by_kind[a.kind].append(a)
    print(
        f"{'种类':<24}{'植入':>5}{'检出':>5}{'召回率':>8}{'误报':>5}{'误报/千件':>10}{'植入数据中他报':>14}"
    )
    for kind in KINDS:
        mine = [p for p in plants if p.kind == kind.code]
        hits = sum(
            any(
                (a.officer == p.officer if p.officer else {r.case for r in a.refs} & p.cases)
                for a in by_kind[kind.code]
            )
            for p in mine
        )
        stray = [a for a in by_kind[kind.code] if not {r.case for r in a.refs} & touched]
        recall = hits / len(mine) if mine else float("nan")
        n = false[kind.code] if false is not None else len(stray)
        print(
            f"{kind.code:<24}{len(mine):>5}{hits:>5}{recall:>8.2f}{n:>5}"
            f"{n * 1000 / cases:>10.2f}{len(stray):>14}"
        )


def incremental(args: argparse.Namespace) -> None:
    """The planted world appended batch by batch, each judged by the incremental detection."""
    g = Gen(random.Random(args.seed + 1))
    honest = [g.case(i) for i in range(args.cases)]
    plants, touched = plant(g, honest, args.planted)
    numbers = sorted(g.cases, key=lambda n: min(int(d["seq"]) for d in g.cases[n]))
    total = sum(len(g.cases[n]) for n in numbers)
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(Path(folder), args.backend, args.db)
        _registry(app, g)
        supervision.detect_new(app)  # the first pass: a full scan of the registry alone
        seq, spent, rates = len(g.devices), 0.0, []
        t_start = time.perf_counter()
        for i in range(0, len(numbers), args.batch):
            part = numbers[i : i + args.batch]
            before = seq
            seq = _append(app, g, part, seq)
            t0 = time.perf_counter()
            supervision.detect_new(app)
            took = time.perf_counter() - t0
            spent += took
            rates.append((seq - before) / took)
        wall = time.perf_counter() - t_start
        incremental_keys = _stored(app)
        rates.sort()
        print(f"增量检测（{args.backend}）：{len(numbers)} 件案件、{total} 条记录，"
              f"每批 {args.batch} 件；检测共 {spent:.1f} 秒（连同写入 {wall:.1f} 秒）")  # fmt: skip
        print(f"  增量检测处理速度：平均 {total / spent:,.0f} 条/秒，各批中位 "
              f"{rates[len(rates) // 2]:,.0f} 条/秒，最慢一批 {rates[0]:,.0f} 条/秒")  # fmt: skip
        result = supervision.scan(app)
        print(f"  全量扫描：{result.cases} 件案件、{result.entries} 条记录，用时 "
              f"{result.seconds:.2f} 秒，发现异常 {result.anomalies} 项")  # fmt: skip
        full_keys = _stored(app)
        same = "相同" if full_keys == incremental_keys else (
            f"不同（仅增量 {len(incremental_keys - full_keys)} 项，仅全量 "
            f"{len(full_keys - incremental_keys)} 项）")  # fmt: skip
        print(f"  增量与全量扫描的异常集合：{same}（{len(full_keys)} 项）")
        listed = supervision.list_anomalies(app, per_page=500)
        found = [Anomaly(a.kind, Severity(a.severity), a.explanation,
                         tuple(Ref(r.case, r.seq) for r in a.refs), officer=a.officer or "")
                 for p in range(1, listed.pages + 1)
                 for a in supervision.list_anomalies(app, page=p, per_page=500).items
                 if a.active]  # fmt: skip
        _recall(found, plants, touched, None, args.cases)
        app.engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--planted", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--incremental", action="store_true", help="journal, catch up, full scan")
    ap.add_argument("--batch", type=int, default=50, help="cases a batch (--incremental)")
    ap.add_argument("--backend", default="sqlite", choices=("sqlite", "postgres"))
    ap.add_argument("--db", default="liuhen_bench_anomalies", help="PostgreSQL database")
    args = ap.parse_args()
    if args.incremental:
        incremental(args)
        return
    # false positives: a world with nothing planted, every anomaly found is false
    g = Gen(random.Random(args.seed))
    for i in range(args.cases):
        g.case(i)
    corpus = corpus_of(g)
    entries = sum(len(c.entries) for c in corpus.cases)
    false, elapsed = _scan(corpus)
    print(f"诚实数据：{args.cases} 件案件，{entries} 条记录；扫描用时 {elapsed:.2f} 秒")
    print(f"  各检测用时（秒）：{_per_detector(corpus)}")
    # recall: another world, K of each kind planted in it
    g = Gen(random.Random(args.seed + 1))
    honest = [g.case(i) for i in range(args.cases)]
    plants, touched = plant(g, honest, args.planted)
    corpus = corpus_of(g)
    found, elapsed = _scan(corpus)
    print(f"植入数据：{args.cases} 件案件（{len(touched)} 件植入异常）；扫描用时 {elapsed:.2f} 秒")
    _recall(found, plants, touched, Counter(a.kind for a in false), args.cases)
    for a in false[:5]:
        print(f"  误报例：{a.kind} {a.explanation[:140]}")


if __name__ == "__main__":
    main()
