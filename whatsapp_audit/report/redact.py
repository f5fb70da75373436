"""`report --redact`: one replacement map per report, applied to every piece of chat text shown.

The map comes from (a) the roster's pupils (any case, possessive kept: "Sophie's" -> "[child]'s"), (b) the
evidence of `personal-names` / `personal-details` findings, by their `Evidence.label` (see LABELS), and
(c) patterns that catch phone numbers, e-mail addresses and UK postcodes / street addresses anywhere.
Text is rewritten once per message and evidence offsets are mapped onto the new text, so highlighting
survives: an evidence span over "Jack" becomes a span over "[child]".

Member names stay (they are who the report is about), except authors shown as a phone number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.results import ChatInfo, ScanResult

CHILD, NAME, PHONE, EMAIL, ADDRESS, DETAIL = "[child]", "[name]", "[phone]", "[email]", "[address]", "[detail]"
PLACEHOLDERS = (CHILD, NAME, PHONE, EMAIL, ADDRESS, DETAIL)

# Evidence.label convention of the personal-names / personal-details rules.
LABELS = {"pupil": CHILD, "child": CHILD, "name": NAME, "person": NAME, "phone": PHONE, "email": EMAIL,
          "address": ADDRESS, "postcode": ADDRESS, "dob": DETAIL, "health": DETAIL}
# What evidence with an unknown label becomes, per category.
DEFAULT_FOR = {"personal-names": NAME, "personal-details": DETAIL}

EMAIL_RE = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
# A run of digits with the usual separators; _is_phone() decides whether it really looks like a number.
PHONE_RE = r"(?<![\w+])(?:\+|\(\+?)?\d[\d ().\-\u00a0]{6,20}\d(?![\w])"
POSTCODE_RE = r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b"
STREET_RE = (r"\b\d{1,4}[a-zA-Z]?,? (?:[A-Z][\w'’-]+ ){1,3}"
             r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Way|Crescent|Gardens|Court|Place|"
             r"Terrace|Grove|Hill|Walk|Mews|Square|Rise|Park|View)\b\.?")
_NANP = re.compile(r"\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}")


def _is_phone(s: str) -> bool:
    digits = sum(c.isdigit() for c in s)
    if not 9 <= digits <= 15:
        return False
    lead = s.lstrip("(")
    return lead.startswith(("+", "0")) or bool(_NANP.fullmatch(s))


def is_phone(s: str) -> bool:
    """True when the whole string is a phone number (an unsaved contact shown by its number)."""
    s = s.strip().strip("\u202a\u202c\u200e\u200f")
    return bool(re.fullmatch(PHONE_RE, s)) and _is_phone(s)


@dataclass(slots=True)
class Redacted:
    """A text after redaction, with the map from old offsets to new ones."""

    text: str
    spans: list[tuple[int, int, int, int]]   # (old_start, old_end, new_start, new_end) of each replacement

    def start(self, pos: int) -> int:
        return self._map(pos, end=False)

    def end(self, pos: int) -> int:
        return self._map(pos, end=True)

    def _map(self, pos: int, end: bool) -> int:
        shift = 0
        for os_, oe, ns, ne in self.spans:
            if pos < os_ or (end and pos == os_):
                break
            if pos < oe or (not end and pos == os_):
                return ne if end else ns
            shift = ne - oe
        return pos + shift

    def evidence(self, ev: Iterable[Evidence]) -> list[Evidence]:
        out = []
        for e in ev:
            s, t = self.start(e.start), self.end(e.end)
            out.append(Evidence(self.text[s:t], s, t, e.label))
        return out


class Redactor:
    """Replaces children's and third-party names, phone numbers, e-mails and addresses with placeholders."""

    def __init__(self, terms: dict[str, str], keep: Iterable[str] = ()) -> None:
        self.terms = {k.casefold(): v for k, v in terms.items() if len(k.strip()) >= 2}
        keep_set = {k.casefold() for k in keep if k.strip()} - set(self.terms)
        self.keep = keep_set
        words = sorted({*self.terms, *keep_set}, key=len, reverse=True)
        names = "|".join(re.escape(w) for w in words)
        # Order matters where two start at the same place: a whole e-mail address beats a name inside it.
        parts = [rf"(?P<email>{EMAIL_RE})", rf"(?P<phone>{PHONE_RE})", rf"(?P<street>{STREET_RE})",
                 rf"(?P<postcode>{POSTCODE_RE})"]
        if names:
            parts.insert(1, rf"(?P<term>(?<!\w)(?i:{names})(?!\w))")
        self.pattern = re.compile("|".join(parts))
        self._authors: dict[str, str] = {}

    @classmethod
    def for_result(cls, result: ScanResult, pupils: Iterable[str] = (), keep: Iterable[str] = ()) -> Redactor:
        """The map for one report: roster pupils, plus the evidence of the names / details findings.
        Members' own names (senders and roster) are never taken from evidence: they stay readable."""
        members = {m.strip().casefold() for m in [*result.chat.members, *result.roster] if not is_phone(m)}
        terms: dict[str, str] = {}
        for f in result.findings:
            default = DEFAULT_FOR.get(f.category)
            if default is None:
                continue
            for e in f.evidence:
                label = (e.label or "").lower()
                text = e.text.strip()
                if label == "context" or text.casefold() in members:
                    continue
                terms.setdefault(text, LABELS.get(label, default))
        for p in pupils:
            terms[p.strip()] = CHILD    # "Sophie's": the name is matched, the possessive stays
        keep_all = {*keep, *(m for m in [*result.chat.members, *result.roster] if not is_phone(m))}
        return cls(terms, keep_all)

    def _sub(self, m: re.Match[str]) -> str:
        kind = m.lastgroup
        s = m.group()
        if kind == "term":
            return self.terms.get(s.casefold(), s)   # a kept name (a member's own) maps to itself
        if kind == "email":
            return EMAIL
        if kind == "phone":
            return PHONE if _is_phone(s) else s
        return ADDRESS

    def redact(self, text: str) -> Redacted:
        out: list[str] = []
        spans: list[tuple[int, int, int, int]] = []
        pos = 0
        length = 0
        for m in self.pattern.finditer(text):
            new = self._sub(m)
            if new == m.group():
                continue
            chunk = text[pos:m.start()]
            out.append(chunk)
            length += len(chunk)
            spans.append((m.start(), m.end(), length, length + len(new)))
            out.append(new)
            length += len(new)
            pos = m.end()
        out.append(text[pos:])
        return Redacted("".join(out), spans)

    def text(self, text: str) -> str:
        return self.redact(text).text

    def author(self, name: str | None) -> str | None:
        """Members keep their names; one shown as a phone number becomes [phone] ([phone 1], [phone 2], ...
        when several are, so the summary still tells them apart)."""
        if name is None or not is_phone(name):
            return name
        return self._authors.get(name, PHONE)

    def number_authors(self, names: Iterable[str]) -> None:
        phones = list(dict.fromkeys(n for n in names if is_phone(n)))
        if len(phones) > 1:
            self._authors = {p: f"[phone {i}]" for i, p in enumerate(phones, 1)}


