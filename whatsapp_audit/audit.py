"""Run the pipeline on one chat: parse -> rules -> ScanResult. Shared by `scan` and `report`."""

from __future__ import annotations

import contextlib
import pickle
import sqlite3
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from whatsapp_audit.baseline import Fingerprints
from whatsapp_audit.cache import (
    CachedEngine,
    Checkpoint,
    NeedRestart,
    StaleCheckpoint,
    Store,
    chat_key,
    checkpoint_key,
    open_store,
    rule_key,
    run_signature,
)
from whatsapp_audit.model import Message
from whatsapp_audit.nlp.names import keep_english_words
from whatsapp_audit.parse import open_chat
from whatsapp_audit.results import ChatInfo, ScanResult
from whatsapp_audit.roster.group import Group
from whatsapp_audit.rules.engine import BATCH, Engine, selected
from whatsapp_audit.rules.interface import HISTORY, Context
from whatsapp_audit.rules.pack import RulePack
from whatsapp_audit.spool import Findings, unpack

CONTEXT = 2  # messages kept before and after each finding, for reports


@dataclass(slots=True)
class ScanOptions:
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    since: str | None = None      # ISO date or datetime prefix, inclusive
    until: str | None = None      # inclusive: a date covers the whole day
    use_ner: bool = True
    date_order: str = "auto"
    cache: bool = False           # reuse/keep rule results in the user cache (never for stdin)
    context: bool = True          # keep the messages around findings (reports show them; scan does not)
    checkpoint: bool = True       # store where the scan ended (split.py's shares hand theirs back instead)


class _Collector:
    """Counts messages and members while they stream past, and keeps just the messages around findings.

    The engine reads a batch ahead of the findings it yields, so the last batch stays at hand here.
    """

    def __init__(self, info: ChatInfo) -> None:
        self.info = info
        self.recent: deque[Message] = deque(maxlen=BATCH + 2 * CONTEXT + 2)
        self.by_index: dict[int, Message] = {}       # the same messages as `recent`, by index
        self.context: dict[int, Message] = {}
        self.wanted: set[int] = set()
        self._members: dict[str, None] = {}

    def feed(self, messages: Iterator[Message]) -> Iterator[Message]:
        info = self.info
        for m in messages:
            info.messages += 1
            if info.first is None:
                info.first = m.timestamp
            info.last = m.timestamp
            if m.author is not None and m.author not in self._members:
                self._members[m.author] = None
            recent = self.recent
            if len(recent) == recent.maxlen:
                del self.by_index[recent[0].index]
            recent.append(m)
            self.by_index[m.index] = m
            if m.index in self.wanted:
                self.context[m.index] = m
                self.wanted.discard(m.index)
            yield m
        info.members = list(self._members)

    def mark(self, msg: Message) -> None:
        lo, hi = msg.index - CONTEXT, msg.index + CONTEXT
        for i in range(lo, hi + 1):
            m = self.by_index.get(i)
            if m is not None:
                self.context[i] = m
        self.wanted.update(i for i in range(msg.index + 1, hi + 1) if i not in self.context)


def _in_period(m: Message, since: str | None, until: str | None) -> bool:
    if since and m.timestamp < since:
        return False
    return not (until and m.timestamp[: len(until)] > until)


def audit(path: str, pack: RulePack, group: Group | None = None, opts: ScanOptions | None = None,
          progress: Callable[[int], None] | None = None) -> ScanResult:
    """Scan one chat. Each finding is kept with the index of the message being checked when it came out
    (-1: after the last; `result.findings.with_at()`), which is what split.py merges processes' findings by."""
    opts = opts or ScanOptions()
    store = None
    notes: list[str] = []
    if opts.cache and path != "-":
        try:
            store = open_store()
        except (OSError, sqlite3.Error) as e:
            notes.append(f"the re-scan cache cannot be used ({e}); scanning without it "
                         f"(`wa-audit cache clear` removes a damaged one)")
    try:
        live: set[str] = set()
        resume = True
        while True:
            try:
                result = _audit(path, pack, group, opts, progress, store, live, resume)
                result.notes[:0] = notes
                return result
            except NeedRestart as e:     # a cached rule cannot carry on mid-chat: compute it from the start
                live |= e.rules
            except StaleCheckpoint:      # the chat changed before where the last scan ended
                resume = False
    finally:
        if store is not None:
            store.close()
            keep_english_words()


