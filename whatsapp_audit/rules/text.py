"""Whole-word, case-insensitive term matching shared by every rule type that takes word lists.

A list of terms compiles into ONE alternation (longest first) with the `regex` module, rather than a loop
of patterns. Terms are written the way people write: "tory", "vote", "cost of living", "😂". By default a
word term also matches its common inflections ("vote" -> votes, voted, voting, voter; "party" ->
parties; "stab" -> stabbing). A trailing `*` matches any ending ("politic*"). Curly and straight
apostrophes match each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

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


_WORD = re.compile(r"\w+")
_last: tuple[str, dict[str, list[int]]] = ("", {})


def _word_starts(text: str) -> dict[str, list[int]]:
    """Keys of the words of `text` -> where those words start. A word's key is its first three letters
    lower-cased (the whole word when shorter); `*` + its first letter also indexes it, for wildcard terms
    with a stem shorter than three letters. Every rule looks at the same message, so the last answer is kept.
    """
    global _last
    if _last[0] is not text:
        index: dict[str, list[int]] = {}
        for m in _WORD.finditer(text):
            w = m.group()[:3].lower()
            index.setdefault(w, []).append(m.start())
            index.setdefault("*" + w[0], []).append(m.start())
        _last = (text, index)
    return _last[1]


class Terms:
    """A compiled lexicon, matched only where a term can start.

    A whole-word term can only match at the start of a word that begins like the term's first word, and an
    emoji term only where its first character occurs. So the terms are grouped by those first letters
    (or character) into small alternations, each compiled the first time it is needed, and tried only at
    such places. Scanning one alternation of a few hundred terms at every position of every message cost
    ~100x more, and compiling it with full case folding took seconds per pack.
    """

    __slots__ = ("_compiled", "buckets", "chars", "words")

    def __init__(self, buckets: dict[str, list[str]], chars: frozenset[str]) -> None:
        self.buckets = buckets          # key (first 1-3 letters, or a character) -> term regexes, longest first
        self.chars = chars              # keys that are characters (emoji, symbols)
        self.words = frozenset(buckets) - chars
        self._compiled: dict[str, regex.Pattern[str]] = {}

    def _pattern(self, key: str) -> regex.Pattern[str]:
        p = self._compiled.get(key)
        if p is None:
            p = self._compiled[key] = regex.compile("|".join(self.buckets[key]), regex.IGNORECASE | regex.V1)
        return p

    def _candidates(self, text: str) -> list[tuple[int, str]]:
        index = _word_starts(text)
        out = [(pos, k) for k in self.words.intersection(index) for pos in index[k]]
        for c in self.chars:
            pos = text.find(c)
            while pos >= 0:
                out.append((pos, c))
                pos = text.find(c, pos + 1)
        out.sort()
        return out

    def finditer(self, text: str, timeout: float = TIMEOUT) -> Iterator[Any]:
        """Non-overlapping matches, left to right; where several terms match at one place, the longest."""
        cands = self._candidates(text) if text else []
        end = -1
        i = 0
        while i < len(cands):
            pos = cands[i][0]
            best = None
            while i < len(cands) and cands[i][0] == pos:
                if pos >= end:
                    m = self._pattern(cands[i][1]).match(text, pos, timeout=timeout)
                    if m is not None and m.end() > pos and (best is None or m.end() > best.end()):
                        best = m
                i += 1
            if best is not None:
                end = best.end()
                yield best

    def search(self, text: str, timeout: float = TIMEOUT) -> Any:
        return next(self.finditer(text, timeout), None)

    def sub(self, repl: str, text: str, timeout: float = TIMEOUT) -> str:
        out, pos = [], 0
        for m in self.finditer(text, timeout):
            out.append(text[pos:m.start()])
            out.append(repl)
            pos = m.end()
        return "".join(out) + text[pos:]


def _key(term: str) -> str:
    """Where `term` can start: its first word's key (see _word_starts), or its first character.

    A first word shorter than three letters must be the whole text word ("a joke" starts at "a", not at
    "anyone"): only the last word of a term is inflected, and then only when it has three letters or more.
    """
    t = term.strip().lower()
    first = _WORD.match(t)
    if not first:
        return t[:1]
    w = first.group()
    if len(w) < 3 and t[len(w):len(w) + 1] == "*":
        return "*" + w[0]
    return w[:3]


def compile_terms(terms: Iterable[str], inflect: bool = True) -> Terms | None:
    """Case-insensitive whole-word matching of any of the terms; None for no terms."""
    buckets: dict[str, list[str]] = {}
    chars: set[str] = set()
    for term in sorted({t for t in terms if t and t.strip()}, key=len, reverse=True):
        src = term_regex(term, inflect)
        core = term.strip().rstrip("*")
        right = r"(?!\w)" if (core[-1:].isalnum() or term.strip().endswith("*")) else ""
        left = r"(?<!\w)" if core[:1].isalnum() else ""
        key = _key(term)
        if not _WORD.match(key) and not key.startswith("*"):
            chars.add(key)
        buckets.setdefault(key, []).append(f"{left}{src}{right}")
    if not buckets:
        return None
    return Terms(buckets, frozenset(chars))


def find(pattern: Terms | regex.Pattern[str] | None, text: str, label: str | None = None) -> list[Evidence]:
    """All non-overlapping matches of `pattern` in `text` as evidence spans."""
    if pattern is None or not text:
        return []
    return [Evidence(m.group(), m.start(), m.end(), label)
            for m in pattern.finditer(text, timeout=TIMEOUT)]


def overlaps(a: Evidence, spans: list[Evidence]) -> bool:
    return any(a.start < b.end and b.start < a.end for b in spans)
