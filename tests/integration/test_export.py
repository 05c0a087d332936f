"""Export for courts and archives: a real case (signed document, real video, dossier) exported as
a BagIt bag, checked by ``bagit``, by ``liuhen verify-bag`` and by the standalone verifier run as
a court would run it; every kind of file tampered with, a forged proof, interrupted exports, and
the ISO image read back."""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import cast

import bagit
import pycdlib
import pytest
from PIL import Image

from liuhen.archive import bag_verify, export
from liuhen.archive.bagverify import SOURCE, verify_bag
from liuhen.archive.export_disc import volume_id, write_iso
from liuhen.compliance import packs
from liuhen.documents import DOC_TYPES
from liuhen.documents import service as documents
from liuhen.errors import ExportFailed, ExportIncomplete, ExportTargetExists
from liuhen.evidence import devices, ingest
from liuhen.evidence import service as evidence
from liuhen.kernel import instance, proofs, record
from liuhen.kernel import settings as settings_mod
from liuhen.kernel.instance import App
from liuhen.kernel.record import ActInput
from liuhen.signing import service as signing
from tests.integration import factory
from tests.integration.test_evidence import write_video

CASE = "某文旅罚〔2026〕1号"
OTHER = "某文旅罚〔2026〕2号"
ACCESSOR = {"name": "程慧敏", "role": "档案管理人员"}
BAGIT = Path(sys.executable).with_name("bagit.py")


def _signature_png() -> str:
    import io

    buf = io.BytesIO()
    Image.new("RGB", (240, 80), "white").save(buf, "PNG")
    return base64.b64encode(buf.getvalue()).decode()


def build_case(app: App, dock: Path) -> dict[str, int | str]:
    """A case with a signed inquiry record and a bound body-camera clip, then a checkpoint, then
    another case so the latest checkpoint lies beyond the one that proves this case."""
    factory.register(app)
    packs.use_pack(app, "001", "测试")
    signing.init_ca(app, "某区文化和旅游局")
    for cert, _name in factory.OFFICERS:
        signing.issue(app, cert)
    devices.register(app, {"device_no": "ZFJLY-07", "model": "DSJ-V9", "unit": "wl-zd1",
                           "officer": "31010001", "status": "在用"})  # fmt: skip
    factory.open_case(app)
    inquiry = factory.inquiry(app)
    doc = documents.issue(app, documents.DocumentRequest(
        case=CASE, act_seq=inquiry.seq, doc_type="inquiry_record",
        values=dict(DOC_TYPES["inquiry_record"].sample),
        signers=[{"role": "officer", "cert_no": "31010001"},
                 {"role": "officer", "cert_no": "31010002"}],
        recorded_by={"id": "31010001", "role": "officer"}, number="某文旅询〔2026〕1号",
        party={"name": "陈某", "signature_png": _signature_png()},
    ))  # fmt: skip
    ingest.ingest(app, dock, "ZFJLY-07")
    clip = next(m for m in evidence.list_media(app, kind="video").items)
    bound = evidence.bind(app, clip.digest, CASE, inquiry.seq, factory.OFFICER)
    proofs.checkpoint(app)
    factory.open_case(app, OTHER)
    return {"document": doc.seq, "media": bound.seq, "clip": clip.digest}


def make_dock(folder: Path) -> Path:
    dock = folder / "DCIM" / "100ZFJLY"
    dock.mkdir(parents=True)
    write_video(dock / "20261103_101000.mp4")
    return dock


def run_standalone(bag: Path) -> subprocess.CompletedProcess[str]:
    """As a court runs it: the copy in the bag, isolated mode, no liuhen on the path."""
    return subprocess.run(
        [sys.executable, "-I", str(bag / "verify_bag.py"), str(bag)],
        capture_output=True, text=True, cwd=bag, timeout=120,
    )  # fmt: skip


