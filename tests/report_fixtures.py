"""Hand-built ScanResults for the report tests (no parser or rules needed). Synthetic people only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Evidence, Finding, Message, Severity
from whatsapp_audit.results import ChatInfo, ScanResult
from whatsapp_audit.roster.group import Group, Investigation, Member, School

PUPILS = ["Sophie", "Jack", "Aarav", "Maya"]
PHONES = ["07700 900 789", "+44 7700 900456", "0161 496 0123"]
GENERATED = datetime(2024, 4, 1, 9, 30)


@dataclass
class ChatBuilder:
    """Messages in order; `find()` attaches a finding to the last message added (or to a roster member)."""

    name: str = "WhatsApp Chat with Year 4 Oak Class Parents.txt"
    messages: list[Message] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def say(self, ts: str, author: str | None, text: str, kind: str = "text", media: str | None = None,
            **kw) -> ChatBuilder:
        i = len(self.messages)
        self.messages.append(Message(i, 2 * i + 1, ts, author, text, kind, media=media, **kw))
        return self

    def find(self, category: str, severity: str = "warning", *spans: str | tuple[str, str],
             rule: str | None = None, explanation: str = "", subject: str | None = None,
             on: int | None = None) -> ChatBuilder:
        msg = None if subject is not None else self.messages[on if on is not None else -1]
        evidence = []
        for s in spans:
            text, label = (s, None) if isinstance(s, str) else s
            assert msg is not None
            start = msg.text.index(text)
            evidence.append(Evidence(text, start, start + len(text), label))
        self.findings.append(Finding(rule or f"test-{category}", category, Severity[severity], msg, evidence,
                                     explanation or f"Test finding: {CATEGORIES[category].title}.",
                                     CATEGORIES[category].clause, subject))
        return self

    def result(self, roster: list[str] | None = None, group_name: str | None = "Year 4 Oak Class Parents",
               context: int = 2) -> ScanResult:
        members = list(dict.fromkeys(m.author for m in self.messages if m.author is not None))
        wanted = set()
        for f in self.findings:
            if f.message is not None:
                wanted.update(range(f.message.index - context, f.message.index + context + 1))
        ctx = {m.index: m for m in self.messages if m.index in wanted}
        info = ChatInfo(path=f"/tmp/{self.name}", name=self.name, dialect="android-dmy-24h",
                        sha256="ab" * 32, messages=len(self.messages), members=members,
                        first=self.messages[0].timestamp if self.messages else None,
                        last=self.messages[-1].timestamp if self.messages else None)
        return ScanResult(chat=info, findings=list(self.findings), pack_name="test pack", pack_version="1.2",
                          pack_sha256="cd" * 32, group_name=group_name, roster=roster or [], context=ctx,
                          tool_version="0.1.0")


def group(**school: str) -> Group:
    return Group(
        name="Year 4 Oak Class Parents",
        members=[Member("Jane Smith", "+44 7700 900123", "class-rep"), Member("Tom Baker"), Member("Priya Patel"),
                 Member("Sarah O'Neill"), Member("Kwame Mensah"), Member("Mohammed Khan"),
                 Member("Chloe Wright", left=date(2024, 2, 1)), Member("+44 7700 900456"),
                 Member("Grace Holloway")],
        staff=["Mrs Diver", "Mr Okafor"],
        pupils=list(PUPILS),
        investigations=[Investigation(["Tom Baker"], date(2024, 3, 4), None)],
        school=School(**school) if school else School(
            name="St Elizabeth's Catholic Primary School", escalation="Mrs Diver, Deputy Headteacher",
            appeal="the Head Teacher"),
    )


def sample() -> ScanResult:
    """A small chat with most kinds of finding, hostile markup, names, phone numbers and media."""
    b = ChatBuilder()
    b.say("2023-09-04T08:00:00", None, "Jane Smith created group \"Year 4 Oak Class Parents\"", "system",
          event="created", actor="Jane Smith")
    b.say("2023-09-04T08:12:00", "Jane Smith", "Morning all and welcome to Year 4 Oak! 🌳\nSchool info only please.")
    b.say("2023-09-06T19:40:00", "Tom Baker", "Jack came home without his jumper again, has anyone seen it?")
    b.find("personal-names", "warning", ("Jack", "pupil"), explanation="Names a pupil (Jack).")
    b.say("2023-09-06T19:45:00", "Sarah O'Neill", "Check lost property, Sophie's mum found one")
    b.find("personal-names", "warning", ("Sophie", "pupil"))
    b.say("2023-09-12T20:02:00", "Mohammed Khan", "", "media", media="image")
    b.find("media", "warning", explanation="image media posted (the export does not include it)")
    b.say("2023-09-12T20:05:00", "Kwame Mensah", "😂😂😂 <script>alert(1)</script>")
    b.find("humour", "info", "😂😂😂")
    b.say("2023-09-20T21:15:00", "Chloe Wright", "=HYPERLINK(\"http://x\") this school is a shambles")
    b.find("grievance", "warning", "shambles")
    b.say("2023-09-20T21:18:00", "Tom Baker", "Mr Okafor is useless <img src=x onerror=alert(2)> & rubbish")
    b.find("abusive", "breach", "useless", "rubbish")
    b.say("2023-10-02T18:00:00", "Priya Patel", "Need a lift? call me on 07700 900 789 or mail priya.p@example.com")
    b.find("personal-details", "warning", ("07700 900 789", "phone"), ("priya.p@example.com", "email"))
    b.say("2023-10-03T19:30:00", "Sarah O'Neill", "Vote Labour on Thursday!")
    b.find("political", "warning", "Vote Labour")
    b.say("2023-10-05T08:40:00", "+44 7700 900456", "Does anyone know if the book fair takes cards? -1 for cash")
    b.say("2023-10-05T08:42:00", "Jane Smith", "@Aarav's dad: cash or card both fine 👍 ring 0161 496 0123")
    b.find("personal-names", "warning", ("Aarav", "pupil"))
    b.say("2023-10-18T21:00:00", "Mohammed Khan", "Ellen Ashby lives at 12 Acacia Avenue, M4 5BD, Maya has asthma")
    b.find("personal-names", "warning", ("Ellen Ashby", "name"), ("Maya", "child"))
    b.find("personal-details", "breach", ("12 Acacia Avenue, M4 5BD", "address"), ("asthma", "health"))
    b.say("2024-03-06T20:00:00", "Tom Baker", "+Does anyone know when the reports come out?")
    b.find("investigation-posting", "breach", explanation="Tom Baker posted during an open investigation.")
    b.say("2024-03-12T08:00:00", "Dave Rooney", "Hi all, can I still get tickets?")
    b.find("membership", "warning", subject="Chloe Wright", explanation="Chloe Wright left the class but is "
           "still in the group.")
    b.find("membership", "warning", explanation="Dave Rooney is not on the class roster.")
    b.say("2024-03-20T09:20:00", "Priya Patel", "Well done MAYA on her certificate")
    return b.result(roster=[m.name for m in group().members])
