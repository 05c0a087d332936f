"""Finding 12 of issue 11: a bag cannot hide a record behind a withholding it cannot justify, and a
court can pin the agency's key.

Both verifiers (``liuhen verify-bag`` and the bag's own ``verify_bag.py``, run as a court runs
it) accept a withheld file or entry only when a confidentiality mark entry in the bag, not
lifted since, covers it with the kind ``withheld.json`` names, or, for imported history, when the
entry itself says it was imported. With ``--key`` the checkpoints must be signed by that key, and
both print the fingerprint of the key they trusted and where it came from.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from liuhen.archive import bag_verify, export
from liuhen.archive.bag_report import BagEntry
from liuhen.archive.bag_withholding import fold_marks
from liuhen.archive.export_contents import IMPORTED_REASON
from liuhen.archive.export_manifest import withholding_statement
from liuhen.disclosure import service as disclosure
from liuhen.journal import checkpoint as notes
from liuhen.kernel import instance, record
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput
from tests.integration import factory
from tests.integration.test_export import (
    ACCESSOR,
    CASE,
    build_case,
    make_dock,
    media_path,
    reseal,
)

HEAD = "31019999"


def mark(app: App, records: list[str], value: str, by: str = "31010001", role: str = "officer"):
    return record.record(app, ActInput(
        "general.confidentiality", app.clock.now().isoformat(), case=CASE, actors=[by],
        fields={"mark": value, "records": records, "reason": "测试"},
        recorded_by={"id": by, "role": role},
    ))  # fmt: skip


def export_as_cli(app: App, out: Path) -> None:
    """What ``liuhen export`` does: marked records left out unless an approval names them."""
    released = disclosure.release_for_export(app, CASE, None)
    export.export_case(
        app, CASE, out, accessor=ACCESSOR, withhold=released.files, redact=released.entries
    )


@pytest.fixture(scope="module")
def bags(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Four bags of one case (SQLite): unmarked; document entry marked 商业秘密; the whole case
    marked 个人隐私; every mark lifted by the head. Exporting is the slow part."""
    root = tmp_path_factory.mktemp("forgery")
    st = settings_mod.load({"LIUHEN_DATA_DIR": str(root / "data")})
    instance.init(st)
    app = instance.open_app(st)
    try:
        facts = build_case(app, make_dock(root))
        factory.add_officer(app, HEAD, "赵局长", roles=("head",))
        export_as_cli(app, root / "plain")
        mark(app, [str(facts["document"])], "商业秘密")
        export_as_cli(app, root / "marked")
        whole = mark(app, [], "个人隐私")
        export_as_cli(app, root / "whole")
        mark(app, [], "无", by=HEAD, role="head")
        mark(app, [str(facts["document"])], "无", by=HEAD, role="head")
        export_as_cli(app, root / "lifted")
        public = app.key.public_key()
        key = {
            "pem": public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode(),
            "verifier": notes.verifier_key(app.origin, public),
            "fingerprint": hashlib.sha256(notes.public_key_bytes(public)).hexdigest(),
            "origin": app.origin,
        }
    finally:
        app.engine.dispose()
    return {"root": root, "facts": facts, "key": key, "whole": whole.seq}


@pytest.fixture
def copy(bags: dict[str, Any], tmp_path: Path):
    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(bags["root"] / name, target)
        return target

    return make


def standalone(bag: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", str(bag / "verify_bag.py"), *extra, str(bag)],
        capture_output=True, text=True, cwd=bag, timeout=120, check=False,
    )  # fmt: skip


def codes(bag: Path, key: str | None = None) -> tuple[set[str], set[str], str]:
    """Problem codes of liuhen verify-bag and of the standalone verifier, and their text."""
    mine = bag_verify.verify_bag(bag, key)
    theirs = standalone(bag, *(["--key", key] if key is not None else []))
    found = set(re.findall(r"^(LH4\d\d) ", theirs.stdout, re.M))
    assert (theirs.returncode == 0) == (not found), theirs.stdout
    text = "\n".join(p.render() for p in mine.problems) + "\n" + theirs.stdout
    return {p.code for p in mine.problems}, found, text


def rows(bag: Path) -> list[dict[str, Any]]:
    path = bag / "data/journal/entries.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def write_rows(bag: Path, lines: list[dict[str, Any]]) -> None:
    path = bag / "data/journal/entries.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), "utf-8")


