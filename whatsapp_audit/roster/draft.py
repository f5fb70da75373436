"""Draft a `group.yaml` from an export: who posted, who was added, who left, with comments telling the class
rep what to check and fill in (`wa-audit group init CHAT > group.yaml`).

The draft is valid as it stands; it is a starting point, not a roster: the chat cannot tell a class parent
from a grandparent, nor who left the class.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from whatsapp_audit.model import Message
from whatsapp_audit.roster.match import norm_name, norm_phone
from whatsapp_audit.roster.presence import IN_EVENTS, OUT_EVENTS, Presence

_PLAIN = re.compile(r"[A-Za-z\u00c0-\u024f][\w .'’\-]*")
_YAML_WORDS = {"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}
_TITLED = re.compile(r"\b(Mr|Mrs|Miss|Ms|Mx|Dr)\.?\s+([A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?)\b")


def yaml_str(text: str) -> str:
    """A YAML scalar for `text`: plain when that is safe, else double-quoted (JSON quoting is valid YAML)."""
    t = text.strip()
    if _PLAIN.fullmatch(t) and t.lower() not in _YAML_WORDS and not t.endswith((":", " ")) and ": " not in t \
            and " #" not in t:
        return t
    return json.dumps(t, ensure_ascii=False)


@dataclass(slots=True)
class _Person:
    name: str
    first: str = ""                  # date first seen
    posts: int = 0
    joined: str = ""                 # how they came in: "created the group", "added by X on D", "joined on D"
    out: str = ""                    # how they went: "removed by X on D" / "left on D" (latest event)
    out_date: str = ""
    inside: bool = True
    added_others: int = 0
    creator: bool = False


@dataclass(slots=True)
class Draft:
    source: str = ""
    messages: int = 0
    first: str = ""
    last: str = ""
    subject: str = ""
    people: dict[str, _Person] = field(default_factory=dict)
    titled: Counter[str] = field(default_factory=Counter)
    children: Counter[str] = field(default_factory=Counter)


def _collect(messages: Iterable[Message], source: str) -> Draft:
    from whatsapp_audit.nlp.names import CHILD, PUPIL, NameFinder, People

    d = Draft(source=source)
    tracker = Presence()
    finder = NameFinder(flag_titles=False)
    people = People()

    def person(name: str, when: str) -> _Person:
        key = norm_name(name)
        p = d.people.get(key)
        if p is None:
            p = d.people[key] = _Person(name, first=when[:10])
        return p

    for m in messages:
        d.messages += 1
        d.first = d.first or m.timestamp
        d.last = m.timestamp
        tracker.see([m])
        day = m.timestamp[:10]
        if m.kind == "system":
            if m.event in ("created", "subject"):
                sm = re.search(r"[\"“”„«»](.+?)[\"“”„«»]", m.text or "")
                if sm:
                    d.subject = sm.group(1)
            if m.event not in IN_EVENTS and m.event not in OUT_EVENTS:
                continue
            if m.event == "created" and m.actor and norm_name(m.actor) not in ("you", "du"):
                p = person(m.actor, m.timestamp)
                p.creator = True
                p.joined = p.joined or "created the group"
                continue
            who = tracker.names(m.target if m.event in ("added", "removed") else m.actor, None)
            for name in who:
                p = person(name, m.timestamp)
                if m.event == "added":
                    p.inside, p.out, p.out_date = True, "", ""
                    p.joined = p.joined or (f"added by {m.actor} on {day}" if m.actor else f"added on {day}")
                elif m.event == "joined":
                    p.inside, p.out, p.out_date = True, "", ""
                    p.joined = p.joined or f"joined with the invite link on {day}"
                else:
                    p.inside = False
                    p.out = f"removed by {m.actor} on {day}" if m.event == "removed" and m.actor else \
                        f"left the group on {day}"
                    p.out_date = day
            if m.event in ("added", "removed") and m.actor and norm_name(m.actor) not in ("you", "du"):
                person(m.actor, m.timestamp).added_others += 1
            continue
        if not m.author:
            continue
        p = person(m.author, m.timestamp)
        p.posts += 1
        if not p.inside:            # posted after an event said they were out: the export is partial
            p.inside, p.out, p.out_date = True, "", ""
        for t, s in _TITLED.findall(m.text or ""):
            if len(s) > 1:
                d.titled[f"{t} {s}"] += 1
        if m.text:
            people.members = tracker.words_before(m.index)
            people.group_words = tracker.subjects
            for h in finder.find(m.text, people):
                if h.label in (CHILD, PUPIL) and " " not in h.text:
                    d.children[h.text[:1].upper() + h.text[1:]] += 1
    return d


def draft_group(messages: Iterable[Message], source: str = "chat") -> str:
    """The text of a draft group.yaml for the chat the messages come from."""
    d = _collect(messages, source)
    out: list[str] = []
    add = out.append
    span = f", {d.first[:10]} to {d.last[:10]}" if d.first else ""
    add(f"# group.yaml for wa-audit, drafted by `wa-audit group init` from {source} ({d.messages} messages{span}).")
    add("# The chat only shows who posted, was added or left: check every line against the class list,")
    add("# then use it with `wa-audit scan CHAT --group group.yaml`. Dates are YYYY-MM-DD; # starts a comment.")
    add("")
    add(f"group: {yaml_str(d.subject or source)}")
    add("")
    add("# Members: everyone the export shows in the group, in order of first appearance.")
    add("#   - delete anyone who is not a current parent of the class (grandparents, other classes...);")
    add("#   - a parent who has left the class stays listed with `left: YYYY-MM-DD` (the day they left);")
    add("#   - unsaved contacts appear as phone numbers; `phone:` lets the audit match them in any spacing;")
    add("#   - role: class-rep for the class rep(s), parent for everyone else.")
    add("members:")
    inside = [p for p in d.people.values() if p.inside]
    gone = [p for p in d.people.values() if not p.inside]
    if not inside:
        add("  []   # nobody found: add the class parents as - {name: Jane Smith}")
    for p in inside:
        add(f"  - name: {yaml_str(p.name)}")
        if norm_phone(p.name):
            add(f"    phone: {json.dumps(p.name.strip())}")
        notes = []
        if p.creator:
            notes.append("created the group: the class rep? (check)")
        elif p.added_others:
            notes.append("added or removed members: an admin, perhaps a class rep")
        if p.joined and not p.creator:
            notes.append(p.joined)
        notes.append(f"{p.posts} post{'s' if p.posts != 1 else ''}" if p.posts else "never posted")
        add(f"    role: {'class-rep' if p.creator else 'parent'}    # " + "; ".join(notes))
    if gone:
        add("")
        add("  # No longer in the group at the end of the export. Uncomment a parent who has left the class and")
        add("  # give their `left:` date; leave out anyone who was never a class parent.")
        for p in gone:
            add(f"  # - name: {yaml_str(p.name)}    # {p.out}; {p.posts} post{'s' if p.posts != 1 else ''}")
            add(f"  #   left: {p.out_date}")
    add("")
    add("# Staff parents may name neutrally (\"Mrs Diver said...\"): titled names found in the chat. Check them and")
    add("# add any missing staff; a titled name that is not here is treated as a third party's name.")
    staff = [n for n, _ in d.titled.most_common(20)]
    add("staff: [" + ", ".join(yaml_str(s) for s in staff) + "]")
    add("")
    add("# Optional but recommended: the pupils' first names, so the audit catches them in any case or spelling")
    add("# (\"jack\", \"Aarav's mum\"). This file stays on this machine; do not share it.")
    kids = [n for n, _ in d.children.most_common(30)]
    if kids:
        add("# Names the chat seems to use for children (check; add the rest of the class): " + ", ".join(kids))
    add("pupils: []")
    add("")
    add("# Investigations under the policy's escalation pathway: while one is in progress its parties must not")
    add("# post. Parties are written as under members; `closed` is optional (still open when missing). E.g.")
    add("#   - {parties: [Tom Baker], opened: 2024-01-10, closed: 2024-01-24}")
    add("investigations: []")
    add("")
    add("# Optional: who reports tell parents to contact.")
    add("# school:")
    add("#   name: St Elizabeth's Catholic Primary School")
    add("#   escalation: Mrs Diver, Deputy Headteacher")
    add("#   appeal: the Head Teacher")
    return "\n".join(out) + "\n"
