"""The report view: one summary computation, filters, grouping, context and the escalation path."""

from __future__ import annotations

from collections import Counter

import pytest
from report_fixtures import GENERATED, ChatBuilder, group, sample

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Severity
from whatsapp_audit.report.escalation import INVESTIGATE, LOCAL, REMOVE, Pathway
from whatsapp_audit.report.formats import ReportFormat, render_report
from whatsapp_audit.report.view import ReportOptions, build, long_when
from whatsapp_audit.roster.group import School


def view(result=None, grp=None, **opts):
    opts.setdefault("generated", GENERATED)
    return build(result or sample(), grp if grp is not None else group(), ReportOptions(**opts))


def counts_of(findings) -> Counter:
    return Counter((f.member or "(group)", f.category) for f in findings)


@pytest.mark.parametrize("opts", [{}, {"member": "Tom Baker"}, {"since": "2023-10-01"}, {"until": "2023-09-30"},
                                  {"since": "2023-09-12", "until": "2023-10-05"}, {"redact": True}])
def test_summary_counts_equal_the_findings(opts):
    r = view(**opts)
    table = Counter({(s.member, c): n for s in r.summary for c, n in s.counts.items() if n})
    assert table == counts_of(r.result.findings)
    assert sum(s.total for s in r.summary) == len(r.items) == len(r.result.findings)
    assert sum(len(sec.items) for sec in r.by_member) == len(r.items)
    assert sum(len(sec.items) for sec in r.by_category) == len(r.items)
    for s in r.summary:
        for c, worst in s.worst.items():
            assert worst == max(f.severity for f in r.result.findings if f.member == s.member and f.category == c)


def test_summary_is_the_scan_summary():
    """Reports and the terminal scan output share ScanResult.summary()."""
    res = sample()
    r = view(res)
    assert [(s.member, dict(s.counts)) for s in r.summary] == [(s.member, dict(s.counts)) for s in res.summary()]


def test_members_with_findings_first_and_clean_members_listed():
    r = view()
    totals = [s.total for s in r.summary]
    first_clean = totals.index(0)
    assert all(totals[:first_clean]) and not any(totals[first_clean:])
    assert set(r.clean_members) == {"+44 7700 900456", "Grace Holloway"}
    assert r.summary[0].worst_overall is Severity.breach


def test_member_filter():
    r = view(member="tom  BAKER")
    assert {it.member for it in r.items} == {"Tom Baker"}
    assert [s.member for s in r.summary] == ["Tom Baker"]
    assert len(r.items) == 3
    assert "member: tom  BAKER" in r.filters
    md = render_report(r, ReportFormat.md)
    assert "### Tom Baker" in md and "### Mohammed Khan" not in md


def test_member_filter_by_phone_number_and_roster_phone():
    b = ChatBuilder()
    b.say("2024-01-01T10:00:00", "+44 7700 900123", "lol")
    b.find("humour", "info", "lol")
    res = b.result(roster=["Jane Smith"])
    assert view(res, member="+447700900123").items[0].member == "+44 7700 900123"
    assert view(res, member="Jane Smith").items[0].member == "+44 7700 900123"   # her phone in group.yaml


def test_unknown_member_is_bad_input():
    with pytest.raises(UserError) as e:
        view(member="Nobody Here")
    assert e.value.exit_code == 2 and "Nobody Here" in str(e.value)


def test_since_until_filter():
    r = view(since="2023-10-01", until="2023-10-05")
    stamps = [it.message.timestamp for it in r.items if it.message]
    assert stamps and all("2023-10-01" <= t[:10] <= "2023-10-05" for t in stamps)
    assert any(it.message is None for it in r.items)     # roster findings are about the whole chat
    assert len(view(until="2023-09-06").items) == 2 + 1  # Jack, Sophie's (19:40, 19:45) and the roster finding


def test_context_is_up_to_two_messages_either_side():
    r = view()
    jack = next(it for it in r.items if it.message and it.message.text.startswith("Jack"))
    assert [m.index for m in jack.before] == [0, 1]
    assert [m.index for m in jack.after] == [3, 4]
    last = max((it for it in r.items if it.message), key=lambda it: it.message.index)
    assert len(last.after) <= 2


def test_media_note():
    it = next(it for it in view().items if it.finding.category == "media")
    assert it.media_note and "image" in it.media_note and "hides" in it.media_note


def test_next_steps_follow_the_pathway():
    steps = {it.finding.category: it.next_step for it in view().items}
    assert steps["investigation-posting"].stage == REMOVE
    assert steps["membership"].stage == REMOVE
    assert steps["abusive"].stage == INVESTIGATE and "two weeks" in steps["abusive"].text
    assert steps["humour"].stage == LOCAL and "class rep (Jane Smith)" in steps["humour"].text
    assert steps["media"].stage == LOCAL


def test_school_names_come_from_the_group_file():
    grp = group(name="Holy Family RC Primary", escalation="Mr Example, Assistant Head", appeal="the Governors")
    r = view(grp=grp)
    md = render_report(r, ReportFormat.md)
    assert "Holy Family RC Primary" in md and "Mr Example, Assistant Head" in md and "the Governors" in md
    assert "Mrs Diver" not in md.replace("Mrs Diver said", "")


def test_defaults_without_a_group_file():
    p = Pathway.from_group(None)
    assert p.school == School()
    text = " ".join(v for _, v in p.stages())
    assert "the Deputy Headteacher" in text and "the Head Teacher" in text and "the PTA class rep" in text
    r = build(sample(), None, ReportOptions(generated=GENERATED))
    assert r.group_name == "Year 4 Oak Class Parents"


def test_long_when():
    assert long_when("2023-10-03T19:30:00") == "Tue 3 Oct 2023, 19:30"
