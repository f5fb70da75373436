"""Whole-word, case-insensitive term matching shared by every rule type that takes word lists.

A list of terms compiles into small alternations (longest first), grouped by where a term can start (see
Terms). They use the standard `re` module: term patterns are built here from escaped words, so they cannot
backtrack badly and need no time limit, and `re` compiles them ~4x faster than `regex` with full case
folding - which is what a re-scan spends its time on when its new messages wake up unseen terms.

Terms are written the way people write: "tory", "vote", "cost of living", "😂". By default a word term
also matches its common inflections ("vote" -> votes, voted, voting, voter; "party" ->
parties; "stab" -> stabbing). A trailing `*` matches any ending ("politic*"). Curly and straight
apostrophes match each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Generic, TypeVar

import regex

from whatsapp_audit.model import Evidence

V = TypeVar("V")
_APOSTROPHE = "['’]"
_SUFFIXES = rf"(?:s|es|ed|d|ing|er|ers|{_APOSTROPHE}s)?"
TIMEOUT = 0.5  # seconds: any single search; a rule that needs longer is a bug in the rule


def _escape(text: str) -> str:
    """A literal piece of a term; a straight or curly apostrophe stands for either."""
    return "".join(_APOSTROPHE if c in "'’" else re.escape(c) for c in text)


def _word_variants(word: str) -> str:
    """Regex for a single word and its usual English inflections."""
    w = _escape(word)
    alts = [w + _SUFFIXES]
    if len(word) > 2 and word.endswith("e"):
        alts.append(_escape(word[:-1]) + r"(?:ing|ed|er|ers)")
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        alts.append(_escape(word[:-1]) + r"(?:ies|ied)")
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        alts.append(w + _escape(word[-1]) + r"(?:ing|ed|er|ers|y)")
    return "(?:" + "|".join(alts) + ")"


def term_regex(term: str, inflect: bool = True) -> str:
    """Regex source for one term (without the surrounding word boundaries)."""
    t = " ".join(term.strip().split())
    wildcard = t.endswith("*")
    if wildcard:
        t = t[:-1]
    words = t.split(" ")
    parts = [_escape(w) for w in words]
    last = words[-1]
    if wildcard:
        parts[-1] += r"\w*"
    elif inflect and last.isalpha() and len(last) > 2:
        parts[-1] = _word_variants(last)
    return r"[-\s]+".join(parts)


_WORD = re.compile(r"\w+")
_last: tuple[str, dict[str, list[int]]] = ("", {})


def word_index(text: str) -> dict[str, list[int]]:
    """The words of `text` (lower-cased, as `\\w+` splits them) -> where they start. Every rule looks at the
    same message, so the last answer is kept."""
    global _last
    if _last[0] is not text:
        index: dict[str, list[int]] = {}
        for m in _WORD.finditer(text):
            index.setdefault(m.group().lower(), []).append(m.start())
        _last = (text, index)
    return _last[1]


def _stem(word: str) -> str:
    """What every inflection _word_variants(word) allows starts with."""
    if len(word) > 2 and (word.endswith("e") or (word.endswith("y") and word[-2] not in "aeiou")):
        return word[:-1]
    return word


def where_term_starts(term: str, inflect: bool = True) -> tuple[str, str]:
    """Where `term` can match, as (kind, key):

    ("word", w)   - only at a text word that is exactly `w` (lower-cased): a first word followed by more of
                    the term, or a last word that is not inflected;
    ("prefix", p) - only at a text word starting with `p`: an inflected or `*` last word;
    ("char", c)   - only where the character `c` is (terms starting with an emoji or symbol).
    Each is exact for term_regex(term, inflect): never narrower than what the term's regex matches.
    """
    t = " ".join(term.strip().lower().split())
    first = _WORD.match(t)
    if not first or not t[0].isalnum():   # "_x" has no word boundary before it: find it by character
        return "char", t[:1]
    w = first.group()
    rest = t[len(w):]
    if rest == "*":
        return "prefix", w
    if rest:
        return "word", w
    if inflect and w.isalpha() and len(w) > 2:
        return "prefix", _stem(w)
    return "word", w


# Words too common to say anything about a message: never an anchor when the term has another word.
_COMMON = frozenset({"a", "an", "and", "are", "at", "be", "but", "by", "can", "do", "for", "get", "got", "had",
    "has", "have", "he", "her", "him", "his", "i", "if", "in", "is", "it", "its", "me", "my", "no", "not", "of",
    "on", "one", "or", "our", "out", "she", "so", "that", "the", "their", "them", "they", "this", "to", "up", "was",
    "we", "what", "who", "will", "with", "you", "your"})


def term_anchor(term: str, inflect: bool = True) -> tuple[str, str]:
    """The most telling text word that any match of `term` must contain, as where_term_starts' (kind, key).

    Every whole `\\w+` run of a term is a whole word of the matched text (words are joined by spaces or
    hyphens, and the term's ends have word boundaries), so any of them will do; the longest says most
    ("the tories" should wake a rule on "tories", not on every "the").
    """
    t = " ".join(term.strip().lower().split())
    runs = list(_WORD.finditer(t))
    last_word = t.split(" ")[-1]
    best: tuple[str, str] | None = None
    score = (False, 0)
    for i, m in enumerate(runs):
        w = m.group()
        if m.start() == 0 and not t[0].isalnum():
            continue     # "_x": no word boundary before it
        if i < len(runs) - 1 or m.end() < len(t) - (t.endswith("*")):
            cand = ("word", w) if m.end() < len(t) else ("prefix", w)
        elif t.endswith("*") or not t[-1].isalnum():
            cand = ("prefix", w)
        elif inflect and w == last_word and w.isalpha() and len(w) > 2:
            cand = ("prefix", _stem(w))
        else:
            cand = ("word", w)
        mine = (cand[1] not in _COMMON, len(cand[1]))
        if best is None or mine >= score:      # ties: the later word ("the pub" -> "pub")
            best, score = cand, mine
    return best or where_term_starts(term, inflect)


class PrefixIndex(Generic[V]):
    """Prefixes (word stems) -> values, looked up by the words that start with them: one dict lookup per
    word by its first three letters (stems are mostly longer), plus the few shorter ones ("a*")."""

    __slots__ = ("heads", "short")

    def __init__(self, keys: dict[str, V]) -> None:
        self.heads: dict[str, list[tuple[str, V]]] = {}
        self.short: dict[str, V] = {}
        for k, v in keys.items():
            if len(k) >= 3:
                self.heads.setdefault(k[:3], []).append((k, v))
            else:
                self.short[k] = v

    def __bool__(self) -> bool:
        return bool(self.heads or self.short)

    def matching(self, word: str) -> Iterator[tuple[str, V]]:
        """(prefix, value) for every prefix `word` starts with."""
        for prefix, v in self.heads.get(word[:3], ()):
            if word.startswith(prefix):
                yield prefix, v
        if self.short:
            for n in (1, 2):
                v = self.short.get(word[:n])    # type: ignore[assignment]
                if v is not None and len(word) >= n:
                    yield word[:n], v


class Terms:
    """A compiled lexicon, matched only where a term can start.

    A term can only match at a text word that is its first word (or, inflected, starts with its stem), and
    an emoji term only where its first character occurs (where_term_starts). So the terms are grouped by
    that key into small alternations, each compiled the first time it is needed, and tried only at such
    places. Scanning one alternation of a few hundred terms at every position of every message cost ~100x
    more, and compiling it with full case folding took seconds per pack.
    """

    __slots__ = ("_compiled", "anchors", "buckets", "chars", "prefixes", "words")

    def __init__(self, buckets: dict[tuple[str, str], list[str]], anchors: frozenset[tuple[str, str]]) -> None:
        self.buckets = buckets          # (kind, key) -> term regexes, longest first
        self.anchors = anchors          # term_anchor() of every term: what the rules/gate.py indexes
        self.words = frozenset(k for kind, k in buckets if kind == "word")
        self.prefixes = PrefixIndex({k: k for kind, k in buckets if kind == "prefix"})
        self.chars = frozenset(k for kind, k in buckets if kind == "char")
        self._compiled: dict[tuple[str, str], re.Pattern[str]] = {}

    def _pattern(self, key: tuple[str, str]) -> re.Pattern[str]:
        p = self._compiled.get(key)
        if p is None:
            p = self._compiled[key] = compile_term_source("|".join(self.buckets[key]))
        return p

    def _candidates(self, text: str) -> list[tuple[int, tuple[str, str]]]:
        index = word_index(text)
        out = [(pos, ("word", w)) for w in self.words.intersection(index) for pos in index[w]]
        if self.prefixes:
            matching = self.prefixes.matching
            for w, starts in index.items():
                for prefix, _ in matching(w):
                    out.extend((pos, ("prefix", prefix)) for pos in starts)
        for c in self.chars.intersection(text) if self.chars else ():
            pos = text.find(c)
            while pos >= 0:
                out.append((pos, ("char", c)))
                pos = text.find(c, pos + 1)
        out.sort()
        return out

    def finditer(self, text: str, timeout: float | None = None) -> Iterator[Any]:
        """Non-overlapping matches, left to right; where several terms match at one place, the longest.
        (`timeout` keeps the call shape of a `regex` pattern: term patterns cannot run long.)"""
        cands = self._candidates(text) if text else []
        end = -1
        i = 0
        while i < len(cands):
            pos = cands[i][0]
            best = None
            while i < len(cands) and cands[i][0] == pos:
                if pos >= end:
                    m = self._pattern(cands[i][1]).match(text, pos)
                    if m is not None and m.end() > pos and (best is None or m.end() > best.end()):
                        best = m
                i += 1
            if best is not None:
                end = best.end()
                yield best

    def search(self, text: str, timeout: float | None = None) -> Any:
        return next(self.finditer(text), None)

    def sub(self, repl: str, text: str, timeout: float | None = None) -> str:
        out, pos = [], 0
        for m in self.finditer(text):
            out.append(text[pos:m.start()])
            out.append(repl)
            pos = m.end()
        return "".join(out) + text[pos:]


def _both_apostrophes(key: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """A term starting with an apostrophe starts at either kind (term_regex lets either stand for the other)."""
    return (("char", "'"), ("char", "’")) if key in (("char", "'"), ("char", "’")) else (key,)


def term_source(term: str, inflect: bool = True) -> str:
    """Regex source for one term with its word boundaries (where its ends are letters or digits)."""
    core = term.strip().rstrip("*")
    right = r"(?!\w)" if (core[-1:].isalnum() or term.strip().endswith("*")) else ""
    left = r"(?<!\w)" if core[:1].isalnum() else ""
    return f"{left}{term_regex(term, inflect)}{right}"


def compile_term_source(src: str) -> re.Pattern[str]:
    return re.compile(src, re.IGNORECASE)


def compile_terms(terms: Iterable[str], inflect: bool = True) -> Terms | None:
    """Case-insensitive whole-word matching of any of the terms; None for no terms."""
    buckets: dict[tuple[str, str], list[str]] = {}
    anchors: set[tuple[str, str]] = set()
    for term in sorted({t for t in terms if t and t.strip()}, key=len, reverse=True):
        src = term_source(term, inflect)
        for key in _both_apostrophes(where_term_starts(term, inflect)):
            buckets.setdefault(key, []).append(src)
        anchors.update(_both_apostrophes(term_anchor(term, inflect)))
    if not buckets:
        return None
    return Terms(buckets, frozenset(anchors))


def find(pattern: Terms | regex.Pattern[str] | None, text: str, label: str | None = None) -> list[Evidence]:
    """All non-overlapping matches of `pattern` in `text` as evidence spans."""
    if pattern is None or not text:
        return []
    return [Evidence(m.group(), m.start(), m.end(), label)
            for m in pattern.finditer(text, timeout=TIMEOUT)]


def overlaps(a: Evidence, spans: list[Evidence]) -> bool:
    return any(a.start < b.end and b.start < a.end for b in spans)
