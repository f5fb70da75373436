"""`type: lexicon` - any of a list of words or phrases, whole-word, case-insensitive, with inflections."""

from __future__ import annotations

from collections.abc import Iterator

from whatsapp_audit.model import Message
from whatsapp_audit.rules.gate import Trigger
from whatsapp_audit.rules.interface import Context, Hit, Opt, Rule, RuleConfigError, RuleType
from whatsapp_audit.rules.text import compile_terms, find


class LexiconRule(RuleType):
    type = "lexicon"
    description = "fires on any listed word or phrase (whole words, any case, common inflections)"
    options = {
        "terms": Opt("strs", required=True, doc="words or phrases; 'word*' matches any ending"),
        "inflect": Opt("bool", default=True, doc="also match votes/voted/voting for 'vote'"),
        "min_matches": Opt("int", default=1, doc="distinct terms needed in one message"),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        terms = [str(t) for t in rule.options["terms"]]
        if not [t for t in terms if t.strip()]:
            raise RuleConfigError("'terms' is empty: the rule could never fire", "terms")
        self.pattern = compile_terms(terms, rule.options["inflect"])
        self.min_matches = int(rule.options["min_matches"] or 1)

    def trigger(self) -> Trigger | None:
        return Trigger.of_terms(self.pattern) if self.pattern is not None else None

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        ev = find(self.pattern, msg.text, "term")
        if ev and len({e.text.lower() for e in ev}) >= self.min_matches:
            yield Hit(ev, "words: " + ", ".join(dict.fromkeys(e.text for e in ev)))
