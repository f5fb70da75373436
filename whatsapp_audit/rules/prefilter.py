"""Literal pre-checks for regular expressions: skip a pattern when the text cannot possibly match.

Parses a pattern (with the standard library's regex parser) and works out a set of literal strings at
least one of which every match must contain (lower-cased), in the spirit of RE2's prefilters. A pattern
is searched only when the lower-cased text contains one of them: a substring test is ~100x cheaper than
running a large alternation over every position of every message. When the pattern uses syntax the
parser does not know, or nothing literal is required, there is no pre-check and the pattern always runs.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

try:  # Python 3.11+: the parser moved under re.
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as parser  # type: ignore[no-redef]

Need = frozenset[str] | None

_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}


def _score(need: frozenset[str]) -> int:
    return min(len(s) for s in need)


def _seq(items: Any) -> Need:
    """What a sequence requires: its most selective required part."""
    found: list[frozenset[str]] = []
    run = ""

    def flush() -> None:
        nonlocal run
        if run:
            found.append(frozenset({run}))
            run = ""

    for op, av in items:
        if op is C.LITERAL:
            ch = chr(av)
            if ch.isalpha() and not ch.isascii():
                flush()          # Unicode case folding is beyond a lower() comparison: don't rely on it
                continue
            run += ch.lower()
            continue
        flush()
        need: Need = None
        if op is C.SUBPATTERN:
            need = _seq(av[-1])
        elif op is C.BRANCH:
            alts = [_seq(b) for b in av[1]]
            if alts and all(a for a in alts):
                need = frozenset().union(*alts)  # type: ignore[arg-type]
        elif op in _REPEATS:
            lo, _hi, item = av
            if lo >= 1:
                need = _seq(item)
        elif op is getattr(C, "ATOMIC_GROUP", None):
            need = _seq(av)
        if need:
            found.append(need)
    flush()
    return max(found, key=_score) if found else None


def required_literals(pattern: str) -> frozenset[str] | None:
    """Lower-case strings one of which every match of `pattern` contains; None when unknown."""
    try:
        with warnings.catch_warnings():
            # re warns where `regex` (V1) reads a set differently ("[[a-z]--[aeiou]]"): no pre-check then.
            warnings.simplefilter("error")
            tree = parser.parse(pattern)
    except Exception:  # `regex`-only syntax (\p{..}, \m, nested sets): no pre-check
        return None
    need = _seq(tree)
    if not need or _score(need) < 2:
        return None  # single characters filter almost nothing
    return need


def literal_test(literals: frozenset[str] | None) -> re.Pattern[str] | None:
    """One plain `re` alternation of the literals (C speed, no Python loop per literal); None: no test."""
    if literals is None:
        return None
    return re.compile("|".join(re.escape(s) for s in sorted(literals, key=len, reverse=True)))


# Strings that make badly written patterns backtrack for ages ("^(a|aa)+$" and friends).
ADVERSARIAL = ["a" * 40 + "!", "1" * 40 + "x", " " * 40 + "x", "ab" * 30 + "!", "😂" * 40 + "x"]
# ... and long runs: the `regex` module gets through short ones of patterns that are only polynomially slow
# ("(a+)+$" takes 1 ms on 40 characters but seconds on 1,000, a length a chat message easily has).
ADVERSARIAL += [s[:-1] * 50 + s[-1] for s in ADVERSARIAL]


def backtracks(pattern: Any, limit: float = 0.2) -> str | None:
    """The probe string on which a compiled `regex` pattern times out, or None: generic probes plus long
    runs of each literal character the pattern mentions."""
    own = [c * n + "\u0000" for c in list(dict.fromkeys(pattern.pattern))[:40] if c.isalnum() for n in (40, 2000)][:40]
    for s in ADVERSARIAL + own:
        try:
            pattern.search(s, timeout=limit)
        except TimeoutError:
            return s
    return None
