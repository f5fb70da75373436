"""Finding people's names in chat text: roster pupils, name contexts, titles, a given-name list and spaCy NER.

spaCy's small English model alone is weak on parents' chat (lower-case names, names that are also words,
Irish/Polish/Nigerian/South Asian names), so the finder combines cues, cheapest first:

1. the roster: listed pupils in any case ("jack", "Aarav's"); members' and staff names are never breaches;
2. titles: "Mrs Diver" / "Mr O" are staff when the roster says so, otherwise a third party's name;
3. name contexts: "my son X", "X's mum", "well done X", "called X", "X says" ...;
4. a compact list of common given names shipped with the tool (data/given_names.yaml);
5. spaCy PERSON entities, run only on messages with a capitalised word none of the above explains.

Names that are also everyday words (Grace, Hope, Will, May, Rose, Bill, Faith, Summer...) count only in a
name context or when spaCy tags them PERSON. The finder is pure text logic: which tokens need NER is
decided by `analyse()`, the caller batches those messages through spaCy and hands the PERSON spans to
`resolve()`.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import marshal
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import regex
import yaml

from whatsapp_audit.roster.match import fold
from whatsapp_audit.userdirs import cache_dir, write_private

# Labels of the evidence (the report's redaction maps them): a listed pupil, a child, another person.
PUPIL, CHILD, NAME = "pupil", "child", "name"

CHILD_RELATIONS = ["son", "daughter", "boy", "girl", "lad", "little one", "eldest", "youngest", "middle one",
                   "oldest", "kid", "child", "twin", "twins", "stepson", "step son", "stepdaughter",
                   "step daughter", "grandson", "granddaughter", "nephew", "niece", "little boy", "little girl",
                   "little man", "little lady", "baby"]
ADULT_RELATIONS = ["sister", "brother", "sister in law", "brother in law", "cousin", "husband", "wife",
                   "partner", "hubby", "fiance", "fiancé", "fiancée", "ex", "mum", "mam", "mom", "dad", "nan",
                   "nana", "gran", "granny", "grandma", "grandad", "grandpa", "auntie", "aunt", "uncle",
                   "friend", "best friend", "neighbour", "mate", "boss", "childminder", "nanny", "cleaner",
                   "other half"]
PRAISE = ["well done", "congratulations", "congrats", "happy birthday", "happy bday", "happy birthday to",
          "good luck", "good luck to", "get well soon", "bravo", "proud of", "shout out to", "shoutout to",
          "love to", "hugs to", "big hugs to", "thank you to", "thanks to"]
VERBS = ["says", "said", "say", "wants", "wanted", "want", "is", "was", "has", "had", "got", "gets", "came",
         "comes", "come", "went", "goes", "loves", "loved", "likes", "liked", "hates", "hated", "keeps", "kept",
         "needs", "needed", "told", "tells", "asked", "asks", "forgot", "forgets", "fell", "did", "does",
         "didn't", "doesn't", "isn't", "wasn't", "can't", "cannot", "couldn't", "won't", "wouldn't", "hasn't",
         "hadn't", "didnt", "doesnt", "cant", "wont", "isnt", "wasnt", "nearly", "still", "always", "never",
         "pushed", "hit", "took", "takes", "made", "makes", "wore", "wears", "brought", "brings", "lost",
         "found", "started", "starts", "finished", "thinks", "thought", "knows", "knew", "cried", "won",
         "scored", "drew", "painted", "played", "plays", "sat", "sits", "ran", "runs", "broke", "bit",
         "kicked", "passed", "failed", "been", "keep", "were", "left", "leaves"]
# After a name-like word these make it a person even when it is also a word ("Rose says", "Faith told me").
_SAYS = frozenset(["says", "said", "wants", "wanted", "told", "tells", "asked", "asks", "loves", "loved",
                   "hates", "hated", "cried", "thinks", "thought", "forgot", "forgets", "keeps", "kept", "reckons"])
_ADVERBS = frozenset(["nearly", "still", "always", "never", "just", "also"])
_AUXILIARIES = frozenset(["is", "was", "were", "been", "has", "had", "did", "does", "keep", "can't", "cannot",
                          "won't", "wouldn't", "cant", "wont", "isn't", "wasn't", "isnt", "wasnt"])
DEFAULT_TITLES = ["Mr", "Mrs", "Miss", "Ms", "Mx", "Dr"]
# Words after "X's" that make X a child ("tell Amelia's mum").
_OWNED = ("mum|mam|mom|mummy|mommy|mother|dad|daddy|father|nan|nana|nanna|gran|granny|grandma|grandad|grandpa|"
          "grandparents|parents|brother|sister|auntie|aunt|uncle|family|teacher|key ?worker|friend|friends|"
          "party|birthday|class|classmate|coat|bag|book ?bag|lunch ?box|jumper|cardigan|hoodie|shoes|trainers|"
          "kit|water ?bottle|homework|reading book|costume|lift|playdate|sleepover")
_PARENT = "mum|mam|mom|mummy|mommy|dad|daddy|nan|nana|gran|grandma|grandad|grandpa|parents"
# Words before a capitalised word that make it a place or a saint, never a person.
_NOT_PERSON_BEFORE = {"st", "saint", "cardinal", "pope", "bishop", "the"}
_SAINT_PARTICLES = {"de", "of", "la", "le", "du", "da", "di", "del", "the"}
_NOT_PERSON_BEFORE_CAP = {"father", "lady", "lord", "king", "queen", "prince", "princess"}
_PLACE_AFTER = {"lane", "road", "rd", "street", "st", "avenue", "ave", "close", "way", "drive", "park", "green",
                "hill", "school", "academy", "college", "primary", "high", "church", "hall", "centre", "center",
                "house", "farm", "gardens", "estate", "club", "fc", "united", "city", "hospital", "surgery",
                "library", "station", "crescent", "court", "grove", "place", "terrace", "square", "parade",
                "building", "shop", "store", "cafe", "café", "pub", "arms", "inn", "day", "term", "holidays",
                "fair", "class", "group", "week", "camp", "trust"}
def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Lower-case words that are never names even after "my son" (a tiny fallback when the model's word list
# cannot be read).
_COMMON = _wordset("""a an the and or but if so to of in on at by for with from up down out off over under is are was
were be been being am has have had do does did will would can could should may might must shall not no yes
it its it's he she him her his hers they them their theirs we us our ours you your yours i me my mine this that
these those there here then than when where who whom whose what which why how all any some every each both
either neither one two three first last next just also too very really still even only again always never
ever now today tomorrow yesterday tonight week weekend got get gets getting go goes going went gone come comes
came coming say says said see saw seen know knew think thought want wants need needs love loves like likes
started starts loved had has hasn't isn't wasn't doesn't didn't can't won't everyone everybody anyone anybody
someone somebody nobody team guys folks girls boys kids children class all lovely""")

_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_MASK = regex.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|@\w+", regex.V1)
_SKIP_BACK = set(" \t\r\"'“”‘’([{*•·-–—_~")


@dataclass(frozen=True, slots=True)
class NameHit:
    start: int
    end: int
    text: str
    label: str          # pupil | child | name
    cue: str            # which cue fired, for the explanation


@dataclass(slots=True)
class Token:
    start: int
    end: int            # end of the name itself (a possessive 's is not part of it)
    text: str
    low: str            # folded
    poss: bool          # written with a possessive 's
    cap: bool
    upper: bool
    initial: bool       # first word of a sentence or line


@dataclass(slots=True)
class People:
    """Who the finder must know about: pupils, members' and staff names, the group's own words."""

    pupils: dict[str, str] = field(default_factory=dict)     # folded first name -> as written
    members: set[str] = field(default_factory=set)          # folded words of members' names (incl. senders)
    staff: set[str] = field(default_factory=set)            # folded staff names (surnames, or full names)
    staff_initials: set[str] = field(default_factory=set)
    group_words: set[str] = field(default_factory=set)
    has_staff: bool = False                                 # titled names not on the list are third parties
    words: set[str] = field(default_factory=set)            # words this chat writes in lower case ("hoodie")

    def nickname(self, low: str) -> bool:
        """"Chidi" for Chidinma, "Bev" for Beverley, "Rach" for Rachel: the start (3+ letters) of a member's
        name. Listed pupils are checked first, so a pupil called Alex is still caught beside an Alexandra."""
        return len(low) >= 3 and any(len(w) > len(low) and w.startswith(low) for w in self.members)


@dataclass(slots=True)
class Analysis:
    """The cheap pass over one text: decided hits, and the tokens only NER can settle."""

    text: str
    tokens: list[Token]
    hits: dict[int, NameHit]                  # token index -> hit
    decided: set[int]                         # token indexes settled (hit, or known not to be a breach)
    pending: dict[int, tuple[str, str, bool]]  # token -> (label, cue, spaCy may confirm), awaiting NER/coordination
    ask_ner: bool


@dataclass(slots=True)
class _Lexicon:
    names: frozenset[str]
    word_like: frozenset[str]
    not_names: frozenset[str]


@cache
def lexicon() -> _Lexicon:
    """The shipped given-name list (data/given_names.yaml)."""
    text = resources.files("whatsapp_audit").joinpath("data/given_names.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)

    def words(key: str) -> frozenset[str]:
        return frozenset(fold(w) for w in str(doc.get(key) or "").split())

    return _Lexicon(words("names"), words("word_like"), words("not_names"))


@cache
def english_words() -> frozenset[str]:
    """Lower-case English words (WordNet's lemma index inside the pinned spaCy model), for telling an unknown
    capitalised word that may be a name ("Zainab") from one that is just a word ("Boiler"). Read straight from
    the model's files, so it costs no pipeline; a small built-in list when the model is missing.

    Reading them needs srsly and numpy (0.15 s, a tenth of a cached re-scan), so a scan using the cache keeps
    the list in the user cache folder (keep_english_words), named by the model file's path, size and time:
    later runs load it in ~10 ms."""
    try:
        found = _lookups_file()
        if found is None:
            return frozenset(_COMMON)
        st = os.stat(found)
        key = hashlib.blake2b(f"{os.path.realpath(found)}\0{st.st_size}\0{st.st_mtime_ns}".encode(),
                              digest_size=8).hexdigest()
        name = f"english-words-{key}.marshal"
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            words = marshal.loads((cache_dir() / name).read_bytes())
            if isinstance(words, frozenset):
                return words
        words = _read_lookups(found)
        _UNKEPT.append((name, words))
        return words
    except Exception:  # model missing or unreadable: the finder still works, NER gating is just looser
        return frozenset(_COMMON)


_UNKEPT: list[tuple[str, frozenset[str]]] = []     # read from the model by this process, not in the cache yet


def keep_english_words() -> None:
    """Put the word list this process read from the model into the cache folder. Called by scans that use the
    re-scan cache, so that `--no-cache` leaves nothing behind."""
    while _UNKEPT:
        name, words = _UNKEPT.pop()
        with contextlib.suppress(OSError):
            write_private(name, marshal.dumps(words))


def _lookups_file() -> str | None:
    import importlib.util

    from whatsapp_audit.nlp.pipeline import MODEL

    spec = importlib.util.find_spec(MODEL)
    roots = list(spec.submodule_search_locations or []) if spec else []
    found = [f for root in roots for f in glob.glob(os.path.join(root, "*", "lemmatizer", "lookups", "lookups.bin"))
             + glob.glob(os.path.join(root, "lemmatizer", "lookups", "lookups.bin"))]
    return found[0] if found else None


def _read_lookups(path: str) -> frozenset[str]:
    import srsly  # spaCy's own msgpack reader: reading the file directly skips importing spaCy (~1.5 s)

    with open(path, "rb") as fh:
        tables = srsly.msgpack_loads(fh.read())
    out: set[str] = set(_COMMON)
    for table in ("lemma_index", "lemma_exc"):
        for v in (tables.get(table) or {}).values():
            if isinstance(v, list):
                out.update(v)
            elif isinstance(v, dict):
                for forms in v.values():
                    out.update(forms if isinstance(forms, list) else [forms])
    return frozenset(w for w in out if isinstance(w, str) and w.isalpha())


def is_word(low: str) -> bool:
    """Whether a folded word (or a simple inflection of one) is an English word."""
    words = english_words()
    if low in words:
        return True
    if "'" in low or "’" in low:        # I've, we'll, they're, don't: contractions, not O'Neill
        base, _, suffix = low.replace("’", "'").partition("'")
        return suffix in ("ve", "ll", "d", "re", "m", "t", "s") and (base in _COMMON or base in words)
    for suf, rep in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                     ("er", ""), ("ers", ""), ("ly", "")):
        if low.endswith(suf) and len(low) - len(suf) >= 3 and low[: len(low) - len(suf)] + rep in words:
            return True
    return False


def _fold(w: str) -> str:
    return w.lower() if w.isascii() else fold(w)


def tokenize(text: str) -> list[Token]:
    masked = [(m.start(), m.end()) for m in _MASK.finditer(text)] if ("@" in text or "/" in text or
                                                                      "www" in text) else []
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        s, e = m.start(), m.end()
        if masked and any(a <= s < b for a, b in masked):
            continue
        w = m.group()
        poss = False
        if len(w) > 2 and w[-2] in "'’" and w[-1] in "sS":
            w, e, poss = w[:-2], e - 2, True
        cap = w[0].isupper()
        out.append(Token(s, e, w, _fold(w), poss, cap, cap and len(w) > 1 and w.isupper(),
                         _sentence_initial(text, s) if cap or not out else False))
    return out


def _sentence_initial(text: str, start: int) -> bool:
    j = start - 1
    while j >= 0:
        c = text[j]
        if c == "\n":
            return True
        if c in _SKIP_BACK or (not c.isalnum() and c not in ".!?:;,…&+/"):
            j -= 1
            continue
        return c in ".!?:;…"
    return True


def lower_words(text: str) -> set[str]:
    """The words a text writes in lower case: a word people write that way is a word, not a name."""
    return {_fold(w) for w in _TOKEN.findall(text) if w.islower()}


def _phrases(words: Iterable[str]) -> str:
    alts = sorted({" ".join(str(w).split()) for w in words if str(w).strip()}, key=len, reverse=True)
    return "|".join(r"[\s\-]+".join(regex.escape(p) for p in a.split(" ")) for a in alts) or "(?!)"


def part_of_a_place(text: str, toks: list[Token], i: int) -> bool:
    """A saint, a street, a school, a festival: the word is part of a place or thing's name."""
    t = toks[i]
    prev = toks[i - 1] if i > 0 else None
    if prev is not None and text[prev.end:t.start].strip(" .") == "" and (
            prev.low in _NOT_PERSON_BEFORE or (prev.cap and prev.low in _NOT_PERSON_BEFORE_CAP)):
        return True
    # "St Vincent de Paul", "St John of God": further words of a saint's name
    j = i - 1
    while j >= max(0, i - 3) and (toks[j].cap or toks[j].low in _SAINT_PARTICLES):
        if toks[j].low in ("st", "saint") and j < i - 1:
            return True
        j -= 1
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is not None and nxt.low in _PLACE_AFTER and text[t.end:nxt.start].strip(" '’s") == "" \
            and (nxt.cap or not t.poss):
        return not (t.poss and nxt.low in ("class", "party", "birthday"))
    return False


class NameFinder:
    """Configured once per rule; `analyse()` + `resolve()` per message (or `find()` without NER)."""

    def __init__(self, *, child_relations: Iterable[str] = CHILD_RELATIONS,
                 adult_relations: Iterable[str] = ADULT_RELATIONS, praise: Iterable[str] = PRAISE,
                 verbs: Iterable[str] = VERBS, titles: Iterable[str] = DEFAULT_TITLES, use_lexicon: bool = True,
                 extra_names: Iterable[str] = (), not_names: Iterable[str] = (), flag_titles: bool = True) -> None:
        lex = lexicon()
        self.names = set(lex.names) if use_lexicon else set()
        self.names |= {fold(n) for n in extra_names}
        self.word_like = set(lex.word_like)
        self.not_names = set(lex.not_names) | {fold(n) for n in not_names}
        self.titles = {fold(t).rstrip(".") for t in titles}
        self.flag_titles = flag_titles
        self.verbs = {fold(v) for v in verbs}
        rel = r"(?:(?:my|our|his|her|their|your|a|the)\s+(?:(?:little|eldest|youngest|oldest|older|younger|big|" \
              r"baby|twin|middle|other|new|own)\s+)*)"
        self._child_before = regex.compile(rel + r"(?:" + _phrases(child_relations) + r")\s*,?\s*$",
                                           regex.I | regex.V1 | regex.REVERSE)
        self._adult_before = regex.compile(rel + r"(?:" + _phrases(adult_relations) + r")\s*,?\s*$",
                                           regex.I | regex.V1 | regex.REVERSE)
        self._praise_before = regex.compile(r"(?<![\w])(?:" + _phrases(praise) + r")\s*,?\s*(?:little\s+)?$",
                                            regex.I | regex.V1 | regex.REVERSE)
        self._called_before = regex.compile(r"(?<![\w])(?:called|named|name\s+is|name's|name’s)\s+$",
                                            regex.I | regex.V1 | regex.REVERSE)
        self._owned_after = regex.compile(r"^\s+(?:(?:little|big|older|younger|new|best)\s+)?(?:" + _OWNED +
                                          r")\b", regex.I | regex.V1)
        self._parent_after = regex.compile(r"^\s+(?:" + _PARENT + r")\b(?!['’]?s\b)", regex.I | regex.V1)
        self._comma_parent_after = regex.compile(r"^\s*,\s*(?:his|her|their)\s+(?:" + _PARENT + r")\b",
                                                 regex.I | regex.V1)
        self._year_after = regex.compile(r"^\s+(?:in|from)\s+(?:year\s*\d|y\d|reception|nursery|class\b)",
                                         regex.I | regex.V1)
        # One search per message says whether any context above can fire at all.
        cues = [*child_relations, *adult_relations, *praise, "called", "named", "name", "year", "reception",
                "nursery", "class", "y1", "y2", "y3", "y4", "y5", "y6", *_PARENT.split("|")]
        self._any_context = re.compile(r"(?<!\w)(?:" + _phrases(cues).replace("[\\s\\-]+", "[\\s-]+") +
                                       r")(?!\w)", re.I)
        self._coord = regex.compile(r"^\s*(?:,|&|and|\+)\s*$", regex.I | regex.V1)

    # -- the cheap pass ----------------------------------------------------------------------------------
    def _strong_context(self, text: str, toks: list[Token], i: int, gate: bool = True) -> tuple[str, str] | None:
        """(label, cue) when a context says the word is a person's name, regardless of the word itself.
        gate=False: the text has none of the context words, so only "X's <thing>" can apply."""
        t = toks[i]
        after = text[t.end if not t.poss else t.end + 2: t.end + 40]
        if not gate:
            if t.poss and self._owned_after.match(after):
                word = after.split()[0] if after.split() else ""
                return CHILD, f'"{t.text}\'s {word.lower()}" context'
            return None
        before = text[max(0, t.start - 48): t.start]
        for pattern, label in ((self._child_before, CHILD), (self._adult_before, NAME),
                               (self._praise_before, CHILD), (self._called_before, NAME)):
            m = pattern.search(before)
            if m:
                phrase = " ".join(m.group().lower().split()).strip(" ,")
                return label, f'"{phrase} {t.text}" context'
        if t.poss and self._owned_after.match(after):
            word = after.split()[0] if after.split() else ""
            return CHILD, f'"{t.text}\'s {word.lower()}" context'
        if not t.poss:
            if self._parent_after.match(after):
                return CHILD, f'"{t.text} {after.split()[0].lower()}" context'
            if self._comma_parent_after.match(after):
                return CHILD, f'"{t.text}, her/his mum" context'
            if self._year_after.match(after):
                return CHILD, f'"{t.text} in Year N" context'
        return None

    def _weak_context(self, toks: list[Token], i: int) -> bool:
        """A word right after it that people, not things, do ("Rose says", "May got"), or a possessive."""
        t = toks[i]
        if t.poss:
            return True
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        return nxt is not None and nxt.low in self.verbs

    def _acts(self, text: str, toks: list[Token], i: int) -> bool:
        """A capitalised word followed by a past-tense or action verb ("Poppy left her cardigan", "Grace
        said"): a person doing something. Auxiliaries ("May is", "Will has") stay ambiguous."""
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        return nxt is not None and not toks[i].poss and text[toks[i].end:nxt.start] == " " \
            and nxt.low in self.verbs and nxt.low not in _ADVERBS and nxt.low not in _AUXILIARIES

    def analyse(self, text: str, people: People, ner: bool = True) -> Analysis:
        """The cheap pass. With ner=False, words only spaCy could settle are not even considered."""
        toks = tokenize(text)
        hits: dict[int, NameHit] = {}
        decided: set[int] = set()
        pending: dict[int, tuple[str, str, bool]] = {}
        gate = self._any_context.search(text) is not None
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            # Titles: "Mrs Diver", "Mr O", "Miss H"
            if t.cap and t.low.rstrip(".") in self.titles and not t.poss and i + 1 < n:
                nxt = toks[i + 1]
                gap = text[t.end:nxt.start]
                if nxt.cap and gap.strip(" .") == "" and len(gap) <= 3:
                    decided.update((i, i + 1))
                    known = nxt.low in people.staff or nxt.low in people.members or \
                        (len(nxt.low) == 1 and nxt.low in people.staff_initials)
                    if not known and people.has_staff and self.flag_titles and len(nxt.low) > 1:
                        hits[i + 1] = NameHit(t.start, nxt.end, text[t.start:nxt.end], NAME,
                                              f"title pattern: {t.text} {nxt.text} is not on the staff list")
                    i += 2
                    continue
            i += 1
        for i, t in enumerate(toks):
            if i in decided or len(t.low) < 2:
                continue
            low = t.low
            pupil = low in people.pupils
            if not pupil and not t.cap and low not in self.names:
                continue
            if not pupil and (low in people.members or low in people.staff or low in people.group_words
                              or low in self.not_names or (t.cap and people.nickname(low))):
                decided.add(i)
                continue
            # The contexts are worked out only where a branch needs them (the regexes of the strong one
            # are the dearest part of a scan's name check): same answers, in the same order.
            blocked = part_of_a_place(text, toks, i)
            word_like = low in self.word_like or low in people.group_words or low in self.not_names
            if pupil:
                decided.add(i)
                if not word_like:
                    hits[i] = NameHit(t.start, t.end, t.text, PUPIL, "roster pupil")
                elif strong := self._strong_context(text, toks, i, gate):
                    hits[i] = NameHit(t.start, t.end, t.text, PUPIL, f"roster pupil, {strong[1]}")
                elif (t.cap or (t.initial and not t.poss)) and self._weak_context(toks, i) and not blocked:
                    hits[i] = NameHit(t.start, t.end, t.text, PUPIL, "roster pupil, used as a name")
                elif t.cap and not blocked and self._acts(text, toks, i):
                    hits[i] = NameHit(t.start, t.end, t.text, PUPIL, f"roster pupil, \"{t.text} {toks[i + 1].text}\"")
                elif t.cap and not blocked:
                    decided.discard(i)
                    # sentence-first "Faith and Ivy were...": only a name next to it settles it, not spaCy
                    pending[i] = (PUPIL, "roster pupil, tagged PERSON by spaCy", not t.initial)
                continue
            if blocked or low in _PLACE_AFTER:
                decided.add(i)
                continue
            in_lex = low in self.names
            if not t.upper and low not in _COMMON and (t.cap or (in_lex and not word_like)) \
                    and (in_lex or word_like or not is_word(low)) \
                    and (strong := self._strong_context(text, toks, i, gate)):
                hits[i] = self._hit(text, toks, i, *strong)
                decided.add(i)
                continue
            if not t.cap or t.upper:
                # "noah said", "rosie has a temperature": a lower-case given name doing something
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if in_lex and not word_like and not t.upper and not t.poss and nxt is not None \
                        and nxt.low in self.verbs and nxt.low not in _ADVERBS and text[t.end:nxt.start] == " ":
                    hits[i] = NameHit(t.start, t.end, t.text, CHILD, f'"{t.text} {nxt.text}" context')
                    decided.add(i)
                continue
            if in_lex and not word_like:
                hits[i] = self._hit(text, toks, i, CHILD, "given-name list")
                decided.add(i)
                continue
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if (word_like or in_lex) and not t.poss and nxt is not None and nxt.low in _SAYS \
                    and text[t.end:nxt.start] == " ":
                hits[i] = self._hit(text, toks, i, CHILD, f'"{t.text} {nxt.text}" context')
                decided.add(i)
                continue
            unknown = not (word_like or in_lex) and not is_word(low) and low not in people.words
            if not (word_like or in_lex or unknown) or not ner or (t.initial and not self._weak_context(toks, i)):
                continue
            if word_like or in_lex:
                pending[i] = (CHILD, "given name, tagged PERSON by spaCy", True)
            else:
                pending[i] = (CHILD, "NER PERSON", True)
        ask = any(p[2] for p in pending.values())
        return Analysis(text, toks, hits, decided, pending, ask)

    def _hit(self, text: str, toks: list[Token], i: int, label: str, cue: str) -> NameHit:
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        # "Sarah Jones": a first name and a surname is an adult's full name, not a child's first name.
        if label == CHILD and nxt is not None and nxt.cap and not nxt.upper and not t.poss and not nxt.initial \
                and text[t.end:nxt.start] == " " and nxt.low not in self.names and nxt.low not in _COMMON \
                and nxt.low not in _PLACE_AFTER and nxt.low not in self.not_names and nxt.low not in self.verbs:
            return NameHit(t.start, nxt.end, text[t.start:nxt.end], NAME, cue)
        return NameHit(t.start, t.end, t.text, label, cue)

    # -- NER and the second pass -------------------------------------------------------------------------
    def resolve(self, a: Analysis, persons: list[tuple[int, int]] | None) -> list[NameHit]:
        """The final hits: the cheap pass's, pending words spaCy tagged PERSON, and words coordinated with a
        name ("Hope and Rose got caught")."""
        hits = dict(a.hits)
        for i, (label, cue, ner_ok) in a.pending.items():
            t = a.tokens[i]
            if ner_ok and persons and any(s <= t.start and t.end <= e for s, e in persons):
                hits[i] = self._hit(a.text, a.tokens, i, label, cue)
        changed = True
        while changed:
            changed = False
            for i in a.pending:
                if i in hits:
                    continue
                t = a.tokens[i]
                for j in (i - 1, i + 1, i - 2, i + 2):
                    if j not in hits:
                        continue
                    left, right = (a.tokens[j], t) if j < i else (t, a.tokens[j])
                    gap = a.text[left.end + (2 if left.poss else 0):right.start]
                    if self._coord.match(gap):
                        hits[i] = NameHit(t.start, t.end, t.text, a.pending[i][0],
                                          f"named alongside {a.tokens[j].text}")
                        changed = True
                        break
        out: list[NameHit] = []
        for h in sorted(hits.values(), key=lambda h: h.start):
            if not out or h.start >= out[-1].end:
                out.append(h)
        return out

    def find(self, text: str, people: People, persons: list[tuple[int, int]] | None = None) -> list[NameHit]:
        return self.resolve(self.analyse(text, people, ner=persons is not None), persons)


def person_spans(doc: Any) -> list[tuple[int, int]]:
    return [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
