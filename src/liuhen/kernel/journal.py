"""Appending to the journal: gap-free, durable, serialised across threads and processes.

Appends are group-committed: concurrent callers in one process queue their drafts and whichever
caller gets the leader lock writes every queued draft in one transaction (one fsync for many
entries), each draft inside its own savepoint so one bad draft fails alone. Across processes the
database lock (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on the head row on PostgreSQL)
serialises the leaders, and the cached Merkle frontier is trusted only while the head size read
under that lock still matches it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from liuhen.clock import Clock
from liuhen.errors import ConflictError, NotFoundError, Problem, ValidationError
from liuhen.hashing import HashAlg
from liuhen.journal.entry import column_texts, entry_document, is_case_chain, seal
from liuhen.journal.merkle import CompactRange, frontier_ids
from liuhen.kernel.db import store
from liuhen.kernel.db.batch import Batch, Known
from liuhen.kernel.db.engine import write_transaction
from liuhen.payloads import JsonObject
from liuhen.procedure import numbering, projection
from liuhen.procedure.catalog import act_type

KNOWN_LIMIT = 50_000  # rows and chain heads a process keeps between batches
Check = Callable[[Batch, "Draft"], None]


@dataclass
class Draft:
    """An entry before it has a place in the journal; validated fields, not yet hashed."""

    chain: str
    act: str
    occurred_at: str
    body: JsonObject  # the entry document's actors, place, fields, attachments…
    check: Check | None = None  # extra validation needing the database, run in the transaction
    # References to earlier drafts of the same unit, resolved to their seq when appended:
    # "corrects" for a correction, or the name of a seq field (an import's {"entry": k}).
    refs: dict[str, int] = field(default_factory=dict)
    # Gives the draft the number it uses (a case opening its chain, a document its 文号) and
    # writes its ``issued`` field, under the write lock before anything reads the chain: the
    # only writer of ``issued``, so two concurrent drafts never get the same number and a
    # refused draft uses none (its projections, the counter among them, are undone).
    assign: Check | None = None

    def check_first(self, guard: Check) -> None:
        """Run ``guard`` before any check already set, inside the append transaction: how a
        one-time act (archiving, a disposal, a file's derivatives) refuses a second writer
        that raced past the check made before the lock was taken."""
        after = self.check

        def both(pending: Batch, draft: Draft) -> None:
            guard(pending, draft)
            if after is not None:
                after(pending, draft)

        self.check = both


@dataclass(frozen=True)
class Appended:
    seq: int
    chain: str
    chain_seq: int
    act: str
    recorded_at: str
    leaf_hash: bytes


@dataclass
class _Unit:
    drafts: list[Draft]
    future: Future[list[Appended]] = field(default_factory=Future)


class Journal:
    def __init__(self, engine: Engine, alg: HashAlg, clock: Clock) -> None:
        self.engine = engine
        self.alg = alg
        self.clock = clock
        self._pending: list[_Unit] = []
        self._cond = threading.Condition()
        self._writing = False
        self._frontier: CompactRange | None = None
        self._known: Known | None = None

    # --- public -------------------------------------------------------------------------

    def append(self, draft: Draft) -> Appended:
        return self.append_all([draft])[0]

    def append_all(self, drafts: list[Draft]) -> list[Appended]:
        """Append drafts that succeed or fail together (a case import is one such unit).

        Whoever finds no write in progress becomes the leader and writes everything queued;
        the others wait on the condition and usually find their entries written when woken.
        """
        unit = _Unit(drafts)
        with self._cond:
            self._pending.append(unit)
            while self._writing and not unit.future.done():
                self._cond.wait()
            if unit.future.done():
                return unit.future.result()
            self._writing = True
            batch, self._pending = self._pending, []
        try:
            self._write(batch)
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()
        return unit.future.result()

    # --- the leader's work ----------------------------------------------------------------

    def _write(self, batch: list[_Unit]) -> None:
        results: list[tuple[_Unit, list[Appended] | BaseException]] = []
        try:
            with write_transaction(self.engine) as conn:
                size = store.lock_head(conn)
                work = self._load_frontier(conn, size).copy()
                known = self._known if self._known and self._known.size == size else Known(size)
                self._known = None  # trusted again only after this transaction commits
                pending = Batch(conn, known)
                for unit in batch:
                    mark, saved_tree = pending.mark(), work.copy()
                    try:
                        out: list[Appended] = []
                        for d in unit.drafts:
                            for name, index in d.refs.items():
                                target = d.body if name == "corrects" else d.body["fields"]
                                target[name] = out[index].seq
                            out.append(self._one(pending, d, work))
                        results.append((unit, out))
                    except Exception as exc:  # the unit fails alone
                        pending.undo(mark)
                        work = saved_tree
                        results.append((unit, exc))
                pending.flush()
                if work.size != size:
                    store.set_head(conn, work.size)
            self._frontier = work
            known.size = work.size
            if len(known.rows) + len(known.chains) < KNOWN_LIMIT:
                self._known = known
        except Exception as exc:  # the whole transaction failed: every unit in it fails
            self._frontier = None
            self._known = None
            for unit in batch:
                unit.future.set_exception(exc)
            return
        for unit, outcome in results:
            if isinstance(outcome, BaseException):
                unit.future.set_exception(outcome)
            else:
                unit.future.set_result(outcome)

    def _load_frontier(self, conn: Connection, size: int) -> CompactRange:
        if self._frontier is not None and self._frontier.size == size:
            return self._frontier
        ids = frontier_ids(size)
        stored = store.fetch_nodes(conn, ids)
        return CompactRange(self.alg, size, [stored[i] for i in ids])

    def _one(self, pending: Batch, draft: Draft, work: CompactRange) -> Appended:
        if draft.assign is not None:
            draft.assign(pending, draft)
        elif (draft.body.get("fields") or {}).get(numbering.ISSUED_FIELD) is not None:
            raise ValidationError(
                "系统编号只能由系统在记录时编定，不能填写",
                [Problem("系统编号由系统编定", f"fields.{numbering.ISSUED_FIELD}")],
            )
        spec = act_type(draft.act)
        head = pending.chain_head(draft.chain)
        if is_case_chain(draft.chain) and spec is not None:
            if spec.opens_case and head is not None:
                raise ConflictError(f"案件编号“{draft.chain}”已存在，不能重复立案")
            if not spec.opens_case and head is None:
                raise NotFoundError(f"案件“{draft.chain}”不存在")
        if draft.check is not None:
            draft.check(pending, draft)
        seq = work.size + 1
        chain_seq = head[0] + 1 if head else 1
        recorded_at = self.clock.now().isoformat()
        doc = entry_document(
            seq=seq,
            chain=draft.chain,
            chain_seq=chain_seq,
            act=draft.act,
            occurred_at=draft.occurred_at,
            recorded_at=recorded_at,
            actors=draft.body["actors"],
            body=draft.body,
            prev_hash=head[1] if head else None,
        )
        data, leaf = seal(self.alg, doc)
        actors_text, body_text = column_texts(doc)
        pending.entries.append(
            {
                "seq": seq,
                "chain": draft.chain,
                "chain_seq": chain_seq,
                "act": draft.act,
                "occurred_at": draft.occurred_at,
                "recorded_at": recorded_at,
                "actors": actors_text,
                "body": body_text,
                "prev_hash": head[1] if head else None,
                "leaf_hash": leaf,
                "canonical": data,
            }
        )
        projection.apply(pending, doc)
        pending.nodes.extend(work.append(leaf))
        pending.set_chain_head(draft.chain, (chain_seq, leaf))
        return Appended(seq, draft.chain, chain_seq, draft.act, recorded_at, leaf)
