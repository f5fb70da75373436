"""`type: regex` - regular expressions (the `regex` module), each search under a timeout."""

from __future__ import annotations

from collections.abc import Iterator

import regex

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.rules.gate import Trigger
from whatsapp_audit.rules.interface import Context, Hit, LintIssue, Opt, Rule, RuleConfigError, RuleType
from whatsapp_audit.rules.prefilter import backtracks, literal_test, required_literals
from whatsapp_audit.rules.text import TIMEOUT


def pattern_timeout(rule: Rule, pattern: str, msg: Message) -> UserError:
    """A rule's regex ran past TIMEOUT on one message: bad input in the rule file (exit 2), named."""
    return UserError(f"rule '{rule.id}': pattern {pattern!r} took longer than {TIMEOUT} s on the message at line "
                     f"{msg.line} of the chat and was stopped (it backtracks catastrophically)",
                     path=rule.source or None, line=rule.line or None,
                     hint="rewrite it without nested repeats such as (a+)+; `wa-audit rules lint` checks for them")


class Patterns:
    """Regular expressions of one rule option, each searched only when the lower-cased text holds one of
    the literals a match of it needs (prefilter.py), and under TIMEOUT. Used by `regex` and `details`."""

    def __init__(self, sources: list[str], flags: int, option: str) -> None:
        self.patterns: list[regex.Pattern[str]] = []
        for src in sources:
            try:
                self.patterns.append(regex.compile(src, flags))
            except regex.error as e:
                raise RuleConfigError(f"invalid regular expression {src!r}: {e}", option) from None
        # Per pattern: literals one of which must be in the (lower-cased) text, or None to always search;
        # tested as one plain `re` alternation of escaped literals (C speed, no Python loop per literal).
        self.literals = [required_literals(src) for src in sources]
        self.needs = [literal_test(lits) for lits in self.literals]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def finditer(self, rule: Rule, msg: Message, low: str) -> Iterator[tuple[regex.Pattern[str], regex.Match[str]]]:
        """(pattern, match) over the message text; a pattern past TIMEOUT is the rule file's error."""
        for p, need in zip(self.patterns, self.needs, strict=True):
            if need is not None and need.search(low) is None:
                continue
            try:
                for m in p.finditer(msg.text, timeout=TIMEOUT):
                    yield p, m
            except TimeoutError:
                raise pattern_timeout(rule, p.pattern, msg) from None


class RegexRule(RuleType):
    type = "regex"
    description = "fires on a regular expression (case-insensitive unless case_sensitive: true)"
    options = {
        "patterns": Opt("strs", required=True, doc="regular expressions; a named group 'hit' marks the evidence"),
        "case_sensitive": Opt("bool", default=False),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        flags = regex.V1 | (0 if rule.options["case_sensitive"] else regex.IGNORECASE)
        sources = [str(p) for p in rule.options["patterns"]]
        if not sources:
            raise RuleConfigError("'patterns' is empty: the rule could never fire", "patterns")
        self.patterns = Patterns(sources, flags, "patterns")

    def trigger(self) -> Trigger | None:
        if any(lits is None for lits in self.patterns.literals):
            return None
        return Trigger(literals=frozenset().union(*self.patterns.literals))  # type: ignore[arg-type]

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        ev: list[Evidence] = []
        for p, m in self.patterns.finditer(self.rule, msg, ctx.lower(msg)):
            g = "hit" if "hit" in p.groupindex and m.group("hit") is not None else 0
            if m.end(g) > m.start(g):
                ev.append(Evidence(m.group(g), m.start(g), m.end(g), "pattern"))
        if ev:
            yield Hit(ev, "pattern matched: " + ", ".join(dict.fromkeys(e.text for e in ev)))

    def lint(self) -> Iterator[LintIssue]:
        for p in self.patterns.patterns:
            probe = backtracks(p)
            if probe is not None:
                yield LintIssue(f"rule '{self.rule.id}': pattern {p.pattern!r} backtracks catastrophically "
                                f"(timed out on {probe[:12]!r}...); rewrite it without nested repeats")
