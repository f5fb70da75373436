"""`type: tokens` - spaCy Matcher token patterns written in YAML.

    patterns:
      - [{LOWER: {IN: [sign, share]}}, {LOWER: the}, {LOWER: petition}]
      - [{LEMMA: vote}, {LOWER: for}, {IS_TITLE: true}]

Patterns using only text attributes run on spaCy's tokenizer (fast); LEMMA/POS/TAG/MORPH need the tagger,
which costs far more, so the rule first checks cheaply that a literal word of some pattern occurs in the
message at all and skips the message otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.nlp import pipeline
from whatsapp_audit.rules.gate import Trigger
from whatsapp_audit.rules.interface import Context, Hit, LintIssue, Opt, Rule, RuleConfigError, RuleType

_TAGGED = {"LEMMA", "POS", "TAG", "MORPH", "DEP"}
_TEXT_KEYS = {"LOWER", "TEXT", "ORTH", "NORM", "LEMMA"}


def _literals(pattern: list[dict[str, Any]]) -> set[str] | None:
    """Lower-case words one of which a text must contain for the pattern to match, or None if unknown.

    Of the pattern's required tokens with literal values, the most selective one is used (the one whose
    shortest value is longest): "is/was/are" would let almost every message through, "idiot/liar" not.
    """
    best: set[str] | None = None
    for tok in pattern:
        if tok.get("OP") in ("?", "*", "!"):
            continue
        for key in _TEXT_KEYS & set(tok):
            v = tok[key]
            values = v.get("IN") if isinstance(v, dict) else [v]
            if isinstance(values, list) and values and all(isinstance(x, str) and x for x in values):
                # A lemma's inflections share (roughly) its first letters: "vote" -> "voting".
                cand = {x.lower()[: 4 if key == "LEMMA" else None] for x in values}
                if best is None or min(map(len, cand)) > min(map(len, best)):
                    best = cand
    return best


class TokensRule(RuleType):
    type = "tokens"
    description = "fires on spaCy Matcher token patterns (LOWER, LEMMA, POS, IS_TITLE, OP ...)"
    options = {
        "patterns": Opt("list", required=True, doc="a list of Matcher patterns (each a list of token dicts)"),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        patterns = rule.options["patterns"]
        if not patterns or not all(isinstance(p, list) and p and all(isinstance(t, dict) for t in p)
                                   for p in patterns):
            raise RuleConfigError("'patterns' must be a non-empty list of token-dict lists", "patterns")
        self.patterns = [[dict(t) for t in p] for p in patterns]
        keys = {k for p in self.patterns for t in p for k in t}
        self.needs_tagger = bool(keys & _TAGGED)
        stems = [_literals(p) for p in self.patterns]
        self.stems: set[str] | None = None if any(s is None for s in stems) else set().union(*stems)
        self._matcher: Any = None
        # The Matcher (and with it spaCy, ~1 s to import) is built the first time a message gets past
        # the literal test, so commands and scans that never need it do not pay for it; `rules lint` and
        # `rules test` build it and so validate the patterns.

    def _build(self, vocab: Any) -> None:
        from spacy.matcher import Matcher

        m = Matcher(vocab, validate=True)
        try:
            m.add(self.rule.id, self.patterns)
        except ValueError as e:
            raise UserError(f"rule '{self.rule.id}': invalid token pattern: {str(e).splitlines()[0]}",
                            path=self.rule.source or None, line=self.rule.line or None,
                            hint="`wa-audit rules lint` checks token patterns") from None
        self._matcher = m

    def trigger(self) -> Trigger | None:
        return Trigger(literals=frozenset(self.stems)) if self.stems else None

    def lint(self) -> Iterator[LintIssue]:
        try:
            self._build(pipeline.tokenizer().vocab)
        except UserError as e:
            yield LintIssue(str(e.message))

    def _nlp(self) -> Any:
        return pipeline.tagger() if self.needs_tagger else pipeline.tokenizer()

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if not msg.text:
            return
        if self.stems is not None:
            low = ctx.lower(msg)
            if not any(s in low for s in self.stems):
                return
        nlp = self._nlp()
        if self._matcher is None or self._matcher.vocab is not nlp.vocab:
            self._build(nlp.vocab)
        doc = nlp(msg.text)
        spans = [doc[s:e] for _, s, e in self._matcher(doc)]
        if spans:
            ev = [Evidence(sp.text, sp.start_char, sp.end_char, "tokens") for sp in spans]
            yield Hit(ev, "phrase: " + ", ".join(dict.fromkeys(e.text for e in ev)))