def _audit(path: str, pack: RulePack, group: Group | None, opts: ScanOptions,
           progress: Callable[[int], None] | None, store: Store | None, live: set[str],
           resume: bool = True) -> ScanResult:
    with open_chat(path, date_order=opts.date_order) as chat:
        info = ChatInfo(path=chat.path, name=chat.name, dialect=chat.dialect, sha256="",
                        media_files=chat.media_files)
        collector = _Collector(info)
        messages: Iterator[Message] = chat.messages()
        if opts.since or opts.until:
            messages = (m for m in messages if _in_period(m, opts.since, opts.until))
        ctx = Context(group=group, use_ner=opts.use_ner)
        engine: Engine
        sig = _signature(group, opts) if store is not None else b""
        findings = Findings()
        fingerprints = Fingerprints()
        resumed: list[Checkpoint] = []
        if store is not None:
            def restore(cp: Checkpoint) -> None:
                for data in cp.records():
                    findings.append(*unpack(data))
                fingerprints.load(cp.fingerprints)
                resumed.append(cp)

            # Reports keep the messages around findings, which a resumed scan has not seen: no checkpoints.
            engine = CachedEngine(pack, ctx, store, sig, only=opts.only, skip=opts.skip, live=live,
                                  period=None if opts.context else (opts.since, opts.until),
                                  resume=resume and not live, on_resume=restore)
        else:
            engine = Engine(pack, ctx, only=opts.only, skip=opts.skip)
        marks: bytes | None = None        # the fingerprint tracker where the checkpoint is taken
        before_end = -1                   # how many findings came before it
        cached = engine if isinstance(engine, CachedEngine) and engine.period is not None else None
        for f in engine.scan(collector.feed(messages), progress=progress):
            at = -1 if engine.current is None else engine.current.index
            if cached is not None and marks is None and _after_checkpoint(at, cached.ended):
                marks, before_end = fingerprints.save(), len(findings)
            fingerprints.assign(f)
            findings.append(f, at)
            if f.message is not None and opts.context:
                collector.mark(f.message)
        ended = engine.ended if isinstance(engine, CachedEngine) else None
        if ended is not None and engine.cp_key is not None and opts.checkpoint:
            if marks is None:
                marks, before_end = fingerprints.save(), len(findings)
            _keep_checkpoint(store, engine.cp_key, ended, resumed[0] if resumed else None, findings,
                             before_end, marks)
        info.sha256 = chat.sha256
        notes = list(chat.notes)
        integrity = chat.integrity
    result = ScanResult(chat=info, findings=findings, pack_name=pack.name, pack_version=pack.version,
                        pack_sha256=pack.sha256, group_name=group.name if group else None,
                        roster=[m.name for m in group.members] if group else [],
                        context=collector.context, notes=notes, integrity=integrity)
    result.checkpoint = ended
    stats = getattr(engine, "stats", None)
    if stats is not None:
        result.cache_stats = dict(stats, restarts=len(live))
    if store is not None and (key := chat_key(path, sig)) is not None:
        store.remember(key)
    return result


def _after_checkpoint(at: int, cp: Checkpoint | None) -> bool:
    """Whether a finding made while checking message `at` (-1: when the chat ended) comes after the checkpoint
    the scan is leaving (findings come in `at` order)."""
    if at < 0:
        return True
    return cp is not None and 0 <= cp.cut <= at


def _keep_checkpoint(store: Store | None, key: bytes, new: Checkpoint, resumed: Checkpoint | None,
                     findings: Findings, before_end: int, marks: bytes) -> None:
    """Store where this scan ended, with the findings made up to there: those it resumed with are already
    packed in `resumed`'s parts, so only the newer ones are packed (a re-scan does not pack old findings again)."""
    assert store is not None
    start = 0
    if resumed is not None:
        new.findings = list(resumed.findings)
        start = resumed.count
    if not new.add_findings(findings.packed(start, before_end)):
        return
    new.count = before_end
    new.fingerprints = marks
    with contextlib.suppress(sqlite3.Error):
        store.put_checkpoint(key, new)


def keep_shared_checkpoint(path: str, pack: RulePack, group: Group | None, opts: ScanOptions,
                           ends: list[Checkpoint | None], findings: Findings, before_end: int) -> None:
    """split.py: the shares' end points (each with its categories' rule state) joined into the checkpoint one
    process scanning every category would have stored, with the merged findings."""
    if not opts.cache or opts.context or path == "-" or not ends or any(e is None for e in ends):
        return
    try:
        state: dict = {}
        for e in ends:
            assert e is not None
            for k, v in pickle.loads(e.state).items():
                state.setdefault(k, v)       # shared trackers (presence) are equal in every share
        first = ends[0]
        assert first is not None
        if not first.head:
            return                           # too short a chat to have a checkpoint
        joined = Checkpoint(first.messages, first.digest, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        fingerprints = Fingerprints()
        for i, f in enumerate(findings):
            if i >= before_end:
                break
            fingerprints.assign(f)
        key = checkpoint_key(first.head, [(r, rule_key(r)) for r in selected(pack, opts.only, opts.skip)],
                             opts.since, opts.until)
        store = open_store()
    except (OSError, sqlite3.Error, pickle.PickleError):
        return
    try:
        _keep_checkpoint(store, key, joined, None, findings, before_end, fingerprints.save())
    finally:
        store.close()


def _signature(group: Group | None, opts: ScanOptions) -> bytes:
    return run_signature(group, opts.use_ner, HISTORY)


def scanned_before(path: str, group: Group | None, opts: ScanOptions) -> bool:
    """Whether the cache has seen a chat starting like this one with these settings (so a re-scan is
    mostly answered from it). False without the cache or when it cannot be read."""
    if not opts.cache or path == "-":
        return False
    try:
        store = open_store()
    except (OSError, sqlite3.Error):
        return False
    try:
        key = chat_key(path, _signature(group, opts))
        return key is not None and store.seen(key)
    except sqlite3.Error:
        return False
    finally:
        store.close()
