"""`type: names` - children's and third parties' names (roster pupils, name contexts, titles, given-name list,
spaCy PERSON entities). The logic lives in `whatsapp_audit.nlp.names`; this type feeds it the roster and the
people seen in the chat, and batches spaCy over only the messages that need it.

Evidence labels: `pupil` (a listed pupil), `child` (a child's name), `name` (another third party's name).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from whatsapp_audit.model import Evidence, Message
from whatsapp_audit.nlp import names as nm
from whatsapp_audit.roster.presence import presence, roster_index
from whatsapp_audit.rules.interface import Context, Hit, Opt, Rule, RuleType


@dataclass(slots=True)
class _State:
    analyses: dict[int, nm.Analysis] = field(default_factory=dict)
    persons: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    members: set[str] = field(default_factory=set)   # roster members' and chat participants' name words
    taken: int = 0                                   # how much of the presence order is in `members`
    people: nm.People | None = None


class NamesRule(RuleType):
    type = "names"
    description = "fires on a pupil's, child's or third party's name (roster, contexts, titles, names list, NER)"
    options = {
        "child_relations": Opt("strs", default=nm.CHILD_RELATIONS, doc='"my son X": words for a child'),
        "adult_relations": Opt("strs", default=nm.ADULT_RELATIONS, doc='"my sister X": words for an adult'),
        "praise": Opt("strs", default=nm.PRAISE, doc='"well done X": phrases said to/about a child'),
        "verbs": Opt("strs", default=nm.VERBS, doc='"Rose says": words after a name-like word that make it a name'),
        "titles": Opt("strs", default=nm.DEFAULT_TITLES, doc="titles before a surname (Mrs Diver)"),
        "flag_titles": Opt("bool", default=True,
                           doc="a titled name not on the roster's staff list is a third party (needs --group)"),
        "lexicon": Opt("bool", default=True, doc="use the shipped list of common given names"),
        "extra_names": Opt("strs", default=[], doc="more given names to recognise"),
        "not_names": Opt("strs", default=[], doc="capitalised words that are never names here"),
        "use_ner": Opt("bool", default=True, doc="use spaCy PERSON entities (off with --no-ner too)"),
    }

    def __init__(self, rule: Rule) -> None:
        super().__init__(rule)
        o = rule.options
        self.finder = nm.NameFinder(
            child_relations=[str(x) for x in o["child_relations"]],
            adult_relations=[str(x) for x in o["adult_relations"]],
            praise=[str(x) for x in o["praise"]], verbs=[str(x) for x in o["verbs"]],
            titles=[str(x) for x in o["titles"]], use_lexicon=bool(o["lexicon"]),
            extra_names=[str(x) for x in o["extra_names"]], not_names=[str(x) for x in o["not_names"]],
            flag_titles=bool(o["flag_titles"]))
        self.use_ner = bool(o["use_ner"])

    def _state(self, ctx: Context) -> _State:
        st = ctx.state.get(self.rule.id)
        if not isinstance(st, _State):
            st = ctx.state[self.rule.id] = _State()
        return st

    def _people(self, msg: Message, ctx: Context) -> nm.People:
        """Who is known at this message: the roster, plus everyone seen in the chat up to it. Messages come in
        order, so the participants are taken from the presence tracker incrementally."""
        st, idx, seen = self._state(ctx), roster_index(ctx), presence(ctx)
        if st.people is None:
            st.members = set(idx.member_words)
            st.people = nm.People(pupils=idx.pupils, members=st.members, staff=idx.staff_words,
                                  staff_initials=idx.staff_initials, group_words=set(idx.group_words),
                                  has_staff=bool(idx.group.staff), words=st.words)
        if st.taken and st.taken <= len(seen.order) and seen.order[st.taken - 1][0] > msg.index:
            st.members.clear()        # asked about an earlier message again: start over
            st.members.update(idx.member_words)
            st.taken = 0
        while st.taken < len(seen.order) and seen.order[st.taken][0] <= msg.index:
            st.members.add(seen.order[st.taken][1])
            st.taken += 1
        st.people.group_words.update(seen.subjects)
        return st.people

    def _wants(self, msg: Message) -> bool:
        return bool(msg.text) and msg.kind in self.rule.kinds

    def prepare(self, batch: list[Message], ctx: Context) -> None:
        presence(ctx).see(batch, roster_index(ctx))
        st = self._state(ctx)
        st.analyses.clear()
        st.persons.clear()
        ner = self.use_ner and ctx.use_ner
        if ner:
            for m in batch:
                if self._wants(m):
                    st.words |= nm.lower_words(m.text)
        todo: list[Message] = []
        for m in batch:
            if not self._wants(m):
                continue
            a = self.finder.analyse(m.text, self._people(m, ctx), ner=ner)
            st.analyses[m.index] = a
            if ner and a.ask_ner:
                todo.append(m)
        if todo:
            from whatsapp_audit.nlp import pipeline

            nlp = pipeline.ner()
            for m, doc in zip(todo, nlp.pipe([m.text for m in todo], batch_size=64), strict=True):
                st.persons[m.index] = nm.person_spans(doc)

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if not self._wants(msg):
            return
        st = self._state(ctx)
        a = st.analyses.pop(msg.index, None)
        if a is None or a.text != msg.text:
            a = self.finder.analyse(msg.text, self._people(msg, ctx), ner=False)
        hits = self.finder.resolve(a, st.persons.pop(msg.index, None))
        if not hits:
            return
        ev = [Evidence(h.text, h.start, h.end, h.label) for h in hits]
        why = "; ".join(f"{h.text}: {h.cue}" for h in hits[:4]) + ("; ..." if len(hits) > 4 else "")
        yield Hit(ev, why)
