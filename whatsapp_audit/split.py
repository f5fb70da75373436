"""One big chat on several CPUs: the rules are shared out by category between processes.

Every process reads the whole chat (parsing is ~2% of a scan) and runs the rules of its categories, so
each rule still sees every message, its neighbours and its state from the start of the chat - nothing
about the results changes. Findings are per (message, category), so the shares' findings never need
merging into each other, only interleaving back into the order one process would give: by the message
being checked when each came out, then category order (rules/engine.py). Roster findings (from rules that
look at the whole chat when it ends) keep to the first share.

Only for `scan` of a big file (reports keep the messages around findings, which needs one process).
"""

from __future__ import annotations

import heapq
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from whatsapp_audit import batch
from whatsapp_audit.audit import ScanOptions, audit, keep_shared_checkpoint, scanned_before
from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Finding
from whatsapp_audit.rules.engine import ORDER
from whatsapp_audit.spool import Findings, pack, read_records, unpack, write_record

if TYPE_CHECKING:
    from whatsapp_audit.results import ScanResult
    from whatsapp_audit.roster.group import Group
    from whatsapp_audit.rules.pack import RulePack

SPLIT_MIN_BYTES = 2_000_000     # ~25,000 messages: below this, starting a process costs more than it saves
# Rough cost per message of each rule type, relative to a word list (measured on gen_chat exports): for
# balancing the shares only, so a wrong guess costs time, never results.
COST = {"names": 8.0, "classifier": 4.0, "details": 2.0, "conversation": 2.0, "regex": 1.5, "tokens": 0.5,
        "lexicon": 0.5, "context": 0.5, "media": 0.1, "membership": 0.2, "investigation": 0.1}
_END = 1 << 62                  # sorts after every message index: findings made when the chat ended


def processes(path: str, opts: ScanOptions, jobs: int, group: Group | None = None) -> int:
    """How many processes to scan this chat with: 1 unless it is a big file, more than one CPU is free, and
    the cache has not seen it before (a re-scan is mostly cache look-ups, which every process would repeat)."""
    if path == "-" or opts.context or jobs == 1:
        return 1
    try:
        if os.path.getsize(path) < SPLIT_MIN_BYTES:
            return 1
    except OSError:
        return 1          # audit() reports it
    if scanned_before(path, group, opts):
        return 1
    return batch.workers(len(CATEGORIES), jobs)


def shares(pack: RulePack, opts: ScanOptions, n: int) -> list[list[str]]:
    """The categories each process runs, balanced by estimated cost; the first share (this process) holds
    every category with a rule that reports when the chat ends."""
    cost: dict[str, float] = {}
    at_end: set[str] = set()
    for rule in pack.enabled:
        c = rule.category
        if (opts.only and c not in opts.only) or c in opts.skip:
            continue
        cost[c] = cost.get(c, 0.0) + COST.get(rule.type, 1.0)
        if pack.checkers[rule.id].overrides("finish"):
            at_end.add(c)
    out: list[list[str]] = [[] for _ in range(max(1, n))]
    load = [0.0] * len(out)
    for c in sorted(at_end, key=ORDER.__getitem__):
        out[0].append(c)
        load[0] += cost[c]
    for c in sorted(set(cost) - at_end, key=lambda c: -cost[c]):
        i = load.index(min(load))
        out[i].append(c)
        load[i] += cost[c]
    return [sorted(s, key=ORDER.__getitem__) for s in out if s]


def _share(path: str, group: Group | None, opts: ScanOptions, out: str) -> ScanResult:
    """In a worker: scan with this share's categories, write (emitted-at, finding) records to `out`, and
    send back the result without its findings."""
    assert batch._PACK is not None
    result = audit(path, batch._PACK, group, opts)
    with open(out, "wb") as fh:
        for f, at in result.findings.with_at():
            write_record(fh, pack(f, at))
    result.findings.close()
    result.findings = Findings()
    return result


def _keyed(records: Iterator[tuple[Finding, int]], share: int) -> Iterator[tuple[tuple[int, int, int, int], Finding]]:
    for seq, (f, at) in enumerate(records):
        yield (_END if at < 0 else at, ORDER.get(f.category, 99), share, seq), f


def audit_split(path: str, pack_: RulePack, rules: list[str] | None, group: Group | None, opts: ScanOptions,
                jobs: int = 0, progress: Callable[[int], None] | None = None) -> ScanResult:
    """audit(), in several processes when the chat is big enough (see processes()); same result."""
    n = processes(path, opts, jobs, group)
    parts = shares(pack_, opts, n) if n > 1 else []
    if len(parts) < 2:
        return audit(path, pack_, group, opts, progress)
    tmp = tempfile.mkdtemp(prefix="wa-audit-")     # 0700: findings quote the chat
    try:
        with batch.pool(len(parts) - 1, pack_, rules) as ex:
            files = [os.path.join(tmp, f"share-{i}.bin") for i in range(1, len(parts))]
            futures = [ex.submit(_share, path, group, replace(opts, only=part, checkpoint=False), out)
                       for part, out in zip(parts[1:], files, strict=True)]
            mine = audit(path, pack_, group, replace(opts, only=parts[0], checkpoint=False), progress)
            theirs = [fut.result() for fut in futures]
        streams = [_keyed(mine.findings.with_at(), 0)]
        streams += [_keyed((unpack(r) for r in read_records(f)), i + 1) for i, f in enumerate(files)]
        merged = Findings()
        cut = mine.checkpoint.cut if mine.checkpoint is not None and mine.checkpoint.cut >= 0 else _END
        before = 0                                   # findings made before the checkpoint come first
        for key, f in heapq.merge(*streams, key=lambda kf: kf[0]):
            merged.append(f, key[0] if key[0] != _END else -1)
            before += key[0] < cut
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    keep_shared_checkpoint(path, pack_, group, opts, [mine.checkpoint, *(r.checkpoint for r in theirs)], merged,
                           before)
    mine.findings.close()
    mine.findings = merged
    for r in theirs:
        mine.notes.extend(x for x in r.notes if x not in mine.notes)
        for k, v in r.cache_stats.items():
            mine.cache_stats[k] = mine.cache_stats.get(k, 0) + v
    return mine
