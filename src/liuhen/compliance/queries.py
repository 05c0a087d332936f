"""What the pages and the API ask of the rule packs: which exist, what one says, and which
rule demands a document (shown on the document form as the reason to sign)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from liuhen import __version__
from liuhen.accounts import service as access
from liuhen.accounts.service import unit_agency
from liuhen.cases import service as cases
from liuhen.compliance import packs, service
from liuhen.compliance.calendar import imported_years
from liuhen.compliance.schemas import PackList, PackRules
from liuhen.kernel.db import store
from liuhen.kernel.instance import App
from liuhen.rules.pack import Documents, Pack


def pack_list(app: App) -> PackList:
    """The packs available and the instance default."""
    names = packs.available(app.settings.data_dir)
    return PackList(default=packs.pack_name_for(app, None), packs=names)


def pack_rules(app: App, name: str) -> PackRules:
    """One pack's title, version, chain of packs it extends and its rules."""
    return rules_of(packs.load_pack(name, app.settings.data_dir))


def rules_of(p: Pack) -> PackRules:
    """What the API and ``liuhen pack show --json`` say of a loaded pack."""
    return PackRules(
        pack=p.name,
        title=p.title,
        version=p.version,
        chain=list(p.chain),
        rules={k: r.model_dump(mode="json") for k, r in p.rules.items()},
        sources=dict(p.sources),
    )


def demanded_by(app: App, number: str, doc_code: str) -> str:
    """The title of the case's pack rule that demands this document, if any."""
    agency = unit_agency(app, cases.show_case(app, number).unit)
    pack = packs.load_pack(packs.pack_name_for(app, agency), app.settings.data_dir)
    return next(
        (r.title for r in pack.rules.values() if isinstance(r, Documents)
         and any(d.type == doc_code for d in r.documents)),
        "",
    )  # fmt: skip


def rules_in_force(app: App) -> cases.RulesInForce:
    """Which rules each unit's cases are judged by, as a key that changes whenever their
    findings could: the agency's pack by name and digest (its text and every pack it extends),
    the imported calendar years and this program's version (the engine and the built-in
    calendar). The case list recomputes a case's summary when its key differs."""
    years = sorted((y.year, sorted(y.holidays), sorted(y.workdays)) for y in imported_years(app))
    calendar = hashlib.sha256(repr(years).encode()).hexdigest()[:12]
    with app.engine.connect() as conn:
        units = [(u, a) for u, a in conn.execute(select(store.UNIT.c.code, store.UNIT.c.agency))]
    keys: dict[str, str] = {}

    def key(agency: str | None) -> str:
        name = packs.pack_name_for(app, agency)
        if name not in keys:
            digest = packs.digest(app, name).removeprefix("sha256:")[:16]
            keys[name] = f"{name}:{digest}:{calendar}:{__version__}"
        standards = service.rule_settings(app, agency)  # the agency's own amounts
        extra = "".join(f":{k}={v}" for k, v in sorted(standards.items()))
        return (keys[name] + extra)[:200]

    by_agency = {agency: key(agency) for agency in {a for _u, a in units}}
    return cases.RulesInForce({u: by_agency[a] for u, a in units}, key(None))


GUIDE_PACK = "003"  # 003 第二十条: 编制……执法行为用语指引


@dataclass(frozen=True, slots=True)
class GuideStatus:
    """Whether an agency under a pack that asks for a 执法行为用语指引 has registered one (the
    latest registered is in force); a file the system keeps but cannot judge, so reported."""

    code: str
    name: str
    title: str | None
    seq: int | None


def guide_status(app: App, pack: str | None = None) -> list[GuideStatus]:
    """Each agency whose pack descends from 003 (or is ``pack``) and its guide, if any."""
    out = []
    for a in access.listing(app).agencies:
        name = packs.pack_name_for(app, a.code)
        if (pack is not None and name != pack) or GUIDE_PACK not in packs.load_pack(
            name, app.settings.data_dir
        ).chain:
            continue
        found = access.conduct_guides(app, a.code)
        latest = found[-1] if found else None
        out.append(GuideStatus(a.code, a.name, latest.title if latest else None,
                               latest.seq if latest else None))  # fmt: skip
    return out
