"""Who is in the group, from the chat itself: senders, and the system events that add and remove people.

Shared by the roster-aware rule types through the scan's Context (one tracker per scan), fed from each
batch in `prepare()`; feeding the same messages twice is harmless.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from whatsapp_audit.model import Message
from whatsapp_audit.roster.match import RosterIndex, name_words, norm_name, norm_phone

if TYPE_CHECKING:
    from whatsapp_audit.rules.interface import Context

IN_EVENTS = {"added": "target", "joined": "actor", "created": "actor"}
OUT_EVENTS = {"removed": "target", "left": "actor"}
_SELF = {"you", "du"}                         # the person who exported the chat
_SPLIT = re.compile(r"\s*,\s*|\s+and\s+|\s+und\s+|\s*&\s*")
_SUBJECT = re.compile(r"[\"“”„«»](.+?)[\"“”„«»]")


@dataclass(slots=True)
class Seen:
    name: str                     # as the export shows them
    inside: bool                  # in the group after the last event / post seen
    index: int                    # the message that last changed it
    line: int
    how: str                      # "posted", "added by X", "removed", "left" ...
    when: str = ""


@dataclass(slots=True)
class Presence:
    first_seen: dict[str, int] = field(default_factory=dict)   # folded name word -> first message index
    people: dict[str, Seen] = field(default_factory=dict)      # norm name -> latest state
    subjects: set[str] = field(default_factory=set)            # words of the group's subjects
    last_index: int = -1
    order: list[tuple[int, str]] = field(default_factory=list)  # (first index, word) in the order seen
    _keys: dict[str, str] = field(default_factory=dict)        # sender as shown -> norm name
    posters: set[str] = field(default_factory=set)             # norm names of everyone who posted

    def names(self, value: str | None, index: RosterIndex | None = None) -> list[str]:
        """The people a system event names (one, or several: "A, B and C")."""
        if not value:
            return []
        v = value.strip()
        if norm_name(v) in _SELF:
            return []
        if (index is not None and index.member(v) is not None) or norm_phone(v):
            return [v]
        parts = [p for p in _SPLIT.split(v) if p.strip()]
        return parts if len(parts) > 1 else [v]

    def _note_words(self, name: str, at: int) -> None:
        if norm_phone(name):
            return
        for w in name_words(name):
            if w not in self.first_seen:
                self.first_seen[w] = at
                self.order.append((at, w))

    def see(self, batch: list[Message], index: RosterIndex | None = None) -> None:
        for m in batch:
            if m.index <= self.last_index:
                continue
            self.last_index = m.index
            if m.kind != "system":
                if m.author:
                    key = self._keys.get(m.author)
                    if key is None:
                        key = self._keys[m.author] = norm_name(m.author)
                        self._note_words(m.author, m.index)
                        self.posters.add(key)
                    prev = self.people.get(key)
                    if prev is None or not prev.inside:
                        self.people[key] = Seen(m.author, True, m.index, m.line, "posted", m.timestamp)
                continue
            if m.event in ("created", "subject"):
                sm = _SUBJECT.search(m.text or "")
                if sm:
                    self.subjects.update(w for w in name_words(sm.group(1)) if len(w) > 2)
            for who in (m.actor, m.target):
                for n in self.names(who, index):
                    self._note_words(n, m.index)
            if m.event in IN_EVENTS or m.event in OUT_EVENTS:
                inside = m.event in IN_EVENTS
                field_name = (IN_EVENTS if inside else OUT_EVENTS)[m.event]
                for n in self.names(getattr(m, field_name), index):
                    how = m.event if m.event in ("left", "joined", "created") else \
                        f"{m.event} by {m.actor}" if m.actor else m.event
                    self.people[norm_name(n)] = Seen(n, inside, m.index, m.line, how, m.timestamp)

    def words_before(self, index: int) -> set[str]:
        """Name words of everyone seen in the chat up to (and including) message `index`."""
        return {w for w, at in self.first_seen.items() if at <= index}


def roster_index(ctx: Context) -> RosterIndex:
    """The scan's RosterIndex, built once (an empty one without --group)."""
    idx = ctx.state.get("_roster_index")
    if not isinstance(idx, RosterIndex) or idx.group is not (ctx.group or idx.group):
        idx = ctx.state["_roster_index"] = RosterIndex.build(ctx.group)
    return idx


def presence(ctx: Context) -> Presence:
    p = ctx.state.get("_presence")
    if not isinstance(p, Presence):
        p = ctx.state["_presence"] = Presence()
    return p
