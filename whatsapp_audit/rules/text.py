"""Whole-word, case-insensitive term matching shared by every rule type that takes word lists.

A list of terms compiles into ONE alternation (longest first) with the `regex` module, rather than a loop
of patterns. Terms are written the way people write: "tory", "vote", "cost of living", "😂". By default a
word term also matches its common inflections ("vote" -> votes, voted, voting, voter; "party" ->
parties; "stab" -> stabbing). A trailing `*` matches any ending ("politic*"). Curly and straight
apostrophes match each other.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from whatsapp_audit.model import Evidence

_SUFFIXES = r"(?:s|es|ed|d|ing|er|ers|['’]s)?"
TIMEOUT = 0.5  # seconds: any single search; a rule that needs longer is a bug in the rule


def _word_variants(word: str) -> str:
    """Regex for a single word and its usual English inflections."""
    w = regex.escape(word)
    alts = [w + _SUFFIXES]
    if len(word) > 2 and word.endswith("e"):
        alts.append(regex.escape(word[:-1]) + r"(?:ing|ed|er|ers)")
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        alts.append(regex.escape(word[:-1]) + r"(?:ies|ied)")
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        alts.append(w + regex.escape(word[-1]) + r"(?:ing|ed|er|ers|y)")
    return "(?:" + "|".join(alts) + ")"


def term_regex(term: str, inflect: bool = True) -> str:
    """Regex source for one term (without the surrounding word boundaries)."""
    t = " ".join(term.strip().split())
    wildcard = t.endswith("*")
    if wildcard:
        t = t[:-1]
    words = t.split(" ")
    parts = [regex.escape(w) for w in words]
    last = words[-1]
    if wildcard:
        parts[-1] += r"\w*"
    elif inflect and last.isalpha() and len(last) > 2:
        parts[-1] = _word_variants(last)
    src = r"[\s\-]+".join(parts)
    return src.replace("'", "['’]").replace(r"\'", "['’]")


def compile_terms(terms: Iterable[str], inflect: bool = True) -> regex.Pattern[str] | None:
    """One case-insensitive pattern matching any of the terms as whole words; None for no terms."""
    words, others = [], []
    for term in sorted({t for t in terms if t and t.strip()}, key=len, reverse=True):
        src = term_regex(term, inflect)
        core = term.strip().rstrip("*")
        right = r"(?!\w)" if (core[-1:].isalnum() or term.strip().endswith("*")) else ""
        (words if core[:1].isalnum() else others).append(f"{src}{right}")
    if not words and not others:
        return None
    # Terms that start with a letter share one left boundary. Same matches as a boundary per term (a word
    # term and an emoji term never start on the same character), but a lexicon mixing words and emoji
    # ("idiot", "🤡") searches about ten times faster this way.
    alts = ([r"(?<!\w)(?:" + "|".join(words) + ")"] if words else []) + others
    return regex.compile("|".join(alts), regex.IGNORECASE | regex.V1)


def find(pattern: regex.Pattern[str] | None, text: str, label: str | None = None) -> list[Evidence]:
    """All non-overlapping matches of `pattern` in `text` as evidence spans."""
    if pattern is None or not text:
        return []
    return [Evidence(m.group(), m.start(), m.end(), label)
            for m in pattern.finditer(text, timeout=TIMEOUT)]


def overlaps(a: Evidence, spans: list[Evidence]) -> bool:
    return any(a.start < b.end and b.start < a.end for b in spans)
