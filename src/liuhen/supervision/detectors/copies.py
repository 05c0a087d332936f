"""Transcripts copied from one case to another (不同案件记录存在相同关系).

Each 询问笔录 and 现场检查笔录 text is cut into words (rjieba) and compared as sets of word
4-grams: the rare 4-grams propose the pairs, the exact Jaccard of the two sets decides. Phrases
many transcripts have (the officers' opening formula, 告知权利) say nothing about copying, so a
4-gram already in more than a few texts (``COMMON_DOCS``, or 1% of them) is left out. Each text's
rare 4-grams are kept as postings (an inverted index, a table on the incremental path): a new
text looks up the texts that share enough of its own rare 4-grams. A posting list stays short
(a 4-gram stops being posted once common), and unlike a MinHash signature it does not go stale
as 4-grams that were rare when a text came become common later.

Texts are judged one version at a time, in journal order (a transcript, then each correction of
it): a version is compared with the texts already there, with the 4-grams' counts as they stand
then. The full scan and the incremental catch-up go through the same steps over a
:class:`Store` (in memory for a scan, tables for a catch-up), so they find the same pairs
whatever the batches. The passages the two texts share are returned as character ranges of
each, for a side-by-side view.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import rjieba

from liuhen.supervision.detectors.model import Anomaly, CaseFile, Corpus, Ref, Severity
from liuhen.supervision.detectors.thresholds import Thresholds

COPY = "transcript_copy"
TEXT_FIELDS = {
    "investigation.inquiry": ("transcript",),
    "investigation.inspection": ("scene",),
}
SHINGLE = 4
CONTENT = re.compile(r"[^\W_]")  # a letter or digit: a word, not punctuation or space
CANDIDATE = 0.3  # the share of a text's rare 4-grams another must have to be compared at all
COMMON_DOCS = 20  # a 4-gram in more texts than this (and 1% of them) is boilerplate
LABELS = {"investigation.inquiry": "询问", "investigation.inspection": "现场检查"}
MASK63 = (1 << 63) - 1


@dataclass(frozen=True, slots=True)
class Version:
    """A transcript's text as one entry set it: the transcript itself (``version`` = ``seq``)
    or a correction of it (``version`` = the correction's seq)."""

    case: str
    seq: int  # the transcript's entry
    version: int
    act: str
    name: str  # the field
    text: str
    unit: str
    agency: str
    party: str


@dataclass(frozen=True, slots=True)
class Text:
    version: Version
    words: tuple[str, ...]  # content words (no punctuation or spaces)
    starts: tuple[int, ...]  # each word's offset in the text

    @property
    def label(self) -> str:
        return LABELS.get(self.version.act, self.version.act)


class Store(Protocol):
    """The texts judged so far, their rare 4-grams (postings), the 4-grams' counts, by agency."""

    def count(self, agency: str) -> int: ...

    def bump(self, agency: str, shingles: set[int]) -> None: ...  # one more version has these

    def df(self, agency: str, shingles: Iterable[int]) -> dict[int, int]: ...

    def candidates(
        self, agency: str, rare: set[int], least: int, of: tuple[str, int]
    ) -> set[tuple[str, int]]: ...  # the texts with at least ``least`` of ``rare`` (``of``'s)

    def text(self, case: str, seq: int) -> Version | None: ...

    def put(self, v: Version, rare: set[int]) -> None: ...

    def drop(self, case: str, seq: int) -> None: ...


class _Words(dict[str, bool]):
    """Whether a word is content (a letter or digit in it), remembered: looked up through
    ``map`` a hit stays in C, where a cached function's call per word cost a scan seconds."""

    def __missing__(self, word: str) -> bool:
        found = CONTENT.search(word) is not None
        if len(self) < 1 << 17:
            self[word] = found
        return found


_content = _Words()


@lru_cache(maxsize=2048)
def cut(text: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Content words of ``text`` and where each starts (punctuation and spaces dropped).
    Cached: a catch-up cuts its new texts once to read their 4-grams' counts in one query,
    then again when judging each; a text compared with several new ones is cut once."""
    pieces = rjieba.cut(text)
    at = itertools.accumulate(map(len, pieces), initial=0)
    kept = list(itertools.compress(zip(pieces, at, strict=False),
                                   map(_content.__getitem__, pieces)))  # fmt: skip
    return tuple(w for w, _ in kept), tuple(start for _, start in kept)


def versions(case: CaseFile) -> list[Version]:
    """Every text the case's transcripts had, in journal order: as first stated, then as each
    correction of the text changed it."""
    party = case.party()
    out = []
    for e in case.entries:
        for name in TEXT_FIELDS.get(e.act, ()):
            value = case.stated.get(e.seq, e.fields).get(name)
            out.append(Version(case.number, e.seq, e.seq, e.act, name,
                               value if isinstance(value, str) else "", case.unit, case.agency,
                               party))  # fmt: skip
        if e.act != "general.correction" or e.corrects is None:
            continue
        target, changes = case.entry(e.corrects), e.fields.get("changes")
        if target is None or not isinstance(changes, dict):
            continue
        for name in TEXT_FIELDS.get(target.act, ()):
            if name in changes:
                value = changes[name]
                out.append(Version(case.number, target.seq, e.seq, target.act, name,
                                   value if isinstance(value, str) else "", case.unit,
                                   case.agency, party))  # fmt: skip
    return out


@lru_cache(maxsize=1 << 17)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


PRIME = (1 << 61) - 1


def shingle_hash(words: tuple[str, ...]) -> int:
    """A 4-gram's hash, the same in every process (it is stored): its words' hashes combined
    as a polynomial modulo a Mersenne prime."""
    h = 0
    for w in words:
        h = (h * 1_000_003 + _word_hash(w)) % PRIME
    return h


def shingles(words: tuple[str, ...]) -> set[int]:
    h = [_word_hash(w) for w in words]
    return {
        (((a * 1_000_003 + b) * 1_000_003 + c) * 1_000_003 + d) % PRIME
        for a, b, c, d in zip(h, h[1:], h[2:], h[3:], strict=False)
    }


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


def common_bound(versions: int) -> int:
    """The count above which a 4-gram is boilerplate, among ``versions`` texts judged."""
    return max(COMMON_DOCS, versions // 100)


def _rare(store: Store, agency: str, grams: set[int]) -> set[int]:
    common = common_bound(store.count(agency))
    df = store.df(agency, grams)
    return {s for s in grams if df.get(s, 0) <= common}


def judge(v: Version, store: Store, t: Thresholds) -> list[Anomaly]:
    """Compare a new version of a text with the texts already in ``store`` and put it there.

    A pair is a copy when its texts share at least ``copy_passage_tokens`` 4-grams that were
    rare when each came (the formulas every transcript shares make texts alike, not copies; a
    copy with a name changed keeps about half its rare 4-grams, an honest pair none) and their
    whole 4-gram sets overlap at least ``copy_similarity`` (Jaccard)."""
    store.drop(v.case, v.seq)
    words, starts = cut(v.text)
    if len(words) < t.copy_min_tokens:
        return []
    grams = shingles(words)
    store.bump(v.agency, grams)
    rare = _rare(store, v.agency, grams)
    b = Text(v, words, starts)
    found: list[Anomaly] = []
    least = max(t.copy_passage_tokens, math.ceil(CANDIDATE * len(rare)))
    for case, seq in sorted(store.candidates(v.agency, rare, least, (v.case, v.seq))):
        u = store.text(case, seq)
        if u is None or case == v.case:
            continue
        u_words, u_starts = cut(u.text)
        u_grams = shingles(u_words)
        jaccard = len(grams & u_grams) / len(grams | u_grams)
        if jaccard < t.copy_similarity:
            continue
        a = Text(u, u_words, u_starts)
        shared = passages(a, b, t.copy_passage_tokens)
        found.append(Anomaly(
            COPY, Severity.HIGH,
            f"{u.case}案{a.label}（{u.party or '当事人未载明'}）与"
            f"{v.case}案{b.label}（{v.party or '当事人未载明'}）的笔录内容"
            f"高度雷同（相似度 {jaccard:.0%}，相同段落 {len(shared)} 处）",
            (Ref(u.case, u.seq), Ref(v.case, v.seq)),
            unit=u.unit, agency=u.agency,
            detail={"similarity": round(jaccard, 3), "field": u.name,
                    "a": {"case": u.case, "seq": u.seq, "text": u.text},
                    "b": {"case": v.case, "seq": v.seq, "text": v.text},
                    "passages": shared},
        ))  # fmt: skip
    store.put(v, rare)
    return found


class MemoryStore:
    """The :class:`Store` of a scan: everything in dicts."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.dfs: dict[str, Counter[int]] = defaultdict(Counter)
        self.postings: dict[tuple[str, int], set[tuple[str, int]]] = defaultdict(set)
        self.texts: dict[tuple[str, int], tuple[Version, set[int]]] = {}

    def count(self, agency: str) -> int:
        return self.counts[agency]

    def bump(self, agency: str, shingles: set[int]) -> None:
        self.counts[agency] += 1
        self.dfs[agency].update(shingles)  # each one more, counted in C

    def df(self, agency: str, shingles: Iterable[int]) -> dict[int, int]:
        df = self.dfs[agency]
        return {s: df.get(s, 0) for s in shingles}

    def candidates(
        self, agency: str, rare: set[int], least: int, of: tuple[str, int]
    ) -> set[tuple[str, int]]:
        del of  # every text is in memory
        return self.sharing(agency, rare, least)

    def sharing(self, agency: str, rare: set[int], least: int) -> set[tuple[str, int]]:
        """The texts in memory having at least ``least`` of ``rare``. Prefix filtering: a text
        with ``least`` of them is in one of the ``len(rare) - least + 1`` shortest posting
        lists, so only those are counted (in C) and the longest ones, the 4-grams nearly
        common that a scan counted over and over, are only probed for the texts found there."""
        postings, texts, empty = self.postings, self.texts, ()
        probe = len(rare) - max(least, 1) + 1
        if probe <= 0:
            return set()
        grams = sorted(rare, key=lambda s: len(postings.get((agency, s), empty)))
        rest = set(grams[probe:])
        counted = Counter(itertools.chain.from_iterable(postings.get((agency, s), empty)
                                                        for s in grams[:probe]))  # fmt: skip
        # a text is in a 4-gram's posting list exactly when the 4-gram is among its own rare
        # ones (``put`` and ``drop`` keep both): the rest are counted by a set intersection
        return {
            text for text, n in counted.items()
            if n >= least or n + len(rest & texts[text][1]) >= least
        }  # fmt: skip

    def text(self, case: str, seq: int) -> Version | None:
        found = self.texts.get((case, seq))
        return found[0] if found else None

    def put(self, v: Version, rare: set[int]) -> None:
        self.texts[(v.case, v.seq)] = (v, rare)
        for s in rare:
            self.postings[(v.agency, s)].add((v.case, v.seq))

    def drop(self, case: str, seq: int) -> None:
        found = self.texts.pop((case, seq), None)
        if found:
            for s in found[1]:
                self.postings[(found[0].agency, s)].discard((case, seq))


def stream(
    items: Iterable[Version], store: Store, t: Thresholds, found: dict[str, Anomaly]
) -> set[tuple[str, int]]:
    """Judge versions in journal order into ``found`` (a new version of a text replaces what
    was found about the old one); returns the texts that got a new version."""
    changed: set[tuple[str, int]] = set()
    for v in sorted(items, key=lambda v: (v.version, v.case, v.seq)):
        changed.add((v.case, v.seq))
        for key in [k for k, a in found.items() if Ref(v.case, v.seq) in a.refs]:
            del found[key]
        for a in judge(v, store, t):
            found[a.key] = a
    return changed


def copies(corpus: Corpus, t: Thresholds) -> list[Anomaly]:
    """Every copied pair of the corpus, the texts judged in journal order."""
    found: dict[str, Anomaly] = {}
    stream((v for case in corpus.cases for v in versions(case)), MemoryStore(), t, found)
    return list(found.values())
