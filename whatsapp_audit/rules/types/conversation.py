"""`type: conversation` - patterns of the conversation rather than of one message's words.

- `pattern: reaction-only`: the message is nothing but laughing reactions ("😂😂😂", "lol", "hahaha").
- `pattern: back-and-forth`: two members trading messages in quick succession about something that is not
  school business: a one-to-one conversation carried on in the group.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

import regex

from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.rules.gate import Trigger
from whatsapp_audit.rules.interface import Context, Hit, Opt, Rule, RuleConfigError, RuleType
from whatsapp_audit.rules.text import TIMEOUT, compile_terms, find

_FILLER = regex.compile(r"[\s\p{P}\p{Emoji_Modifier}\u200d\ufe0f]+", regex.V1)


class ConversationRule(RuleType):
    type = "conversation"
    description = "fires on a conversational pattern: reaction-only messages, two-person back-and-forth"
    options = {
        "pattern": Opt("str", required=True, choices=("reaction-only", "back-and-forth")),
        "reactions": Opt("strs", default=[], doc="reaction-only: the reactions (emoji, 'lol', 'haha*')"),
        "min_turns": Opt("int", default=4, doc="back-and-forth: alternating messages needed"),
        "max_gap_minutes": Opt("int", default=20, doc="back-and-forth: max minutes between turns"),
        "school_terms": Opt("strs", default=[], doc="back-and-forth: words that make it school business"),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        o = rule.options
        self.pattern = o["pattern"]
        self.reactions = compile_terms([str(t) for t in o["reactions"]], inflect=False)
        self.school = compile_terms([str(t) for t in o["school_terms"]])
        if self.pattern == "reaction-only" and self.reactions is None:
            raise RuleConfigError("reaction-only needs a 'reactions' list", "reactions")
        self.min_turns = max(2, int(o["min_turns"]))
        self.max_gap = int(o["max_gap_minutes"]) * 60

    def trigger(self) -> Trigger | None:
        if self.pattern == "reaction-only" and self.reactions is not None:
            return Trigger.of_terms(self.reactions)     # no reaction, no reaction-only message
        return None

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if self.pattern == "reaction-only":
            yield from self._reaction(msg)
        else:
            yield from self._exchange(msg, ctx)

    def _reaction(self, msg: Message) -> Iterator[Hit]:
        ev = find(self.reactions, msg.text, "reaction")
        if not ev or self.reactions is None:
            return
        rest = self.reactions.sub("", msg.text, timeout=TIMEOUT)
        if not _FILLER.sub("", rest):
            yield Hit(ev, "a reaction with no information: " + "".join(e.text for e in ev)[:20])

    def _alternations(self, msg: Message, window: list[Message]) -> int:
        """Author switches in the two-person run ending at `msg`, ignoring time: never fewer than _exchange
        counts, so when even these are too few, the times and words need not be looked at (most messages)."""
        pair = {msg.author}
        switches, last = 0, msg.author
        for prev in reversed(window):
            if prev.author is None or prev.kind == "system":
                break
            pair.add(prev.author)
            if len(pair) > 2:
                break
            switches += prev.author != last
            last = prev.author
        return switches

    def _exchange(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if msg.author is None:
            return
        window = ctx.window(self.min_turns * 2)
        if self._alternations(msg, window) + 1 < self.min_turns or find(self.school, msg.text):
            return
        turns = [msg]
        later = datetime.fromisoformat(msg.timestamp)
        for prev in reversed(window):
            if prev.author is None or prev.kind == "system":
                break
            t = datetime.fromisoformat(prev.timestamp)
            if (later - t).total_seconds() > self.max_gap:
                break
            turns.append(prev)
            later = t
        authors = {m.author for m in turns}
        # Only the run of messages by exactly two people counts: a third voice makes it a group thread.
        run: list[Message] = []
        pair: set[str | None] = set()
        for m in turns:
            if len(pair | {m.author}) > 2:
                break
            pair.add(m.author)
            run.append(m)
        switches = sum(1 for a, b in itertools.pairwise(run) if a.author != b.author)
        if len(authors) >= 2 and len(pair) == 2 and switches + 1 >= self.min_turns \
                and not any(find(self.school, m.text) for m in run):
            others = sorted(a for a in pair if a and a != msg.author)
            yield Hit([Evidence(msg.text[:40], 0, min(len(msg.text), 40), "exchange")] if msg.text else [],
                      f"one-to-one exchange with {', '.join(others)} ({switches + 1} turns)")