def both(bag: Path) -> tuple[set[str], set[str], str, str]:
    """Problem codes found by liuhen verify-bag and by the standalone verifier, with their text."""
    mine = bag_verify.verify_bag(bag)
    theirs = run_standalone(bag)
    codes_theirs = set(re.findall(r"^(LH4\d\d) ", theirs.stdout, re.M))
    assert (theirs.returncode == 0) == (not codes_theirs), theirs.stdout
    text = "\n".join(p.render() for p in mine.problems)
    return {p.code for p in mine.problems}, codes_theirs, text, theirs.stdout


@pytest.fixture(scope="module")
def clean_bag(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int | str]]:
    """One exported bag (SQLite) that the tamper tests copy; exporting is the slow part."""
    root = tmp_path_factory.mktemp("export")
    st = settings_mod.load({"LIUHEN_DATA_DIR": str(root / "data")})
    instance.init(st)
    app = instance.open_app(st)
    try:
        facts = build_case(app, make_dock(root))
        export.export_case(app, CASE, root / "bag", accessor=ACCESSOR)
    finally:
        app.engine.dispose()
    return root / "bag", facts


@pytest.fixture
def bag(clean_bag, tmp_path: Path) -> Path:
    copy = tmp_path / "bag"
    shutil.copytree(clean_bag[0], copy)
    return copy


# --- the untampered bag ------------------------------------------------------------------------


def test_export_writes_a_bag_that_bagit_and_both_verifiers_accept(app, tmp_path):
    facts = build_case(app, make_dock(tmp_path))
    out = tmp_path / "out" / "bag"
    out.parent.mkdir()
    seen: list[tuple[str, int, int]] = []
    result = export.export_case(
        app, CASE, out, accessor=ACCESSOR, progress=lambda *a: seen.append(a)
    )
    assert sorted(p.name for p in out.parent.iterdir()) == ["bag"]  # no partial folder left
    assert seen and seen[-1][1] == seen[-1][2]
    bagit.Bag(str(out)).validate()
    cli = subprocess.run([sys.executable, str(BAGIT), "--validate", str(out)],
                         capture_output=True, text=True)  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    report = bag_verify.verify_bag(out)
    assert report.ok, report.problems
    assert report.case == CASE and report.entries == result.entries
    standalone = run_standalone(out)
    assert standalone.returncode == 0, standalone.stdout
    assert "通过" in standalone.stdout

    index = json.loads((out / "data/index.json").read_text(encoding="utf-8"))
    roles = {f["role"]: f for f in index["files"]}
    assert roles["document"]["seq"] == facts["document"]
    assert roles["media"]["seq"] == facts["media"] and roles["media"]["digest"] == facts["clip"]
    assert roles["media"]["path"].endswith("-20261103_101000.mp4")
    clip = out / roles["media"]["path"]
    assert "sha256:" + hashlib.sha256(clip.read_bytes()).hexdigest() == facts["clip"]
    assert (out / "data/dossier.pdf").read_bytes().startswith(b"%PDF")
    assert index["dossier"]["source"] == "generated"
    assert "导出时生成" in (out / "bag-info.txt").read_text(encoding="utf-8")
    info = bagit.Bag(str(out)).info
    assert info["External-Identifier"] == CASE and info["Source-Organization"] == "某区文化和旅游局"
    assert result.checkpoint_size < result.latest_size  # a real consistency proof is carried
    assert json.loads((out / "data/journal/consistency.json").read_text())["path"]
    # The export itself is journaled as a copy of the records (调阅/复制 台账).
    with app.engine.connect() as conn:
        from sqlalchemy import text

        body = json.loads(conn.execute(text("SELECT body FROM journal_entry WHERE seq = :s"),
                                       {"s": result.access_seq}).scalar())  # fmt: skip
    assert body["fields"]["copied"] is True and body["fields"]["accessor"] == ACCESSOR
    assert any(roles["media"]["path"] in m for m in body["fields"]["materials"])


