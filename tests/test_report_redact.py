"""--redact: no pupil name, third-party name, phone number or e-mail survives in any format."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from report_fixtures import GENERATED, PHONES, PUPILS, ChatBuilder, group, sample

from whatsapp_audit.model import Evidence
from whatsapp_audit.report.formats import ReportFormat, render_report
from whatsapp_audit.report.redact import Redactor, is_phone, redact_result, redactor_for
from whatsapp_audit.report.view import ReportOptions, build


def rendered(fmt: ReportFormat, redact: bool = True, **kw) -> str:
    return render_report(build(sample(), group(), ReportOptions(redact=redact, generated=GENERATED, **kw)), fmt)


def phone_pattern(number: str) -> re.Pattern[str]:
    """The number's digits with any spacing or punctuation between them."""
    digits = re.sub(r"\D", "", number)
    return re.compile(r"[ .\-()\u00a0]?".join(digits))


SECRETS = ["Ellen Ashby", "priya.p@example.com", "Acacia Avenue", "M4 5BD", "asthma"]


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_redaction_leaves_no_pupil_name_or_phone_number(fmt):
    out = rendered(fmt)
    for name in PUPILS:
        assert not re.search(rf"(?i)\b{name}\b", out), name
    for number in PHONES:
        assert not phone_pattern(number).search(out), number
    for s in SECRETS:
        assert s not in out, s
    assert "[child]" in out and "[phone]" in out and "[email]" in out and "[address]" in out


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_unredacted_report_does_show_them(fmt):
    """The control: the fixture really contains what the redacted report must hide."""
    out = rendered(fmt, redact=False)
    assert re.search(r"\bJack\b", out)
    assert "07700 900 789" in out


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_report_says_it_is_redacted(fmt):
    out = rendered(fmt)
    if fmt is ReportFormat.csv:
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        assert rows and all(row["redacted"] == "yes" for row in rows)
    elif fmt is ReportFormat.json:
        assert json.loads(out)["report"]["redacted"] is True
    else:
        assert "Redacted report" in out


def test_redaction_with_member_filter_uses_the_whole_chat_map():
    # Ellen Ashby is flagged in Mohammed Khan's message; Tom Baker's context shows that message.
    out = rendered(ReportFormat.md, member="Tom Baker")
    assert "[name] lives at [address]" in out and "Ellen" not in out
    for name in PUPILS:
        assert not re.search(rf"(?i)\b{name}\b", out)


def test_member_names_stay_but_phone_authors_become_placeholders():
    red = redact_result(sample(), redactor_for(sample(), PUPILS))
    assert "Tom Baker" in red.chat.members and "Dave Rooney" in red.chat.members
    assert "[phone]" in red.chat.members and "+44 7700 900456" not in red.roster
    assert "[phone]" in red.roster


def test_several_phone_authors_stay_apart():
    b = ChatBuilder()
    b.say("2024-01-01T10:00:00", "+44 7700 900111", "hello")
    b.find("humour", "info", "hello")
    b.say("2024-01-01T10:01:00", "+44 7700 900222", "hi there")
    b.find("humour", "info", "hi")
    r = build(b.result(), None, ReportOptions(redact=True, generated=GENERATED))
    assert [s.member for s in r.summary] == ["[phone 1]", "[phone 2]"]
    assert sum(s.total for s in r.summary) == 2


def test_redaction_keeps_highlighting_on_the_placeholder():
    doc = rendered(ReportFormat.html)
    assert "<mark>[child]</mark> came home" in doc
    assert "<mark>[phone]</mark>" in doc and "<mark>[email]</mark>" in doc
    md = rendered(ReportFormat.md)
    assert "**[child]** came home" in md


def test_evidence_offsets_are_remapped():
    res = sample()
    red = redact_result(res, redactor_for(res, PUPILS))
    for f in red.findings:
        if f.message is None:
            continue
        for e in f.evidence:
            assert f.message.text[e.start:e.end] == e.text
    details = next(f for f in red.findings if f.category == "personal-details" and f.severity.name == "breach")
    assert details.message.text == "[name] lives at [address], [child] has [detail]"
    assert [e.text for e in details.evidence] == ["[address]", "[detail]"]


def test_redactor_unit_cases():
    r = Redactor({"Sophie": "[child]", "Dave Rooney": "[name]"}, keep=["Jane Smith"])
    assert r.text("SOPHIE's bag and sophie’s coat") == "[child]'s bag and [child]’s coat"
    assert r.text("Sophiea is not Sophie") == "Sophiea is not [child]"
    assert r.text("ask dave rooney or Dave") == "ask [name] or Dave"
    assert r.text("mail sophie.smith@example.org now") == "mail [email] now"
    assert r.text("ring 07700900789, +44 (0)161 496 0123 or 020 7946 0000") == "ring [phone], [phone] or [phone]"
    assert r.text("Jane Smith lives at 4 Elm Close, AB1 2DE") == "Jane Smith lives at [address], [address]"
    # not phone numbers: dates, times, money, years
    for t in ("on 2023-10-02 at 19:30", "£340 raised", "04/09/2023", "years 2023 2024 2025", "ref 12345678"):
        assert r.text(t) == t


def test_offset_map_around_replacements():
    r = Redactor({"Jack": "[child]"})
    red = r.redact("Hi Jack and Jack!")
    assert red.text == "Hi [child] and [child]!"
    ev = red.evidence([Evidence("Jack", 3, 7), Evidence("and", 8, 11), Evidence("ac", 4, 6), Evidence("!", 16, 17)])
    assert [e.text for e in ev] == ["[child]", "and", "[child]", "!"]


def test_is_phone():
    assert is_phone("+44 7700 900456") and is_phone("\u202a+44 7700 900456\u202c") and is_phone("07700 900123")
    assert not is_phone("Jane Smith") and not is_phone("2023") and not is_phone("Year 4 Oak")
