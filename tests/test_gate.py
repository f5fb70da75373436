"""The gate (rules/gate.py) and the term index (rules/text.py) may skip work but never a match.

Each check compares against the plain way: one regex per term searched over the whole text, or the
engine with every rule always run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whatsapp_audit.parse import open_chat
from whatsapp_audit.roster.load import load_group
from whatsapp_audit.rules.engine import Engine
from whatsapp_audit.rules.gate import Gate, Trigger
from whatsapp_audit.rules.interface import Context
from whatsapp_audit.rules.pack import load_pack
from whatsapp_audit.rules.text import compile_term_source, compile_terms, term_anchor, term_source, where_term_starts

ROOT = Path(__file__).resolve().parent.parent
PACK = load_pack([])


def naive(term: str, inflect: bool = True) -> re.Pattern[str]:
    """A term the slow way: its regex with word boundaries, searched everywhere."""
    return compile_term_source(term_source(term, inflect))


def pack_terms() -> list[tuple[str, str, bool]]:
    out = []
    for rule in PACK.rules:
        for key in ("terms", "cues"):
            for t in rule.options.get(key) or []:
                out.append((rule.id, str(t), bool(rule.options.get("inflect", True))))
    return out


def forms(term: str) -> list[str]:
    """Ways people write a term: cases, inflections, curly apostrophes, hyphens for spaces."""
    t = term.rstrip("*")
    base = [t, t.upper(), t.title(), t.replace("'", "’"), t.replace(" ", "-"), t.replace(" ", "  ")]
    if t[-1:].isalpha():
        base += [t + s for s in ("s", "es", "ed", "d", "ing", "er", "'s", t[-1] + "ing")]
        base += [t[:-1] + s for s in ("ing", "ies", "ied", "ed")]
    return base


TERMS = pack_terms()


@pytest.mark.parametrize(("rule_id", "term", "inflect"), TERMS, ids=[f"{r}:{t}" for r, t, _ in TERMS])
def test_every_pack_term_is_found_wherever_its_regex_matches(rule_id, term, inflect):
    terms = compile_terms([term], inflect)
    gate = Gate([Trigger.of_terms(terms)])
    slow = naive(term, inflect)
    for form in forms(term):
        for text in (form, f"well, {form}!", f"({form}) and more", f"x{form}", f"so {form}y"):
            want = [m.span() for m in slow.finditer(text)]
            got = [m.span() for m in terms.finditer(text)]
            assert got == want, (term, text)
            if want:
                assert gate.open(text, text.lower()) == {0}, (term, text)


@pytest.mark.parametrize(("term", "start", "anchor"), [
    ("vote", ("prefix", "vot"), ("prefix", "vot")),
    ("party", ("prefix", "part"), ("prefix", "part")),
    ("the tories", ("word", "the"), ("prefix", "tories")),
    ("the tory", ("word", "the"), ("prefix", "tor")),
    ("the pub", ("word", "the"), ("prefix", "pub")),
    ("politic*", ("prefix", "politic"), ("prefix", "politic")),
    ("don't care", ("word", "don"), ("prefix", "car")),
    ("x-ray", ("word", "x"), ("word", "ray")),
    ("😂", ("char", "😂"), ("char", "😂")),
    ("#blessed", ("char", "#"), ("word", "blessed")),
    ("lol", ("prefix", "lol"), ("prefix", "lol")),
    ("ok", ("word", "ok"), ("word", "ok")),
])
def test_where_a_term_starts_and_what_wakes_it(term, start, anchor):
    assert where_term_starts(term) == start
    assert term_anchor(term) == anchor


TRICKY = ["vote", "the tories", "don't care", "politic*", "x-ray", "😂", "#blessed", "a joke", "lol", "go back",
          "mum's", "cost of living", "hit him", "ffs"]
ALPHABET = ["vote", "voting", "voted", "the", "tories", "tory", "don", "'", "’", "t", "care", "cared", "politics",
            "x", "-", "ray", " ", "  ", ",", "😂", "#", "blessed", "a", "joke", "jokes", "lol", "LOL", "go", "back",
            "mum", "s", "cost", "of", "living", "hit", "him", "ffs", "_", "é", "\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET), max_size=14).map("".join))
def test_tricky_terms_match_like_their_plain_regexes(text):
    terms = compile_terms(TRICKY)
    gate = Gate([Trigger.of_terms(terms)])
    slow = [naive(t) for t in TRICKY]
    anywhere = any(p.search(text) for p in slow)
    assert (terms.search(text) is not None) == anywhere
    if anywhere:
        assert gate.open(text, text.lower()) == {0}


def scan(engine: Engine, path: Path) -> list[tuple]:
    with open_chat(str(path)) as chat:
        return [(f.rule, f.category, f.message.index if f.message else None, [(e.start, e.end) for e in f.evidence])
                for f in engine.scan(chat.messages())]


@pytest.mark.parametrize("chat", ["year4-oak-android.txt", "year4-oak-ios.txt"])
def test_gated_engine_finds_exactly_what_running_every_rule_finds(chat):
    group = load_group(str(ROOT / "examples" / "group.yaml"))
    gated = Engine(PACK, Context(group=group, use_ner=False))
    everything = Engine(PACK, Context(group=group, use_ner=False))
    everything.gate = Gate([None] * len(everything.active))
    got = scan(gated, ROOT / "examples" / chat)
    assert got == scan(everything, ROOT / "examples" / chat)
    assert got   # the example chat has findings: the comparison means something


def test_short_wildcards_and_literals_still_open_their_rules():
    gate = Gate([Trigger(prefixes=frozenset({"a"})), Trigger(prefixes=frozenset({"jo"})),
                 Trigger(literals=frozenset({"x"})), Trigger(literals=frozenset({"@ex"})), None])
    assert gate.open("Apples", "apples") == {0, 4}
    assert gate.open("jolly", "jolly") == {1, 4}
    assert gate.open("box", "box") == {2, 4}
    assert gate.open("me@example.com", "me@example.com") == {2, 3, 4}
    assert gate.open("", "") == {4}