def test_the_standalone_verifier_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(SOURCE.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            roots.add((node.module or "").split(".")[0])
    assert "cryptography" in roots and "liuhen" not in roots
    assert roots - {"cryptography"} <= sys.stdlib_module_names, roots
    assert (Path(verify_bag.__file__).read_bytes()) == SOURCE.read_bytes()


# --- tampering ---------------------------------------------------------------------------------


def _bump(ch: int) -> int:
    """Another character of the same kind, so hex stays hex and base64 stays base64."""
    return ord("1") if ch == ord("0") else ord("0")


def flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def flip_after(anchor: bytes, skip: int = 0) -> Callable[[Path], None]:
    """Change one alphanumeric byte ``skip`` bytes past ``anchor``: valid-looking, but wrong."""

    def tamper(path: Path) -> None:
        data = bytearray(path.read_bytes())
        i = data.index(anchor) + len(anchor) + skip
        while not chr(data[i]).isalnum():
            i += 1
        data[i] = _bump(data[i])
        path.write_bytes(bytes(data))

    return tamper


def media_path(bag: Path) -> Path:
    index = json.loads((bag / "data/index.json").read_text(encoding="utf-8"))
    return bag / next(f["path"] for f in index["files"] if f["role"] == "media")


def document_path(bag: Path) -> Path:
    return next((bag / "data/documents").iterdir())


# kind -> (file, tamper, codes when only the file changed, codes when the manifests were redone)
TAMPERS: dict[str, tuple[Callable[[Path], Path], Callable[[Path], None], str, str | None]] = {
    "dossier": (lambda b: b / "data/dossier.pdf", flip_middle, "LH411", "LH419"),
    "document": (document_path, flip_middle, "LH411", "LH419"),
    "media": (media_path, flip_middle, "LH411", "LH419"),
    "entries": (lambda b: b / "data/journal/entries.jsonl",
                flip_after(b'"canonical": "', 60), "LH411", "LH414"),
    "proofs": (lambda b: b / "data/journal/proofs.json",
               flip_after(b'"path": [\n        "', 10), "LH411", "LH416"),
    "checkpoint": (lambda b: b / "data/journal/checkpoint.txt",
                   flip_after(b"\n", 2), "LH411", "LH417"),
    "latest checkpoint": (lambda b: b / "data/journal/checkpoint-latest.txt",
                          flip_after(b"\n", 2), "LH411", "LH417"),
    "public key": (lambda b: b / "data/journal/public-key.txt",
                   flip_after(b"+", 12), "LH411", "LH417"),
    "consistency proof": (lambda b: b / "data/journal/consistency.json",
                          flip_after(b'"path": [\n    "', 5), "LH411", "LH418"),
    "index": (lambda b: b / "data/index.json",
              flip_after(b'"digest": "sha256:', 7), "LH411", "LH419"),
    "bag-info": (lambda b: b / "bag-info.txt", flip_after(b"Bagging-Date: "), "LH412", None),
    "payload-oxum": (lambda b: b / "bag-info.txt", flip_after(b"Payload-Oxum: "), "LH413", None),
    "tagmanifest": (lambda b: b / "tagmanifest-sha256.txt", flip_after(b""), "LH412", None),
    "manifest": (lambda b: b / "manifest-sha256.txt", flip_after(b""), "LH411", None),
}  # fmt: skip


def _hexdigest(alg: str, path: Path) -> str:
    return hashlib.new(alg, path.read_bytes()).hexdigest()


def reseal(bag: Path, algs: tuple[str, ...] = ("sha256", "sm3")) -> None:
    """Redo manifests, Payload-Oxum and tag manifests, as a forger who rebuilt the bag would."""
    payload = sorted(p for p in (bag / "data").rglob("*") if p.is_file())
    for alg in algs:
        manifest = bag / f"manifest-{alg}.txt"
        if manifest.exists():
            manifest.write_text("".join(
                f"{_hexdigest(alg, p)}  {p.relative_to(bag).as_posix()}\n" for p in payload
            ), encoding="utf-8")  # fmt: skip
    info = (bag / "bag-info.txt").read_text(encoding="utf-8")
    oxum = f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    info = re.sub(r"Payload-Oxum: .*", f"Payload-Oxum: {oxum}", info)
    (bag / "bag-info.txt").write_text(info, encoding="utf-8")
    for alg in algs:
        tagmanifest = bag / f"tagmanifest-{alg}.txt"
        if tagmanifest.exists():
            names = [line.split(maxsplit=1)[1] for line in tagmanifest.read_text().splitlines()]
            tagmanifest.write_text(
                "".join(f"{_hexdigest(alg, bag / n)}  {n}\n" for n in names), encoding="utf-8"
            )


@pytest.mark.parametrize("kind", list(TAMPERS))
def test_one_changed_byte_is_caught_by_both_verifiers(bag, kind):
    where, tamper, code, _ = TAMPERS[kind]
    tamper(where(bag))
    mine, theirs, text, out = both(bag)
    assert code in mine, text
    assert code in theirs, out
    assert "未通过" in out


@pytest.mark.parametrize("kind", [k for k, v in TAMPERS.items() if v[3]])
def test_a_rebuilt_bag_is_still_caught_by_the_journal_checks(bag, kind):
    where, tamper, _, code = TAMPERS[kind]
    tamper(where(bag))
    reseal(bag)
    bagit.Bag(str(bag)).validate()  # the forgery passes plain BagIt validation
    mine, theirs, text, out = both(bag)
    assert code in mine, text
    assert code in theirs, out
    assert not mine & {"LH411", "LH412", "LH413"}


def test_a_valid_looking_proof_of_another_entry_is_caught(bag):
    path = bag / "data/journal/proofs.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    first, second = doc["proofs"][0], doc["proofs"][1]
    assert first["path"] != second["path"]
    first["path"] = second["path"]  # right length, real hashes of this tree, wrong entry
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    reseal(bag)
    mine, theirs, text, out = both(bag)
    assert mine == {"LH416"} and theirs == {"LH416"}, (text, out)
    assert f"序号 {first['seq']}" in text and f"序号 {first['seq']}" in out


def test_a_removed_file_is_caught_unless_disposed_or_withheld(bag):
    clip = media_path(bag)
    clip.unlink()
    index_path = bag / "data/index.json"
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["files"] = [f for f in index["files"] if f["role"] != "media"]
    index_path.write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    reseal(bag)
    mine, theirs, text, out = both(bag)
    assert mine == {"LH420"} and theirs == {"LH420"}, (text, out)


def test_a_dropped_entry_breaks_the_case_chain(bag):
    path = bag / "data/journal/entries.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    reseal(bag)
    mine, theirs, text, out = both(bag)
    assert "LH415" in mine and "LH415" in theirs, (text, out)


# --- withheld, disposed, archived ---------------------------------------------------------------


def test_withheld_and_disposed_files_are_absent_and_reported(app, tmp_path):
    facts = build_case(app, make_dock(tmp_path))
    pdf_digest = documents_digest(app, int(facts["document"]))
    record.record(app, ActInput(
        "archiving.disposal", app.clock.now().isoformat(), case=CASE, actors=["31010001"],
        recorded_by={"id": "31010001", "role": "archivist"},
        fields={"approval": int(facts["document"]), "digests": [pdf_digest],
                "sizes": ["1"], "reason": "保管期限届满，经批准销毁",
                "retention_ended_on": "2026-11-20"},
    ))  # fmt: skip
    record.record(app, ActInput(  # withholding rests on a mark the bag carries (LH421)
        "general.confidentiality", app.clock.now().isoformat(), case=CASE, actors=["31010001"],
        fields={"mark": "商业秘密", "records": [str(facts["clip"])], "reason": "含经营数据"},
        recorded_by={"id": "31010001", "role": "officer"},
    ))  # fmt: skip
    out = tmp_path / "bag"
    result = export.export_case(
        app, CASE, out, accessor=ACCESSOR, withhold=frozenset({str(facts["clip"])})
    )
    assert result.withheld == [facts["clip"]] and result.disposed == [pdf_digest]
    assert not (out / "data/media").exists() and not (out / "data/documents").exists()
    report = bag_verify.verify_bag(out)
    assert report.ok, report.problems
    assert any("销毁" in n and pdf_digest in n for n in report.notes)
    assert any("未随包提供" in n and str(facts["clip"]) in n for n in report.notes)
    standalone = run_standalone(out)
    assert standalone.returncode == 0, standalone.stdout
    assert "已依法销毁" in standalone.stdout and "未随包提供" in standalone.stdout
    held = json.loads((out / "data/withheld.json").read_text(encoding="utf-8"))
    assert held["files"] == [
        {"digest": facts["clip"], "seq": facts["media"], "reason": export.WITHHELD_REASON,
         "basis": "mark", "mark": "商业秘密"}
    ]  # fmt: skip


def documents_digest(app: App, seq: int) -> str:
    from sqlalchemy import text

    with app.engine.connect() as conn:
        body = conn.execute(text("SELECT body FROM journal_entry WHERE seq = :s"), {"s": seq})
        return str(json.loads(cast(str, body.scalar()))["fields"]["digest"])


def test_an_archived_case_carries_the_journaled_dossier(app, tmp_path):
    build_case(app, make_dock(tmp_path))
    from liuhen.archive.dossier import render_dossier

    pdf = render_dossier(app, CASE)
    staged = tmp_path / "dossier.pdf"
    staged.write_bytes(pdf)
    digest = f"sha256:{hashlib.sha256(pdf).hexdigest()}"
    app.blobs.put_file(staged, digest)
    archived = record.record(app, ActInput(
        "archiving.archive", app.clock.now().isoformat(), case=CASE, actors=["31010001"],
        recorded_by={"id": "31010001", "role": "archivist"},
        fields={"dossier_no": "WL-2026-001", "volumes": 1, "pages": 3, "retention": "长期",
                "archived_on": "2026-11-20", "archivist": "程慧敏"},
        attachments=[{"digest": digest, "name": "案卷.pdf", "media_type": "application/pdf"}],
    ))  # fmt: skip
    out = tmp_path / "bag"
    result = export.export_case(app, CASE, out, accessor=ACCESSOR)
    assert result.dossier == "归档记录"
    index = json.loads((out / "data/index.json").read_text(encoding="utf-8"))
    assert index["dossier"] == {"source": "archive", "seq": archived.seq}
    assert (out / "data/dossier.pdf").read_bytes() == pdf
    notes = bag_verify.verify_bag(out).notes  # the recordings' statement alone is made now
    made = ("data/media-statement.txt", "文书电子签名")  # and the documents' signatures counted
    assert [n for n in notes if not n.startswith(made)] == []
    assert run_standalone(out).returncode == 0
    flip_middle(out / "data/dossier.pdf")
    reseal(out)
    mine, theirs, text, stdout = both(out)
    assert mine == {"LH419"} and theirs == {"LH419"}, (text, stdout)


# --- refusals and interruptions ----------------------------------------------------------------


def test_an_existing_destination_is_refused(app, tmp_path, run):
    factory.register(app)
    factory.open_case(app)
    out = tmp_path / "bag"
    out.mkdir()
    (out / "keep.txt").write_text("已有内容")
    with pytest.raises(ExportTargetExists):
        export.export_case(app, CASE, out, accessor=ACCESSOR)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert "LH400" in run("export", CASE, "--out", str(out), code=2)


def test_a_missing_blob_stops_the_export_before_anything_is_written(app, tmp_path):
    factory.register(app)
    factory.open_case(app)
    record.record(app, ActInput(
        "general.evidence_use", app.clock.now().isoformat(), case=CASE, actors=["31010001"],
        recorded_by=factory.OFFICER, fields={"digests": ["x"], "purpose": "提交法院"},
        attachments=[{"digest": "sha256:" + "ab" * 32, "name": "光盘说明.pdf"}],
    ))  # fmt: skip
    out = tmp_path / "bag"
    with pytest.raises(ExportIncomplete) as err:
        export.export_case(app, CASE, out, accessor=ACCESSOR)
    assert "sha256:" + "ab" * 32 in str(err.value)
    assert list(tmp_path.glob("bag*")) == []


def test_an_export_interrupted_midway_leaves_no_bag_and_no_partial_folder(app, tmp_path):
    build_case(app, make_dock(tmp_path))
    target = tmp_path / "exports"
    target.mkdir()

    def pull_the_plug(what: str, done: int, total: int) -> None:
        if done == 2:
            raise ExportFailed("磁盘已满")

    with pytest.raises(ExportFailed):
        export.export_case(app, CASE, target / "bag", accessor=ACCESSOR, progress=pull_the_plug)
    assert list(target.iterdir()) == []


# --- disc image and command line ---------------------------------------------------------------


def extract_iso(iso: Path, into: Path) -> None:
    image = pycdlib.PyCdlib()
    image.open(str(iso))
    try:
        for folder, _dirs, files in image.walk(rr_path="/"):
            for name in files:
                rr = f"{folder.rstrip('/')}/{name}"
                dest = into / rr.lstrip("/")
                dest.parent.mkdir(parents=True, exist_ok=True)
                with open(dest, "wb") as fh:
                    image.get_file_from_iso_fp(fh, rr_path=rr)
        label = image.pvd.volume_identifier.decode().strip()
    finally:
        image.close()
    assert label == volume_id(CASE)


def test_iso_round_trip_verifies_and_a_finished_image_is_never_overwritten(clean_bag, tmp_path):
    iso = tmp_path / "case.iso"
    write_iso(clean_bag[0], iso, volume_id(CASE))
    assert [p.name for p in tmp_path.iterdir()] == ["case.iso"]
    extracted = tmp_path / "from-disc"
    extract_iso(iso, extracted)
    assert bag_verify.verify_bag(extracted).ok
    assert run_standalone(extracted).returncode == 0
    bagit.Bag(str(extracted)).validate()
    with pytest.raises(ExportTargetExists):
        write_iso(clean_bag[0], iso, volume_id(CASE))


def test_cli_export_iso_and_verify_bag(app, tmp_path, run):
    factory.register(app)
    factory.open_case(app)
    factory.inquiry(app)
    out, iso = tmp_path / "bag", tmp_path / "case.iso"
    text = run("export", CASE, "--out", str(out), "--iso", str(iso), "--by", "程慧敏")
    assert "已导出" in text and "2 条记录" in text
    assert "通过" in run("verify-bag", str(out))
    flip_after(b'"canonical": "', 40)(out / "data/journal/entries.jsonl")
    failed = run("verify-bag", str(out), code=1)
    assert "LH411" in failed and "LH414" in failed
    only_iso = tmp_path / "only.iso"
    run("export", CASE, "--iso", str(only_iso))
    assert only_iso.is_file() and sorted(p.name for p in tmp_path.iterdir()) == [
        "bag", "case.iso", "data", "only.iso",
    ]  # fmt: skip


def test_sm3_manifests_when_the_instance_hashes_with_sm3(tmp_path):
    st = settings_mod.load({"LIUHEN_DATA_DIR": str(tmp_path / "data"), "LIUHEN_HASH": "sm3"})
    instance.init(st)
    app = instance.open_app(st)
    try:
        factory.register(app)
        factory.open_case(app)
        out = tmp_path / "bag"
        export.export_case(app, CASE, out, accessor=ACCESSOR)
    finally:
        app.engine.dispose()
    assert (out / "manifest-sm3.txt").is_file() and (out / "tagmanifest-sm3.txt").is_file()
    bagit.Bag(str(out)).validate()
    assert bag_verify.verify_bag(out).ok
    assert run_standalone(out).returncode == 0
    flip_middle(out / "data/dossier.pdf")
    reseal(out, algs=("sha256",))  # a forger who redid the SHA-256 manifests only
    mine, theirs, text, stdout = both(out)
    assert "LH411" in mine and "LH411" in theirs, (text, stdout)
    assert "SM3 摘要" in text and "sm3 摘要" in stdout
