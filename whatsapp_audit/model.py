"""The records every stage shares: parsed messages, findings and their evidence.

Shapes follow ../shared/CONTRACT.md; `to_dict()` gives exactly the contract's JSON fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any

KINDS = ("text", "media", "deleted", "system", "poll", "location", "contact", "call")
MEDIA_TYPES = ("image", "video", "audio", "sticker", "gif", "document", "unknown")
EVENTS = ("encryption", "created", "added", "removed", "left", "joined", "subject", "icon",
          "description", "number-changed", "security-code", "other")


@dataclass(slots=True)
class Message:
    """One record of an export. `timestamp` is ISO 8601 local time ("2023-09-14T19:02:00")."""

    index: int
    line: int
    timestamp: str
    author: str | None
    text: str
    kind: str = "text"
    edited: bool = False
    media: str | None = None       # kind == "media" only
    event: str | None = None       # kind == "system" only
    actor: str | None = None
    target: str | None = None

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.timestamp)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"index": self.index, "line": self.line, "timestamp": self.timestamp,
                             "author": self.author, "text": self.text, "kind": self.kind}
        if self.edited:
            d["edited"] = True
        if self.media is not None:
            d["media"] = self.media
        if self.event is not None:
            d["event"] = self.event
            if self.actor is not None:
                d["actor"] = self.actor
            if self.target is not None:
                d["target"] = self.target
        return d

    def ref(self) -> dict[str, Any]:
        """The short reference a finding carries (CONTRACT: index, line, timestamp, author)."""
        return {"index": self.index, "line": self.line, "timestamp": self.timestamp, "author": self.author}


class Severity(IntEnum):
    info = 1
    warning = 2
    breach = 3

    @classmethod
    def parse(cls, value: str) -> Severity:
        return cls[value]

    def __str__(self) -> str:
        return self.name


@dataclass(slots=True, frozen=True)
class Evidence:
    """A span of the message text that made a rule fire; offsets index into Message.text."""

    text: str
    start: int
    end: int
    label: str | None = None       # e.g. "PERSON", "phone", "lexicon:tory" - why this span counts

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "start": self.start, "end": self.end}
        if self.label:
            d["label"] = self.label
        return d


@dataclass(slots=True)
class Finding:
    rule: str
    category: str
    severity: Severity
    message: Message | None
    evidence: list[Evidence] = field(default_factory=list)
    explanation: str = ""
    policy: str = ""               # the clause it enforces, quoted from the policy
    subject: str | None = None     # for roster findings without a message: the member concerned
    fingerprint: str = ""          # stable across re-exports (whatsapp_audit.baseline); set by audit()

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule,
            "category": self.category,
            "severity": str(self.severity),
            "message": self.message.ref() if self.message is not None else None,
            "evidence": [e.to_dict() for e in self.evidence],
            "explanation": self.explanation,
        }
        if self.policy:
            d["policy"] = self.policy
        if self.subject is not None:
            d["member"] = self.subject
        if self.fingerprint:
            d["fingerprint"] = self.fingerprint
        return d

    @property
    def member(self) -> str | None:
        """Who the finding is about: the author of the message, or the roster member."""
        if self.message is not None and self.message.author is not None:
            return self.message.author
        return self.subject
