"""`type: details` - personal details: phone numbers, e-mail addresses, postcodes and street addresses, dates
of birth, vehicle registrations, shared contact cards, and health or medical details about an identifiable
person (a diagnosis, allergy, medication or hospital stay next to a name, a pronoun or "my son").

Evidence labels: `phone`, `email`, `address` (street address, residence or postcode), `dob`, `health`,
`vehicle`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import regex

from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.nlp import details as dt
from whatsapp_audit.nlp.names import NameFinder, People, is_word, lexicon, part_of_a_place, tokenize
from whatsapp_audit.roster.presence import presence, roster_index
from whatsapp_audit.rules.interface import Context, Hit, LintIssue, Opt, Rule, RuleConfigError, RuleType
from whatsapp_audit.rules.prefilter import backtracks
from whatsapp_audit.rules.text import compile_terms, find
from whatsapp_audit.rules.types.regex_rule import Patterns

DETECTORS: dict[str, tuple[str, Callable[[str], list[dt.Span]], str]] = {
    "phone": ("phone", dt.phones, "phone number"),
    "email": ("email", dt.emails, "e-mail address"),
    "postcode": ("address", dt.postcodes, "postcode"),
    "address": ("address", dt.addresses, "street address"),
    "dob": ("dob", dt.dates_of_birth, "date of birth"),
    "vehicle": ("vehicle", dt.vehicles, "vehicle registration"),
}
CHOICES = (*DETECTORS, "health", "contact-card")
PERSON_WORDS = ["he", "she", "him", "her", "his", "hers", "he's", "she's", "mine", "ours", "i'm", "i am", "i've",
                "i have been", "my son", "my daughter", "my boy", "my girl", "my little one", "my eldest",
                "my youngest", "my husband", "my wife", "my partner", "my mum", "my dad", "our son",
                "our daughter", "our boy", "our girl", "our little one", "my kid", "my child"]


# office@school.example.com is the school's, not a person's: sharing it is what the policy asks parents to do.
ORGANISATION_EMAILS = ["office", "admin", "info", "enquiries", "enquiry", "reception", "head", "headteacher",
                       "school", "pta", "bursar", "finance", "attendance", "safeguarding", "senco", "sendco",
                       "contact", "hello", "clerk", "governors"]


class DetailsRule(RuleType):
    type = "details"
    description = "fires on personal details: phone, e-mail, address, postcode, date of birth, health details"
    options = {
        "detect": Opt("strs", required=True, doc="any of: " + ", ".join(CHOICES)),
        "health_terms": Opt("strs", default=[], doc="health: diagnoses, conditions, medication, treatment"),
        "health_patterns": Opt("strs", default=[], doc="health: regular expressions (e.g. 'broke (his|her) arm')"),
        "person_words": Opt("strs", default=PERSON_WORDS,
                            doc="health: words that point at a person (besides names)"),
        "organisation_emails": Opt("strs", default=ORGANISATION_EMAILS,
                                   doc="email: the part before @ of addresses that belong to an office, not a person"),
        "require_person": Opt("bool", default=True,
                              doc="health: only about an identifiable person (a name, pronoun, 'my son')"),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        o = rule.options
        self.detect = [str(d) for d in o["detect"]]
        bad = [d for d in self.detect if d not in CHOICES]
        if bad or not self.detect:
            raise RuleConfigError(f"'detect' must list some of: {', '.join(CHOICES)} (got {', '.join(bad) or '[]'})",
                                  "detect")
        terms = [str(t) for t in o["health_terms"]]
        self.health = compile_terms(terms)
        self.health_patterns = Patterns([str(p) for p in o["health_patterns"]], regex.V1 | regex.I, "health_patterns")
        if "health" in self.detect and self.health is None and not self.health_patterns:
            raise RuleConfigError("'health' needs 'health_terms' or 'health_patterns'", "health_terms")
        self.person = compile_terms([str(t) for t in o["person_words"]], inflect=False)
        self.require_person = bool(o["require_person"])
        self.org_emails = frozenset(str(x).lower() for x in o["organisation_emails"])
        self._names: NameFinder | None = None

    def _organisation(self, email: str) -> bool:
        """An office's address: "office@", and also "stjudes.office@" (the last part of the name before @,
        split at dots, dashes and underscores; "office.mum@" is a person's)."""
        local = email.split("@", 1)[0].lower()
        return local in self.org_emails or re.split(r"[._-]", local)[-1] in self.org_emails

    def _person(self, msg: Message, ctx: Context) -> str | None:
        """What makes the person identifiable: a pronoun / 'my son', or a name (roster or text), else None."""
        words = find(self.person, msg.text)
        if words:
            return f"'{words[0].text}'"
        idx = roster_index(ctx)
        seen = presence(ctx).words_before(msg.index)
        people = People(pupils=idx.pupils, members=idx.member_words | seen, staff=idx.staff_words,
                        staff_initials=idx.staff_initials, group_words=idx.group_words, has_staff=bool(idx.group.staff))
        toks = tokenize(msg.text)
        for i, t in enumerate(toks):
            if not t.cap or part_of_a_place(msg.text, toks, i):      # "St Jude's", "Oak Road"
                continue
            if not t.initial and (t.low in people.members or t.low in people.staff):
                return t.text
            if t.poss and not t.upper and (t.low in lexicon().names or not is_word(t.low)):
                return t.text
        if self._names is None:
            self._names = NameFinder()
        hits = self._names.find(msg.text, people)
        return hits[0].text if hits else None

    def _health(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        ev = find(self.health, msg.text, "health")
        for _, m in self.health_patterns.finditer(self.rule, msg, ctx.lower(msg)):
            if m.end() > m.start() and not any(e.start < m.end() and m.start() < e.end for e in ev):
                ev.append(Evidence(m.group(), m.start(), m.end(), "health"))
        if not ev:
            return
        who = self._person(msg, ctx) if self.require_person else "someone"
        if who is None:
            return
        ev.sort(key=lambda e: e.start)
        terms = ", ".join(dict.fromkeys(e.text for e in ev))
        yield Hit(ev, f"health detail ({terms}) about an identifiable person ({who})")

    def prepare(self, batch: list[Message], ctx: Context) -> None:
        if "health" in self.detect:
            presence(ctx).see(batch, roster_index(ctx))

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if "contact-card" in self.detect and msg.kind == "contact":
            name = msg.text.removesuffix("(file attached)").strip().removesuffix(".vcf").strip()
            if name.lower().startswith(("contact card omitted", "kontaktkarte weggelassen")):
                name = ""
            ev = [Evidence(msg.text[: len(name)], 0, len(name), "name")] if name else []
            yield Hit(ev, "a contact card shares someone's phone number" + (f" ({name})" if name else ""))
            return
        if not msg.text:
            return
        ev: list[Evidence] = []
        kinds: list[str] = []
        for d in self.detect:
            if d not in DETECTORS:
                continue
            label, fn, what = DETECTORS[d]
            found = [Evidence(t, s, e, label) for s, e, t in fn(msg.text)
                     if not (label == "email" and self._organisation(t))]
            found = [x for x in found if not any(x.start < y.end and y.start < x.end for y in ev)]
            if found:
                ev.extend(found)
                kinds.append(what)
        if ev:
            ev.sort(key=lambda e: e.start)
            yield Hit(ev, ", ".join(kinds) + ": " + ", ".join(dict.fromkeys(e.text for e in ev)))
        if "health" in self.detect:
            yield from self._health(msg, ctx)

    def lint(self) -> Iterator[LintIssue]:
        for p in self.health_patterns.patterns:
            if backtracks(p) is not None:
                yield LintIssue(f"rule '{self.rule.id}': health pattern {p.pattern!r} backtracks "
                                f"catastrophically; rewrite it without nested repeats")
