"""What the pages and the API ask of the rule packs: which exist, what one says, and which
rule demands a document (shown on the document form as the reason to sign)."""

from __future__ import annotations

from liuhen.accounts.service import unit_agency
from liuhen.cases import service as cases
from liuhen.compliance import packs
from liuhen.compliance.schemas import PackList, PackRules
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
