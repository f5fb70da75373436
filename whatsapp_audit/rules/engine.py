"""Apply a rule pack to a stream of messages and yield findings.

Messages flow through in batches (so rule types can batch spaCy work) while the engine keeps only a short
history for conversation rules. Per message, the hits of all rules of one category merge into one finding
(the most severe rule names it), so a message counts once per category in every summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

import regex

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Evidence, Finding, Message
from whatsapp_audit.rules.gate import Gate
from whatsapp_audit.rules.interface import Context, Hit, Rule, RuleType
from whatsapp_audit.rules.pack import RulePack
from whatsapp_audit.rules.text import compile_terms, find, overlaps

BATCH = 256
ORDER = {c: i for i, c in enumerate(CATEGORIES)}   # findings of one message come in this order


@dataclass(slots=True)
class _Active:
    rule: Rule
    checker: RuleType
    exceptions: regex.Pattern[str] | None
    unless: regex.Pattern[str] | None
    pos: int = 0          # index in Engine.active, as the gate names it


def _filter(hit: Hit, msg: Message, a: _Active) -> Hit | None:
    """Apply the rule's exceptions (cancel overlapping evidence) and `unless` (cancel the message)."""
    if a.unless is not None and find(a.unless, msg.text):
        return None
    if a.exceptions is None:
        return hit
    excepted = find(a.exceptions, msg.text)
    if not excepted:
        return hit
    if not hit.evidence:
        return None
    kept = [e for e in hit.evidence if not overlaps(e, excepted)]
    if not [e for e in kept if e.label not in ("context",)]:
        return None
    return Hit(kept, hit.why, hit.subject, hit.message)


def selected(pack: RulePack, only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[Rule]:
    """The pack's enabled rules of the categories asked for (--only / --skip)."""
    only_set, skip_set = set(only), set(skip)
    return [r for r in pack.enabled if not ((only_set and r.category not in only_set) or r.category in skip_set)]


class Engine:
    def __init__(self, pack: RulePack, ctx: Context | None = None, *,
                 only: Iterable[str] = (), skip: Iterable[str] = ()) -> None:
        self.pack = pack
        self.ctx = ctx or Context()
        self.active: list[_Active] = []
        for rule in selected(pack, only, skip):
            self.active.append(_Active(rule, pack.checkers[rule.id], compile_terms(rule.exceptions),
                                       compile_terms(rule.unless), len(self.active)))
        self.gate = Gate([a.checker.trigger() for a in self.active])
        self._opened: tuple[Message | None, set[int]] = (None, set())
        self.current: Message | None = None   # the message being checked while scan() yields (None: the end)
        self.by_kind: dict[str, list[_Active]] = {}
        for a in self.active:
            for k in a.rule.kinds:
                self.by_kind.setdefault(k, []).append(a)

    def _finding(self, a: _Active, hit: Hit, msg: Message | None) -> Finding:
        why = a.rule.message + (f" ({hit.why})" if hit.why else "")
        return Finding(rule=a.rule.id, category=a.rule.category, severity=a.rule.severity, message=msg,
                       evidence=list(hit.evidence), explanation=why, policy=a.rule.policy,
                       subject=hit.subject)

    def opened(self, msg: Message) -> set[int]:
        """The rules (by position) that may fire on this message: the gate's answer, kept per message."""
        if self._opened[0] is not msg:
            self._opened = (msg, self.gate.open(msg.text, self.ctx.lower(msg)))
        return self._opened[1]

    def rule_hits(self, a: _Active, msg: Message) -> list[Hit]:
        """One rule's hits on one message, after its exceptions and `unless` (ask `opened` first)."""
        out = []
        for raw in a.checker.check(msg, self.ctx):
            hit = _filter(raw, msg, a)
            if hit is not None:
                out.append(hit)
        return out

    def hits(self, msg: Message) -> Iterator[tuple[_Active, Hit]]:
        """Every active rule's hits on one message, in rule order. The re-scan cache (whatsapp_audit.cache)
        overrides this to answer rules from stored hits."""
        opened = self.opened(msg)
        for a in self.by_kind.get(msg.kind, ()):
            if a.pos in opened:
                for hit in self.rule_hits(a, msg):
                    yield a, hit

    def prepare(self, batch: list[Message]) -> None:
        for a in self.active:
            a.checker.prepare(batch, self.ctx)

    def finish(self) -> Iterator[Finding]:
        for a in self.active:
            for hit in a.checker.finish(self.ctx):
                yield self._finding(a, hit, hit.message)

    def check_message(self, msg: Message) -> list[Finding]:
        """Findings for one message (one per category), given the history already in the context."""
        merged: dict[str, Finding] = {}
        for a, hit in self.hits(msg):
            target = hit.message or msg
            f = merged.get(a.rule.category)
            if f is None or f.message is not target:
                merged[a.rule.category] = self._finding(a, hit, target)
                continue
            if a.rule.severity > f.severity:
                f.rule, f.severity, f.policy = a.rule.id, a.rule.severity, a.rule.policy
                f.explanation = self._finding(a, hit, target).explanation
            f.evidence.extend(e for e in hit.evidence if not _same(e, f.evidence))
        out = sorted(merged.values(), key=lambda f: ORDER.get(f.category, 99))
        for f in out:
            f.evidence.sort(key=lambda e: e.start)
        return out

    def scan(self, messages: Iterable[Message],
             progress: Callable[[int], None] | None = None) -> Iterator[Finding]:
        it = iter(messages)
        seen = 0
        while batch := list(islice(it, BATCH)):
            self.prepare(batch)
            for msg in batch:
                self.current = msg
                yield from self.check_message(msg)
                self.ctx.previous.append(msg)
                self.ctx.last = msg
            seen += len(batch)
            if progress:
                progress(seen)
        self.current = None
        yield from self.finish()


def _same(e: Evidence, spans: list[Evidence]) -> bool:
    return any(e.start == s.start and e.end == s.end for s in spans)
