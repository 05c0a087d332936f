"""Transcripts copied from one case to another (不同案件记录存在相同关系).

Each 询问笔录 and 现场检查笔录 text is cut into words (rjieba) and compared as sets of word
4-grams: MinHash LSH (datasketch) proposes the pairs, the exact Jaccard of the two sets decides.
Phrases every transcript of the corpus has (the officers' opening formula, 告知权利) say nothing
about copying, so 4-grams found in more than a few texts are left out first. The passages the
two texts share are returned as character ranges of each, for a side-by-side view.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass

import rjieba
from datasketch import MinHash, MinHashLSH  # type: ignore[import-untyped]

from liuhen.supervision.detectors.model import Anomaly, CaseFile, Corpus, Item, Ref, Severity
from liuhen.supervision.detectors.thresholds import Thresholds

COPY = "transcript_copy"
TEXT_FIELDS = {
    "investigation.inquiry": ("transcript",),
    "investigation.inspection": ("scene",),
}
SHINGLE = 4
CONTENT = re.compile(r"[^\W_]")  # a letter or digit: a word, not punctuation or space
PERMUTATIONS = 64
CANDIDATE = 0.3  # the rare 4-grams' Jaccard from which a pair is compared at all
COMMON_DOCS = 4  # a 4-gram in more texts than this (and 1% of them) is boilerplate


@dataclass(frozen=True, slots=True)
class Text:
    case: CaseFile
    item: Item
    name: str  # the field
    text: str
    words: tuple[str, ...]  # content words (no punctuation or spaces)
    starts: tuple[int, ...]  # each word's offset in ``text``


def cut(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Content words of ``text`` and where each starts (punctuation and spaces dropped)."""
    words, starts, at = [], [], 0
    for w in rjieba.cut(text):
        if CONTENT.search(w):
            words.append(w)
            starts.append(at)
        at += len(w)
    return tuple(words), tuple(starts)


def texts(corpus: Corpus, t: Thresholds) -> list[Text]:
    out = []
    for case in corpus.cases:
        for e in case.entries:
            for name in TEXT_FIELDS.get(e.act, ()):
                value = e.fields.get(name)
                if not isinstance(value, str):
                    continue
                words, starts = cut(value)
                if len(words) >= t.copy_min_tokens:
                    out.append(Text(case, e, name, value, words, starts))
    return out


def _shingles(words: tuple[str, ...]) -> set[int]:
    """The text's word 4-grams, each as a hash (equal within one scan, which is all that is
    compared: faster to count and intersect than the strings)."""
    return {hash(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _low32(value: int) -> int:
    return value & 0xFFFFFFFF


def passages(a: Text, b: Text, min_words: int) -> list[dict[str, int]]:
    """The runs of at least ``min_words`` words both texts have, as character ranges."""
    matcher = difflib.SequenceMatcher(None, a.words, b.words, autojunk=False)
    out = []
    for block in matcher.get_matching_blocks():
        if block.size < min_words:
            continue
        ia, ib, n = block.a, block.b, block.size
        out.append({
            "a_start": a.starts[ia], "a_end": a.starts[ia + n - 1] + len(a.words[ia + n - 1]),
            "b_start": b.starts[ib], "b_end": b.starts[ib + n - 1] + len(b.words[ib + n - 1]),
        })  # fmt: skip
    return out


def copies(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """Pairs of texts of different cases whose 4-gram sets overlap at least ``copy_similarity``
    (Jaccard) and that share at least ``copy_passage_tokens`` 4-grams no other few texts have:
    the formulas every transcript shares make texts alike, not copies."""
    items = texts(corpus, t)
    sets = [_shingles(x.words) for x in items]
    df = Counter(s for shingles in sets for s in shingles)
    common = max(COMMON_DOCS, len(items) // 100)
    rare = [{s for s in shingles if df[s] <= common} for shingles in sets]
    # The LSH index holds the rare 4-grams only: texts of one template share most of their
    # formulas, and proposing every such pair made the comparison quadratic. A copy with a name
    # changed keeps about half its rare 4-grams (a Jaccard near 0.5), an honest pair none, so a
    # low threshold finds the copies and few others; the whole texts' Jaccard then decides.
    lsh = MinHashLSH(threshold=CANDIDATE, num_perm=PERMUTATIONS)
    hashes = MinHash.bulk(rare, num_perm=PERMUTATIONS, hashfunc=_low32)
    for i, m in enumerate(hashes):
        if rare[i]:
            lsh.insert(i, m)
    found: list[Anomaly] = []
    for i, shingles in enumerate(sets):
        if not rare[i]:
            continue
        for j in sorted(lsh.query(hashes[i])):
            a, b = items[i], items[j]
            if j <= i or a.case.number == b.case.number:
                continue
            if len(rare[i] & rare[j]) < t.copy_passage_tokens:
                continue
            jaccard = len(shingles & sets[j]) / len(shingles | sets[j])
            if jaccard < t.copy_similarity:
                continue
            shared = passages(a, b, t.copy_passage_tokens)
            found.append(Anomaly(
                COPY, Severity.HIGH,
                f"{a.case.number}案{a.item.label}（{a.case.party() or '当事人未载明'}）与"
                f"{b.case.number}案{b.item.label}（{b.case.party() or '当事人未载明'}）的笔录内容"
                f"高度雷同（相似度 {jaccard:.0%}，相同段落 {len(shared)} 处）",
                (Ref(a.case.number, a.item.seq), Ref(b.case.number, b.item.seq)),
                unit=a.case.unit, agency=a.case.agency,
                detail={"similarity": round(jaccard, 3), "field": a.name,
                        "a": {"case": a.case.number, "seq": a.item.seq, "text": a.text},
                        "b": {"case": b.case.number, "seq": b.item.seq, "text": b.text},
                        "passages": shared},
            ))  # fmt: skip
    return found