def redactor_for(result: ScanResult, pupils: Iterable[str] = (), keep: Iterable[str] = ()) -> Redactor:
    """The one replacement map of a report, from the whole result (before any --member/--since filter,
    so a name flagged anywhere is hidden everywhere it is shown)."""
    r = Redactor.for_result(result, pupils, keep)
    r.number_authors([*result.chat.members, *result.roster, *(f.member for f in result.findings if f.member)])
    return r


def redact_result(result: ScanResult, r: Redactor) -> ScanResult:
    """A copy of `result` with every piece of chat text redacted and evidence offsets remapped."""
    done: dict[int, tuple[Message, Redacted]] = {}

    def message(m: Message) -> tuple[Message, Redacted]:
        if m.index not in done:
            red = r.redact(m.text)
            new = replace(m, text=red.text, author=r.author(m.author),
                          actor=r.author(m.actor) if m.actor else m.actor,
                          target=r.author(m.target) if m.target else m.target)
            done[m.index] = (new, red)
        return done[m.index]

    findings = []
    for f in result.findings:
        if f.message is None:
            msg, ev = None, [replace(e, text=r.text(e.text)) for e in f.evidence]
        else:
            msg, red = message(f.message)
            ev = red.evidence(f.evidence)
        findings.append(replace(f, message=msg, evidence=ev, explanation=r.text(f.explanation),
                                subject=r.author(f.subject)))
    context = {i: message(m)[0] for i, m in result.context.items()}
    chat: ChatInfo = replace(result.chat, members=_unique(r.author(m) or m for m in result.chat.members))
    return replace(result, chat=chat, findings=findings, context=context,
                   roster=_unique(r.author(m) or m for m in result.roster),
                   notes=[r.text(n) for n in result.notes])


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))

