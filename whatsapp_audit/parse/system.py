"""System events: the lines WhatsApp writes itself (joins, leaves, adds, subject changes, notices).

`classify(text)` takes the event line with invisible marks already removed and returns
(event, actor, target, subject) or None when the line is not a system line we recognise. The parser only
treats a header line without "Author: " as a message when this recognises it, so a continuation line that
merely starts with a date cannot split a message. English and German wording.
"""

from __future__ import annotations

import re

SystemEvent = tuple[str, str | None, str | None, str | None]   # event, actor, target, new group subject

_Q = "[\"\u201c\u201d\u201e\u00ab\u00bb]"      # quotes around subjects: " (Android) “ ” (iOS) „ “ (German)
_WHO = r"(?P<a>[^:\n]+?)"                          # a member name never contains ": " - keeps "Name: text" out
_HAT = "(?:hat|hast)"                              # German "X hat ..." / "Du hast ..."

# (keyword that must be in the line, event, pattern): the keyword test is a cheap guard before the regex.
# Patterns are compiled on first use: a chat needs only a few of them, and compiling all costs ~10 ms of
# start-up.
_RULES: tuple[tuple[str, str, str], ...] = (
    ("end-to-end", "encryption", r".*end-to-end encrypt"),
    ("Ende-zu-Ende", "encryption", r".*Ende-zu-Ende-verschlüssel"),
    (" created group ", "created", rf"{_WHO} created group {_Q}(?P<s>.*){_Q}$"),
    (" created this group", "created", rf"{_WHO} created this group$"),
    (" erstellt", "created", rf"{_WHO} {_HAT} (?:die Gruppe {_Q}(?P<s>.*){_Q}|diese Gruppe) erstellt$"),
    (" changed the subject", "subject",
     rf"{_WHO} changed the subject (?:from {_Q}.*{_Q} )?to {_Q}(?P<s>.*){_Q}$"),
    (" changed the group name", "subject",
     rf"{_WHO} changed the group name (?:from {_Q}.*{_Q} )?to {_Q}(?P<s>.*){_Q}$"),
    (" geändert", "subject",
     rf"{_WHO} {_HAT} den (?:Betreff|Gruppennamen) (?:von {_Q}.*{_Q} )?(?:zu|in) {_Q}(?P<s>.*){_Q} geändert$"),
    (" icon", "icon", rf"{_WHO} (?:changed|deleted|removed) (?:this group's|the group) icon$"),
    (" das Gruppenbild", "icon", rf"{_WHO} {_HAT} das Gruppenbild (?:geändert|gelöscht|entfernt)$"),
    (" group description", "description", rf"{_WHO} (?:changed|deleted) the group description$"),
    (" die Gruppenbeschreibung", "description",
     rf"{_WHO} {_HAT} die Gruppenbeschreibung (?:geändert|gelöscht)$"),
    (" changed their phone number", "number-changed",
     rf"{_WHO} changed their phone number to (?:a new number|(?P<t>\+?[\d ()\-]+))\b"),
    (" changed to ", "number-changed", rf"{_WHO} changed to (?P<t>\+?[\d ()\-]+)$"),
    ("nummer", "number-changed",
     rf"{_WHO} {_HAT} (?:seine|ihre|die|deine) Telefonnummer (?:zu|in) (?:einer neuen Nummer|eine neue Nummer|"
     rf"(?P<t>\+?[\d ()\-]+)) (?:geändert|gewechselt)"),
    ("'s security code changed", "security-code", rf"{_WHO}'s security code changed"),
    ("Your security code with ", "security-code", r"Your security code with (?P<a>[^:\n]+?) changed"),
    ("Sicherheit", "security-code",
     r"(?:Dein Sicherheitscode für|Der Sicherheitscode von|Die Sicherheitsnummer von) (?P<a>[^:\n]+?) "
     r"hat sich geändert"),
    (" joined", "joined",
     rf"{_WHO} joined(?: using (?:this group's|this community's|a group|an) invite link| from the community)?$"),
    ("beigetreten", "joined",
     rf"{_WHO} (?:ist|bist) (?:über den Einladungslink dieser Gruppe |über einen Einladungslink |"
     r"der Gruppe |der Community )?beigetreten$"),
    (" left", "left", rf"{_WHO} left$"),
    ("verlassen", "left", rf"{_WHO} {_HAT} die Gruppe verlassen$"),
    (" added ", "added", rf"{_WHO} added (?P<t>[^:\n]+)$"),
    (" added", "added", r"(?P<t>You) were added$"),
    ("hinzugefügt", "added", rf"{_WHO} {_HAT} (?P<t>[^:\n]+?) hinzugefügt$"),
    ("hinzugefügt", "added", r"(?P<t>Du) wurdest hinzugefügt$"),
    (" removed ", "removed", rf"{_WHO} removed (?P<t>[^:\n]+)$"),
    ("entfernt", "removed", rf"{_WHO} {_HAT} (?P<t>[^:\n]+?) entfernt$"),
    ("entfernt", "removed", r"(?P<t>Du) wurdest entfernt$"),
    # Lines WhatsApp writes that have no event of their own in the contract.
    (" ", "other",
     rf"{_WHO} (?:pinned a message|changed (?:the|this group's) (?:group )?settings.*|changed the settings.*|"
     r"turned (?:on|off) disappearing messages.*|reset this group's invite link|"
     r"started a (?:voice |video )?call|(?:updated|changed) the message timer.*|"
     r"made (?P<t>[^:\n]+?) an admin|(?:is|are) now an admin|(?:is|are) no longer an admin|"
     r"deleted this group|changed the group's settings.*|" + _HAT + r" (?:eine Nachricht angeheftet|"
     r"die Gruppeneinstellungen .*|selbstlöschende Nachrichten .*|den Einladungslink .*zurückgesetzt))$"),
    (" ", "other",
     r"(?:You're now an admin|You are now an admin|You're no longer an admin|Du bist jetzt Admin|"
     r"Waiting for this message\..*|Warte auf diese Nachricht.*|This message was deleted by (?:an )?admin.*|"
     r"Messages (?:to|you send to) this group are now secured.*|This group (?:is|was|has) .*|"
     r"Disappearing messages .*|Messages and calls .*)$"),
)


_COMPILED: dict[str, re.Pattern[str]] = {}


def classify(text: str) -> SystemEvent | None:
    """(event, actor, target, subject) for a recognised system line, else None."""
    for keyword, event, source in _RULES:
        if keyword in text:
            pattern = _COMPILED.get(source)
            if pattern is None:
                pattern = _COMPILED[source] = re.compile(source)
            m = pattern.match(text)
            if m is not None:
                g = m.groupdict()
                return event, _strip(g.get("a")), _strip(g.get("t")), g.get("s")
    return None


def _strip(name: str | None) -> str | None:
    return name.strip() if name else None
