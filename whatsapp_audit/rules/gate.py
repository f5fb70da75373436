"""Which rules could possibly fire on a message, worked out once per message for the whole pack.

Most rules are word lists or regexes that cannot match unless some word or literal string occurs in the
text. A rule type says so by returning a `Trigger` from `RuleType.trigger()`; the engine then asks the
`Gate` once per message which gated rules are worth running, instead of calling ~40 rules that each find
nothing (that call-and-fail loop was most of a scan's time). A rule without a trigger always runs.

Exactness matters more than speed here: the gate may let through a rule that then finds nothing, but it
must never hold back one that would have fired. So a trigger is built from the same data the rule matches
with: the word keys of its compiled terms (rules/text.py) or the literals its regex requires
(rules/prefilter.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from whatsapp_audit.rules.text import PrefixIndex, Terms, word_index


@dataclass(frozen=True, slots=True)
class Trigger:
    """Any of: a word of the text (lower-cased, see text.word_index), a prefix of one, a character of the
    text, or a literal (lower-case) string contained in the lower-cased text."""

    words: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    chars: frozenset[str] = frozenset()
    literals: frozenset[str] = frozenset()

    @classmethod
    def of_terms(cls, terms: Terms) -> Trigger:
        def keys(kind: str) -> frozenset[str]:
            return frozenset(k for kd, k in terms.anchors if kd == kind)
        return cls(words=keys("word"), prefixes=keys("prefix"), chars=keys("char"))


def _index(triggers: list[Trigger | None], field: str) -> dict[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for i, t in enumerate(triggers):
        for k in getattr(t, field, ()):
            out.setdefault(k, set()).add(i)
    return {k: frozenset(v) for k, v in out.items()}


class Gate:
    """Built from one trigger per rule (None: always runs); `open(text, low)` -> the rules that may fire."""

    def __init__(self, triggers: list[Trigger | None]) -> None:
        self.always = frozenset(i for i, t in enumerate(triggers) if t is None)
        self.by_word = _index(triggers, "words")
        self.by_prefix = PrefixIndex(_index(triggers, "prefixes"))
        self.by_char = _index(triggers, "chars")
        self.char_set = frozenset(self.by_char)
        # Literals by their first two characters: one lookup per character pair of the message.
        self.by_literal: dict[str, list[tuple[str, frozenset[int]]]] = {}
        self.short_literals: dict[str, frozenset[int]] = {}        # one character: the prefilter gives none
        for lit, rules in _index(triggers, "literals").items():
            if len(lit) >= 2:
                self.by_literal.setdefault(lit[:2], []).append((lit, rules))
            else:
                self.short_literals[lit] = rules

    def open(self, text: str, low: str) -> set[int]:
        out = set(self.always)
        if not text:
            return out
        index = word_index(text)
        by_word = self.by_word
        for w in index.keys() & by_word.keys():
            out |= by_word[w]
        if self.by_prefix:
            matching = self.by_prefix.matching
            for w in index:
                for _, rules in matching(w):
                    out |= rules
        if self.char_set:
            for c in self.char_set.intersection(text):
                out |= self.by_char[c]
        by_literal = self.by_literal
        if by_literal:
            for pair in {low[i:i + 2] for i in range(len(low) - 1)} & by_literal.keys():
                for lit, rules in by_literal[pair]:
                    if lit in low:
                        out |= rules
        for lit, rules in self.short_literals.items():
            if lit in low:
                out |= rules
        return out
