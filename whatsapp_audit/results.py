"""The result of auditing one chat, and the one summary computation every output shares.

`scan` (terminal, JSON) and `report` (HTML, Markdown, CSV, JSON) all render a `ScanResult`; none of them
counts findings on its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from whatsapp_audit import __version__
from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Message, Severity
from whatsapp_audit.spool import Findings

if TYPE_CHECKING:
    from whatsapp_audit.integrity import Sign


@dataclass(slots=True)
class ChatInfo:
    path: str
    name: str
    dialect: str
    sha256: str
    messages: int = 0
    members: list[str] = field(default_factory=list)     # senders, in order of first post
    first: str | None = None
    last: str | None = None
    media_files: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.dialect, "messages": self.messages, "members": self.members,
                "first": self.first, "last": self.last, "sha256": self.sha256, "media_files": self.media_files}


@dataclass(slots=True)
class MemberSummary:
    member: str
    counts: Counter[str] = field(default_factory=Counter)      # category -> findings
    worst: dict[str, Severity] = field(default_factory=dict)    # category -> worst severity

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def worst_overall(self) -> Severity | None:
        return max(self.worst.values(), default=None)


@dataclass(slots=True)
class ScanResult:
    chat: ChatInfo
    findings: Findings       # a list given here becomes Findings (bounded memory, tallies kept)
    pack_name: str
    pack_version: str
    pack_sha256: str = ""
    group_name: str | None = None
    roster: list[str] = field(default_factory=list)          # members listed in group.yaml
    context: dict[int, Message] = field(default_factory=dict)  # messages around findings, by index
    notes: list[str] = field(default_factory=list)
    tool_version: str = __version__
    cache_stats: dict[str, int] = field(default_factory=dict)  # re-scan cache: rule x message checks reused/computed
    baseline: dict[str, Any] | None = None   # with --baseline: {"file", "suppressed"} (reviewed findings left out)
    integrity: list[Sign] = field(default_factory=list)   # signs the export was edited (integrity.py): not findings
    checkpoint: Any = None   # cache.Checkpoint where a cached scan ended (split.py joins its shares')

    def __post_init__(self) -> None:
        if not isinstance(self.findings, Findings):
            self.findings = Findings(self.findings)

    def summary(self) -> list[MemberSummary]:
        """Per member: counts and worst severity per category. Members with findings first (worst
        severity, then most findings), then everyone else who posted or is on the roster."""
        by: dict[str, MemberSummary] = {}
        for name in [*self.chat.members, *self.roster]:
            by.setdefault(name, MemberSummary(name))
        tally = self.findings.tally
        for who, counts in tally.counts.items():
            s = by.setdefault(who, MemberSummary(who))
            s.counts.update(counts)
            s.worst.update(tally.worst[who])
        return sorted(by.values(), key=lambda s: (-(s.worst_overall or 0), -s.total, s.member.lower()))

    def categories_used(self) -> list[str]:
        used = {c for counts in self.findings.tally.counts.values() for c in counts}
        return [c for c in CATEGORIES if c in used]

    def summary_dict(self) -> dict[str, dict[str, int]]:
        """CONTRACT `summary`: member -> {category: count}, members with findings only."""
        return {s.member: {c: s.counts[c] for c in CATEGORIES if s.counts[c]}
                for s in self.summary() if s.total}

    def worst(self) -> Severity | None:
        return max((w for ws in self.findings.tally.worst.values() for w in ws.values()), default=None)

    def to_dict(self) -> dict[str, Any]:
        """The scan document (CONTRACT.md). `json_format.write` streams the same keys in the same order."""
        return {**self.head_dict(), "findings": [f.to_dict() for f in self.findings], **self.tail_dict()}

    def head_dict(self) -> dict[str, Any]:
        """What comes before `findings`."""
        return {"chat": self.chat.to_dict()}

    def tail_dict(self) -> dict[str, Any]:
        """What comes after `findings`."""
        return {
            "summary": self.summary_dict(),
            "rules": {"name": self.pack_name, "version": self.pack_version, "sha256": self.pack_sha256},
            "tool": {"name": "wa-audit", "version": self.tool_version},
            "notes": self.notes,
            "integrity": [s.to_dict() for s in self.integrity],
        } | ({"baseline": self.baseline} if self.baseline is not None else {})
