"""Chinese word segmentation for the index and the query, and the highlighted snippet.

Chinese has no spaces, so neither FTS5's tokenizer nor PostgreSQL's parser can find words in it.
Texts are cut into words by jieba (``rjieba``) and stored space-joined; the databases then only
split on spaces. The index keeps the search-engine cut (``cut_for_search``: a long word and the
shorter words inside it, 有限公司 and 有限, 公司), so that a query's word is found inside a longer
one; the query is cut plainly and each of its words matched as a prefix (许可 finds 许可证).

Pure: no database, so unit-tested directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from liuhen import lazy

if TYPE_CHECKING:
    import rjieba
else:  # loading jieba's dictionary takes about a second: only searching pays for it
    rjieba = lazy.module("rjieba")

MAX_TERMS = 12  # words of a query; more would only make the match slower, not better
WORD = re.compile(r"\w+")  # what a token must be: letters (CJK included) or digits


def _words(tokens: list[str]) -> list[str]:
    """Lower-cased word tokens only: punctuation and spaces are no words, and a token holding
    both (jieba keeps "a-b" whole sometimes) is split where the databases would split it."""
    # one scan of the tokens joined by spaces (no word runs across a space): a search-engine cut
    # gives many short tokens, and a scan each cost more than jieba's cutting
    return [w.lower() for w in WORD.findall(" ".join(tokens))]


def index_tokens(text: str) -> str:
    """The text as the index holds it: every word and the words inside it, space-joined."""
    if not text:
        return ""
    # lowered whole: the same as word by word, the words being apart
    return " ".join(WORD.findall(" ".join(rjieba.cut_for_search(text)))).lower()


@lru_cache(maxsize=4096)
def title_tokens(title: str) -> str:
    """``index_tokens`` of a title, remembered: an act's label, a document's kind, a rule's title
    recur on thousands of rows, and cutting them again was a tenth of building the index."""
    return index_tokens(title)


def query_terms(q: str) -> list[str]:
    """The words a query asks for, in order, each once (all of them must match)."""
    return list(dict.fromkeys(_words(rjieba.cut(q))))[:MAX_TERMS]


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of a snippet: text, and whether it is a word searched for."""

    text: str
    hit: bool = False


def _hits(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the terms occur in ``text`` (case-insensitive), as merged (start, end) spans."""
    if not terms:
        return []
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(text.lower()):
        if spans and m.start() <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], m.end()))
        else:
            spans.append((m.start(), m.end()))
    return spans


def highlight(text: str, terms: list[str]) -> list[Part]:
    """The whole (short) text with each occurrence of a term marked, e.g. a result's title."""
    return _parts(text, 0, len(text), _hits(text, terms))


def snippet(text: str, terms: list[str], width: int = 120) -> list[Part]:
    """About ``width`` characters of ``text`` around the place where most terms occur, the terms
    marked, an ellipsis where the text was cut. Without a term in the text (a match through a
    longer word's inner word) the text's beginning."""
    text = " ".join(text.split())  # line breaks of a transcript are no use in one line
    spans = _hits(text, terms)
    if len(text) <= width:
        return _parts(text, 0, len(text), spans)
    start = 0
    if spans:
        best, best_count = spans[0][0], 0
        for s, _e in spans:  # the window (starting a little before a hit) holding most hits
            count = sum(1 for s2, _ in spans if s <= s2 < s + width - 20)
            if count > best_count:
                best, best_count = s, count
        start = max(0, min(best - 20, len(text) - width))
    end = min(len(text), start + width)
    parts = _parts(text, start, end, spans)
    if start > 0:
        parts.insert(0, Part("…"))
    if end < len(text):
        parts.append(Part("…"))
    return parts


def _parts(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> list[Part]:
    parts: list[Part] = []
    at = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s > at:
            parts.append(Part(text[at:s]))
        parts.append(Part(text[s:e], hit=True))
        at = e
    if at < end:
        parts.append(Part(text[at:end]))
    return parts
