"""What ``liuhen verify-bag`` finds, and an entry of a bag as the verifier reads it.

``bag_verify`` (the bag, its journal and its files) and ``bag_withholding`` (what the bag leaves
out, and on what ground) add to the same report and read the same entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from liuhen.payloads import JsonObject

# Problem codes (docs/errors.md); the standalone verifier uses the same ones.
STRUCTURE, MANIFEST, TAGMANIFEST, OXUM = "LH410", "LH411", "LH412", "LH413"
ENTRY, CHAIN, INCLUSION, SIGNATURE = "LH414", "LH415", "LH416", "LH417"
CONSISTENCY, FILE_DIGEST, ABSENT = "LH418", "LH419", "LH420"
UNJUSTIFIED, PINNED_KEY, STATEMENT = "LH421", "LH422", "LH423"
DOCUMENT_SIGNATURE = "LH424"  # only liuhen verify-bag checks PAdES signatures (pyHanko)

FILE_ACTS = ("general.document", "general.media")


@dataclass(frozen=True, slots=True)
class BagProblem:
    code: str
    message: str

    def render(self) -> str:
        return f"{self.code} {self.message}"


@dataclass
class BagReport:
    case: str = ""
    entries: int = 0
    files: int = 0
    problems: list[BagProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key_fingerprint: str = ""  # SHA-256 of the raw Ed25519 key the checkpoints were checked with
    key_pinned: bool = False  # given by the verifier (--key), not taken from the bag

    def key_line(self) -> str:
        if not self.key_fingerprint:
            return "信任的公钥指纹：无（未能取得公钥）"
        how = "由 --key 指定" if self.key_pinned else "取自数据包，未独立核对"
        return f"信任的公钥指纹：{self.key_fingerprint}（{how}）"

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, message: str) -> None:
        self.problems.append(BagProblem(code, message))


@dataclass(frozen=True, slots=True)
class BagEntry:
    seq: int
    chain: str
    chain_seq: int
    prev: str | None
    act: str
    body: JsonObject  # the entry document's body, as the bag's canonical text holds it
    leaf: bytes
    withheld: bool = False  # only the leaf hash was released: content unknown, existence proven
    withheld_reason: str = ""
    recorded_at: str = ""  # when the journal recorded it: the signing moment of its signatures

    def digests(self) -> list[str]:
        """Files this entry vouches for: attachments, and the file of a document or a clip."""
        out = [a["digest"] for a in self.body.get("attachments") or [] if "digest" in a]
        if self.act in FILE_ACTS and self.body.get("fields", {}).get("digest"):
            out.append(self.body["fields"]["digest"])
        return out

    def names(self) -> set[str]:
        """Files a mark on this entry covers: attachments and any ``digest`` field (the same
        reading as ``liuhen.accounts.confidentiality.entry_files``)."""
        found = {a.get("digest") for a in self.body.get("attachments") or [] if isinstance(a, dict)}
        found.add((self.body.get("fields") or {}).get("digest"))
        return {d for d in found if isinstance(d, str) and d}
