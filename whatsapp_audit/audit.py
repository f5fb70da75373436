"""Run the pipeline on one chat: parse -> rules -> ScanResult. Shared by `scan` and `report`."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from whatsapp_audit.model import Message
from whatsapp_audit.parse import open_chat
from whatsapp_audit.results import ChatInfo, ScanResult
from whatsapp_audit.roster.group import Group
from whatsapp_audit.rules.engine import BATCH, Engine
from whatsapp_audit.rules.interface import Context
from whatsapp_audit.rules.pack import RulePack

CONTEXT = 2  # messages kept before and after each finding, for reports


@dataclass(slots=True)
class ScanOptions:
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    since: str | None = None      # ISO date or datetime prefix, inclusive
    until: str | None = None      # inclusive: a date covers the whole day
    use_ner: bool = True
    date_order: str = "auto"


class _Collector:
    """Counts messages and members while they stream past, and keeps just the messages around findings.

    The engine reads a batch ahead of the findings it yields, so the last batch stays at hand here.
    """

    def __init__(self, info: ChatInfo) -> None:
        self.info = info
        self.recent: deque[Message] = deque(maxlen=BATCH + 2 * CONTEXT + 2)
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
            self.recent.append(m)
            if m.index in self.wanted:
                self.context[m.index] = m
                self.wanted.discard(m.index)
            yield m
        info.members = list(self._members)

    def mark(self, msg: Message) -> None:
        lo, hi = msg.index - CONTEXT, msg.index + CONTEXT
        for m in self.recent:
            if lo <= m.index <= hi:
                self.context[m.index] = m
        self.wanted.update(i for i in range(msg.index + 1, hi + 1) if i not in self.context)


def _in_period(m: Message, since: str | None, until: str | None) -> bool:
    if since and m.timestamp < since:
        return False
    return not (until and m.timestamp[: len(until)] > until)


def audit(path: str, pack: RulePack, group: Group | None = None, opts: ScanOptions | None = None,
          progress: Callable[[int], None] | None = None) -> ScanResult:
    opts = opts or ScanOptions()
    with open_chat(path, date_order=opts.date_order) as chat:
        info = ChatInfo(path=chat.path, name=chat.name, dialect=chat.dialect, sha256="",
                        media_files=chat.media_files)
        collector = _Collector(info)
        messages: Iterator[Message] = chat.messages()
        if opts.since or opts.until:
            messages = (m for m in messages if _in_period(m, opts.since, opts.until))
        engine = Engine(pack, Context(group=group, use_ner=opts.use_ner), only=opts.only, skip=opts.skip)
        findings = []
        for f in engine.scan(collector.feed(messages), progress=progress):
            findings.append(f)
            if f.message is not None:
                collector.mark(f.message)
        info.sha256 = chat.sha256
        notes = list(chat.notes)
    return ScanResult(chat=info, findings=findings, pack_name=pack.name, pack_version=pack.version,
                      pack_sha256=pack.sha256, group_name=group.name if group else None,
                      roster=[m.name for m in group.members] if group else [],
                      context=collector.context, notes=notes)