def held(bag: Path) -> dict[str, Any]:
    return json.loads((bag / "data/withheld.json").read_text("utf-8"))


def write_held(bag: Path, doc: dict[str, Any]) -> None:
    (bag / "data/withheld.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")


def withhold_entry(
    bag: Path, seq: int, reason: str = "已标记为商业秘密，未经负责人审批明确准予对外提供"
):
    """Replace an entry's canonical text by "withheld", as the forger of finding 12 did."""
    lines = rows(bag)
    for row in lines:
        if row["seq"] == seq:
            row.pop("canonical")
            row.pop("act", None)
            row["withheld"] = reason
    write_rows(bag, lines)


def canonical(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(base64.b64decode(row["canonical"]))


# --- honest bags verify, and say which key they trusted -------------------------------------


@pytest.mark.parametrize("name", ["plain", "marked", "whole", "lifted"])
def test_honest_bags_pass_both_verifiers(bags, name: str) -> None:
    bag = bags["root"] / name
    mine, theirs, text = codes(bag)
    assert not mine and not theirs, text
    out = standalone(bag).stdout
    assert f"信任的公钥指纹：{bags['key']['fingerprint']}（取自数据包，未独立核对）" in out


def test_mark_entries_are_never_withheld(bags) -> None:
    whole = rows(bags["root"] / "whole")
    marks = [
        r for r in whole if "canonical" in r and canonical(r)["act"] == "general.confidentiality"
    ]
    assert [canonical(r)["seq"] for r in marks][-1] == bags["whole"]
    hidden = [r["seq"] for r in whole if "canonical" not in r]
    assert hidden and not set(hidden) & {canonical(r)["seq"] for r in marks}
    doc = held(bags["root"] / "whole")
    assert {e["seq"] for e in doc["entries"]} == set(hidden)
    assert {e.get("mark") for e in doc["entries"]} <= {"个人隐私", "商业秘密"}
    lifted = rows(bags["root"] / "lifted")
    assert all("canonical" in r for r in lifted) and held(bags["root"] / "lifted")["files"] == []


# --- forged withholding -----------------------------------------------------------------------


def remove_clip(bag: Path) -> None:
    """Take the media file out of the bag and its index, as a forger hiding it would."""
    media_path(bag).unlink()
    index = json.loads((bag / "data/index.json").read_text("utf-8"))
    index["files"] = [f for f in index["files"] if f["role"] != "media"]
    (bag / "data/index.json").write_text(json.dumps(index, ensure_ascii=False), "utf-8")


@pytest.mark.parametrize("with_mark_field", [True, False])
def test_a_removed_clip_listed_as_a_business_secret_is_refused(copy, bags, with_mark_field) -> None:
    bag = copy("plain")
    remove_clip(bag)
    doc = held(bag)
    item = {"digest": bags["facts"]["clip"], "seq": bags["facts"]["media"],
            "reason": "已标记为商业秘密，未经负责人审批明确准予对外提供"}  # fmt: skip
    if with_mark_field:
        item |= {"basis": "mark", "mark": "商业秘密"}
    doc["files"].append(item)
    write_held(bag, doc)
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert mine == {"LH421", "LH423"} and theirs == {"LH421", "LH423"}, text
    assert str(bags["facts"]["clip"]) in text


def test_an_entry_replaced_by_withheld_is_refused(copy, bags) -> None:
    bag = copy("plain")
    withhold_entry(bag, int(bags["facts"]["media"]))
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert {"LH421", "LH423"} <= mine and {"LH421", "LH423"} <= theirs, text
    assert f"序号 {bags['facts']['media']}" in text


def test_hiding_the_mark_entry_itself_is_refused(copy, bags) -> None:
    """The marked bag's document stays hidden only while its mark entry is in the bag."""
    bag = copy("marked")
    mark_seq = next(
        r["seq"] for r in rows(bag)
        if "canonical" in r and canonical(r)["act"] == "general.confidentiality"
    )  # fmt: skip
    withhold_entry(bag, mark_seq)
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert {"LH421", "LH423"} <= mine and {"LH421", "LH423"} <= theirs, text
    assert f"序号 {bags['facts']['document']}" in text and f"序号 {mark_seq}" in text


def test_a_lifted_mark_justifies_nothing(copy, bags) -> None:
    bag = copy("lifted")
    withhold_entry(bag, int(bags["facts"]["document"]))
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert {"LH421", "LH423"} <= mine and {"LH421", "LH423"} <= theirs, text


def test_the_claimed_kind_must_be_the_marks_kind(copy) -> None:
    bag = copy("marked")
    doc = held(bag)
    assert [f["mark"] for f in doc["files"] if f["basis"] == "mark"] == ["商业秘密"]
    for f in doc["files"]:
        f["mark"] = "国家秘密"
    write_held(bag, doc)
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert mine == {"LH421", "LH423"} and theirs == {"LH421", "LH423"}, text
    assert "国家秘密" in text


def test_imported_history_must_be_imported(copy, bags) -> None:
    bag = copy("plain")
    remove_clip(bag)
    doc = held(bag)
    doc["files"].append({"digest": bags["facts"]["clip"], "seq": bags["facts"]["media"],
                         "reason": IMPORTED_REASON, "basis": "imported"})  # fmt: skip
    write_held(bag, doc)
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert mine == {"LH421", "LH423"} and theirs == {"LH421", "LH423"}, text


def resign_statement(bag: Path, key: Ed25519PrivateKey, origin: str) -> None:
    """What a forger holding ``key`` writes after changing entries.jsonl or withheld.json."""
    files = {"entries": "data/journal/entries.jsonl", "withheld": "data/withheld.json"}
    sha = {
        name: hashlib.sha256((bag / rel).read_bytes()).hexdigest() for name, rel in files.items()
    }
    (bag / "data/journal/withholding.txt").write_text(
        withholding_statement(origin, key, CASE, sha["entries"], sha["withheld"]), "utf-8"
    )


def test_a_hidden_lift_is_caught_by_the_signed_statement(copy, bags) -> None:
    """The one forgery the marks alone cannot see: the whole-case lift turned into "withheld"
    leaves the earlier whole-case mark in force, which then seems to cover every other hidden
    entry and file. The agency's signature over entries.jsonl and withheld.json does not."""
    bag = copy("lifted")
    lines = rows(bag)
    lift = next(
        canonical(r)["seq"] for r in lines
        if canonical(r)["act"] == "general.confidentiality"
        and canonical(r)["body"]["fields"]["mark"] == "无"
        and not canonical(r)["body"]["fields"].get("records")
    )  # fmt: skip
    media = int(bags["facts"]["media"])
    reason = "已标记为个人隐私，未经负责人审批明确准予对外提供"
    withhold_entry(bag, lift, reason)
    withhold_entry(bag, media, reason)
    media_path(bag).unlink()
    index = json.loads((bag / "data/index.json").read_text("utf-8"))
    index["files"] = [f for f in index["files"] if f["role"] != "media"]
    (bag / "data/index.json").write_text(json.dumps(index, ensure_ascii=False), "utf-8")
    doc = held(bag)
    doc["entries"] = [{"seq": s, "reason": reason, "mark": "个人隐私"} for s in (lift, media)]
    doc["files"] = [{"digest": bags["facts"]["clip"], "seq": media, "reason": reason,
                     "basis": "mark", "mark": "个人隐私"}]  # fmt: skip
    write_held(bag, doc)
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert mine == {"LH423"} and theirs == {"LH423"}, text  # the marks check alone is fooled


def test_a_removed_statement_is_refused_when_anything_is_withheld(copy) -> None:
    bag = copy("marked")
    (bag / "data/journal/withholding.txt").unlink()
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert mine == {"LH423"} and theirs == {"LH423"}, text


# --- pinning the agency's key -------------------------------------------------------------------


def test_the_right_key_pins_in_every_form(bags, tmp_path: Path, run) -> None:
    bag = bags["root"] / "marked"
    key = bags["key"]
    pem = tmp_path / "agency.pem"
    pem.write_text(key["pem"], "utf-8")
    vkey = tmp_path / "agency.vkey"
    vkey.write_text(key["verifier"] + "\n", "utf-8")
    for given in (str(pem), str(vkey), key["verifier"], str(bag / "data/journal/public-key.txt")):
        mine, theirs, text = codes(bag, given)
        assert not mine and not theirs, (given, text)
        out = standalone(bag, "--key", given).stdout
        assert f"信任的公钥指纹：{key['fingerprint']}（由 --key 指定）" in out
    printed = run("verify-bag", "--key", str(pem), str(bag))
    assert f"信任的公钥指纹：{key['fingerprint']}（由 --key 指定）" in printed and "通过" in printed


def test_a_bag_signed_by_another_key_fails_the_pinned_check(
    copy, bags, tmp_path: Path, run
) -> None:
    """A forger re-signs the checkpoints with his own key and ships that key in the bag: the bag
    is consistent with itself, so only a key obtained from the agency shows the forgery."""
    bag = copy("plain")
    forger = Ed25519PrivateKey.generate()
    origin = bags["key"]["origin"]
    for name in ("checkpoint.txt", "checkpoint-latest.txt"):
        path = bag / "data/journal" / name
        parsed, _ = notes.parse(path.read_text("utf-8"))
        path.write_text(notes.sign(parsed, origin, forger), "utf-8")
    public = forger.public_key()
    pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    (bag / "data/journal/public-key.txt").write_text(
        notes.verifier_key(origin, public) + "\n" + pem, "utf-8"
    )
    resign_statement(bag, forger, origin)
    reseal(bag)
    mine, theirs, text = codes(bag)
    assert not mine and not theirs, text  # self-consistent...
    forged = hashlib.sha256(notes.public_key_bytes(public)).hexdigest()
    assert f"{forged}（取自数据包，未独立核对）" in standalone(bag).stdout
    mine, theirs, text = codes(bag, bags["key"]["verifier"])  # ...but not the agency's
    assert "LH422" in mine and "LH422" in theirs, text
    assert mine <= {"LH422"} and theirs <= {"LH422"}, text
    printed = run("verify-bag", "--key", bags["key"]["verifier"], str(bag), code=1)
    assert "LH422" in printed and f"{bags['key']['fingerprint']}（由 --key 指定）" in printed


def test_an_unreadable_key_is_refused(bags, tmp_path: Path) -> None:
    bag = bags["root"] / "plain"
    junk = tmp_path / "junk.txt"
    junk.write_text("not a key", "utf-8")
    mine, theirs, text = codes(bag, str(junk))
    assert mine == {"LH422"} and theirs == {"LH422"}, text


def test_a_pem_whose_base64_holds_plus_signs_is_read_as_pem(tmp_path: Path) -> None:
    """A verifier key is told apart by its "+" separators; a PEM's base64 may hold "+" too."""
    from liuhen.archive.bagverify import verify_bag as standalone_module

    while True:
        public = Ed25519PrivateKey.generate().public_key()
        pem = public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
        if pem.count("+") >= 2:
            break
    path = tmp_path / "plus.pem"
    path.write_text(pem, "utf-8")
    raw = notes.public_key_bytes(public)
    assert notes.public_key_bytes(bag_verify.pinned_key(str(path))[1]) == raw
    assert notes.public_key_bytes(standalone_module.load_key_argument(str(path))[1]) == raw


def test_deeply_nested_json_in_a_bag_is_reported_not_a_crash(copy) -> None:
    """Hostile input in a bag (100,000 levels of nesting) is a finding of both verifiers,
    never a RecursionError traceback."""
    bag = copy("marked")
    (bag / "data/withheld.json").write_text("[" * 100_000, encoding="utf-8")
    lines = (bag / "data/journal/entries.jsonl").read_text("utf-8").splitlines()
    lines[0] = "[" * 100_000
    (bag / "data/journal/entries.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    mine, theirs, text = codes(bag)
    assert mine and theirs, text
    assert "Traceback" not in text and "RecursionError" not in text


def test_both_verifiers_read_a_mark_on_seq_07_as_the_journal_does() -> None:
    """The journal's fold reads a mark naming "07" as entry 7 (access.marks.targets_of); a
    verifier reading it as written would refuse a rightly withheld entry 7 (LH421)."""
    from liuhen.archive.bagverify import verify_bag as standalone_module

    fields = {"mark": "商业秘密", "records": ["07"], "reason": "商业信息"}
    entry = BagEntry(9, "C", 3, None, "general.confidentiality", {"fields": fields}, b"")
    assert fold_marks([entry]) == {"7": "商业秘密"}
    doc = {"seq": 9, "act": "general.confidentiality", "body": {"fields": fields}}
    assert standalone_module._marks_in_force([doc]) == {"7": "商业秘密"}
