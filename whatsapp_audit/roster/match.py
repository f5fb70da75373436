"""Matching people against the roster: sender names, phone numbers in any spacing, staff names with titles.

The export shows a sender as the saved contact name or, for an unsaved contact, as the phone number
("+44 7700 900123", "07700 900123", "+447700900123" are the same person). Names compare case- and
accent-insensitively with WhatsApp's invisible direction marks and extra spaces removed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from whatsapp_audit.roster.group import Group, Investigation, Member

_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad]")
_PHONE_CHARS = re.compile(r"[\d\s().+\-\u00a0]+")
TITLES = ("mr", "mrs", "miss", "ms", "mx", "dr", "sir", "prof")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a word or name: 'Ciarán' -> 'ciaran'."""
    t = unicodedata.normalize("NFKD", text)
    return "".join(c for c in t if not unicodedata.combining(c)).casefold()


def norm_name(name: str) -> str:
    """A sender or roster name in comparable form ('  Jane  SMITH\u200e' -> 'jane smith')."""
    return " ".join(fold(_MARKS.sub("", name)).split())


def norm_phone(text: str) -> str | None:
    """A phone number as bare digits in national form ('+44 (0)7700 900123' -> '07700900123'), or None
    when the text is not (only) a phone number."""
    t = _MARKS.sub("", text).strip()
    if not t or not _PHONE_CHARS.fullmatch(t):
        return None
    t = t.replace("(0)", "")
    digits = re.sub(r"\D", "", t)
    if t.lstrip().startswith("+"):
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        else:
            return "+" + digits if 8 <= len(digits) <= 15 else None
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    return digits if 9 <= len(digits) <= 15 else None


def name_words(name: str) -> list[str]:
    """The alphabetic words of a name, folded ('Mrs O'Neill-Brown' -> ['mrs', "o'neill-brown"])."""
    return [w for w in re.findall(r"[^\W\d_][\w'’\-]*", norm_name(name)) if w]


@dataclass(slots=True)
class RosterIndex:
    """Lookups built once from a Group: who a sender is, which words are members' or staff names."""

    group: Group
    by_name: dict[str, Member] = field(default_factory=dict)
    by_phone: dict[str, Member] = field(default_factory=dict)
    member_words: set[str] = field(default_factory=set)    # first names and surnames of members
    staff_words: set[str] = field(default_factory=set)     # staff surnames / names, folded
    staff_initials: set[str] = field(default_factory=set)  # first letters of titled staff surnames ("Mr O")
    pupils: dict[str, str] = field(default_factory=dict)   # folded first word -> as written
    group_words: set[str] = field(default_factory=set)     # words of the group's name ("Willow", "Oak")
    _cache: dict[str, Member | None] = field(default_factory=dict)

    @classmethod
    def build(cls, group: Group | None) -> RosterIndex:
        idx = cls(group or Group())
        g = idx.group
        for m in g.members:
            idx.by_name.setdefault(norm_name(m.name), m)
            for p in (m.phone, m.name):
                ph = norm_phone(p) if p else None
                if ph:
                    idx.by_phone.setdefault(ph, m)
            if norm_phone(m.name) is None:
                idx.member_words.update(w for w in name_words(m.name) if w not in TITLES)
        for s in g.staff:
            words = name_words(s)
            titled = bool(words) and words[0].rstrip(".") in TITLES
            rest = [w for w in words if w.rstrip(".") not in TITLES]
            idx.staff_words.update(rest)
            if titled and rest:
                idx.staff_initials.add(rest[-1][0])
        for p in g.pupils:
            words = name_words(p)
            if words:
                idx.pupils.setdefault(words[0], p.strip())
        idx.group_words = {w for w in name_words(g.name) if len(w) > 2 and not w.isdigit()}
        return idx

    def member(self, sender: str | None) -> Member | None:
        """The roster member a sender (name or number as the export shows it) is, or None."""
        if not sender:
            return None
        if sender in self._cache:
            return self._cache[sender]
        m = self.by_name.get(norm_name(sender))
        if m is None:
            ph = norm_phone(sender)
            m = self.by_phone.get(ph) if ph else None
        if len(self._cache) < 10_000:
            self._cache[sender] = m
        return m

    def is_party(self, inv: Investigation, sender: str | None) -> bool:
        """Whether the sender is one of the investigation's parties (by name, or by the party's phone)."""
        if not sender:
            return False
        who = self.member(sender)
        key, ph = norm_name(sender), norm_phone(sender)
        for party in inv.parties:
            if norm_name(party) == key:
                return True
            pph = norm_phone(party)
            if pph and ph and pph == ph:
                return True
            pm = self.by_name.get(norm_name(party))
            if pm is not None and who is pm:
                return True
        return False


def active(inv: Investigation, day: date) -> bool:
    """Whether an investigation is in progress on a day (opened and closed inclusive; open-ended)."""
    return inv.opened <= day and (inv.closed is None or day <= inv.closed)
