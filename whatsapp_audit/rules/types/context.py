"""`type: context` - a weak cue that only counts with supporting words nearby (Presidio-style context).

"disgrace" alone may be about the weather; "disgrace" within a few words of "school", "teacher" or "head"
is a grievance. With `scope: {window: N}` the support may also come from the N messages before.
"""

from __future__ import annotations

from collections.abc import Iterator

from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.rules.gate import Trigger
from whatsapp_audit.rules.interface import Context, Hit, Opt, Rule, RuleConfigError, RuleType
from whatsapp_audit.rules.text import compile_terms, find


class ContextRule(RuleType):
    type = "context"
    description = "fires on a cue word only when supporting words occur near it"
    options = {
        "cues": Opt("strs", required=True, doc="the weak cue words or phrases"),
        "support": Opt("strs", required=True, doc="words that must occur near a cue"),
        "distance": Opt("int", default=0, doc="max words between cue and support; 0 = anywhere in scope"),
        "min_support": Opt("int", default=1, doc="distinct supporting words needed"),
        "inflect": Opt("bool", default=True),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        o = rule.options
        self.cues = compile_terms([str(t) for t in o["cues"]], o["inflect"])
        self.support = compile_terms([str(t) for t in o["support"]], o["inflect"])
        if self.cues is None:
            raise RuleConfigError("'cues' is empty: the rule could never fire", "cues")
        if self.support is None:
            raise RuleConfigError("'support' is empty: use type lexicon for a rule without context", "support")
        self.distance = int(o["distance"] or 0)
        self.min_support = max(1, int(o["min_support"] or 1))

    def trigger(self) -> Trigger | None:
        return Trigger.of_terms(self.cues) if self.cues is not None else None   # no cue, no hit

    def _near(self, text: str, cue: Evidence, support: list[Evidence]) -> list[Evidence]:
        if not self.distance:
            return support
        out = []
        for s in support:
            lo, hi = (s.end, cue.start) if s.end <= cue.start else (cue.end, s.start)
            if len(text[lo:hi].split()) <= self.distance:
                out.append(s)
        return out

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        cues = find(self.cues, msg.text, "cue")
        if not cues:
            return
        support = [s for s in find(self.support, msg.text, "context") if not any(
            s.start < c.end and c.start < s.end for c in cues)]
        near: list[Evidence] = []
        for c in cues:
            near.extend(x for x in self._near(msg.text, c, support) if x not in near)
        words = {s.text.lower() for s in near}
        if len(words) < self.min_support and self.rule.window:
            for prev in ctx.window(self.rule.window):
                words |= {s.text.lower() for s in find(self.support, prev.text)}
        if len(words) >= self.min_support:
            why = f"'{cues[0].text}' with " + ", ".join(sorted(words)[:4])
            yield Hit(cues + near, why)
