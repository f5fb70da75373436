"""Invisible characters WhatsApp puts into exports, and their removal from authors and text.

iOS marks lines and placeholders with U+200E (LEFT-TO-RIGHT MARK) and wraps phone numbers in U+202A/U+202C;
US locales put U+202F (narrow no-break space) before AM/PM. The contract wants them gone from `author` and
`text`: direction marks and BOMs are dropped, the two no-break spaces become plain spaces.
"""

from __future__ import annotations

import re

LRM = "\u200e"
# Anything clean() would change, as the inside of a character class (the parser's header pattern uses it too).
INVISIBLE_CHARS = "\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u202f\u00a0"
INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
_DROP = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")


def clean(s: str) -> str:
    s = _DROP.sub("", s)
    if "\u202f" in s:
        s = s.replace("\u202f", " ")
    if "\xa0" in s:
        s = s.replace("\xa0", " ")
    return s
