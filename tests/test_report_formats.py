"""Structure of each report format, escaping, and CSV formula injection (hand-built ScanResults)."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from report_fixtures import GENERATED, ChatBuilder, group, sample

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.report.formats import ReportFormat, render_report
from whatsapp_audit.report.formats.csv_format import COLUMNS, safe
from whatsapp_audit.report.formats.markdown import esc
from whatsapp_audit.report.view import ReportOptions, build


def report(result=None, grp=None, **opts):
    opts.setdefault("generated", GENERATED)
    return build(result or sample(), grp if grp is not None else group(), ReportOptions(**opts))


def render(fmt: str, result=None, grp=None, **opts) -> str:
    return render_report(report(result, grp, **opts), ReportFormat(fmt))


class Tags(HTMLParser):
    """Collects every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(doc: str) -> Tags:
    p = Tags()
    p.feed(doc)
    p.close()
    return p


# ---------------------------------------------------------------- HTML

def test_html_is_one_self_contained_page():
    doc = render("html")
    assert doc.startswith("<!DOCTYPE html>")
    p = parse_html(doc)
    names = [t for t, _ in p.tags]
    assert "script" not in names
    assert not [t for t, a in p.tags if t == "link" or t == "img" or t == "iframe" or "src" in a]
    assert not re.search(r"(?i)@import|@font-face|url\(", doc)
    assert not re.search(r"(?i)https?://(?!x\b)", doc.replace('"http://x"', ""))   # only the chat's own text
    csp = [a for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]
    assert names.count("style") == 1
    assert "@media print" in doc and "size: A4" in doc and "break-before: page" in doc


def test_html_header_has_the_facts():
    r = report()
    doc = render_report(r, ReportFormat.html)
    text = " ".join(parse_html(doc).text)
    c = r.result.chat
    for fact in ("Year 4 Oak Class Parents", c.name, c.sha256, "2023-09-04 08:00", "2024-03-20 09:20",
                 "test pack 1.2", "wa-audit 0.1.0", "2024-04-01T09:30:00", "St Elizabeth's Catholic Primary School"):
        assert fact in text, fact
    assert f"{c.messages}" in text


def test_html_tables_have_headers_and_severity_in_words():
    doc = render("html")
    p = parse_html(doc)
    assert any(t == "th" and a.get("scope") == "col" for t, a in p.tags)
    assert any(t == "th" and a.get("scope") == "row" for t, a in p.tags)
    assert "<caption" in doc
    text = " ".join(p.text)
    # severity is written, not only coloured
    assert "breach" in text and "warning" in text and "info" in text
    assert re.search(r'<abbr class="sev s-breach" title="breach">B</abbr>', doc)


def test_html_sections_per_member_and_category():
    r = report()
    doc = render_report(r, ReportFormat.html)
    ids = {a.get("id") for _, a in parse_html(doc).tags}
    for sec in r.by_member:
        assert sec.anchor in ids
    for sec in r.by_category:
        assert sec.anchor in ids
    for it in r.items:
        assert it.anchor in ids
    assert doc.count('class="member"') == len(r.by_member)
    # every finding's next step and policy clause are shown
    for it in r.items:
        assert escape_html(it.next_step.text) in doc
        assert escape_html(it.clause) in doc


def escape_html(s: str) -> str:
    from html import escape
    return escape(s, quote=True)


def test_html_escapes_everything_from_the_chat():
    doc = render("html")
    assert "<script" not in doc.lower()
    assert "<img" not in doc.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "&lt;img src=x onerror=alert(2)&gt;" in doc
    p = parse_html(doc)
    assert not [a for _, a in p.tags if any(k.startswith("on") for k in a)]
    assert "<script>alert(1)</script>" in "".join(p.text)    # ... and shows as text


def test_html_escapes_group_file_and_pack_strings():
    b = ChatBuilder().say("2024-01-01T10:00:00", '<b onmouseover="x">Evil</b>', "hi <svg/onload=alert(3)>")
    b.find("humour", "info", "hi")
    res = b.result(group_name='"><script>alert(4)</script>')
    grp = group(name="<i>School</i>", escalation="<script>x</script>", appeal="&amp;")
    doc = render("html", res, grp)
    assert "<script" not in doc.lower() and "<svg" not in doc.lower() and "<b " not in doc and "<i>" not in doc
    assert "&amp;amp;" in doc


def test_html_personal_data_notice_unless_redacted():
    text = " ".join(parse_html(render("html")).text)
    assert "Contains children's personal data — store securely" in text
    red = " ".join(parse_html(render("html", redact=True)).text)
    assert "store securely" not in red.lower()
    assert "Redacted report" in red


def test_html_highlights_evidence():
    doc = render("html")
    assert "<mark>shambles</mark>" in doc
    assert "<mark>useless</mark>" in doc and "<mark>rubbish</mark>" in doc


def test_html_media_finding_names_type_and_hidden_content():
    doc = render("html")
    assert "Media type: image" in doc
    assert "export hides the content" in doc
    assert "&lt;image omitted from the export&gt;" in doc


def test_html_without_findings():
    b = ChatBuilder().say("2024-01-01T10:00:00", "Jane Smith", "PE kit tomorrow please")
    doc = render("html", b.result(roster=["Jane Smith", "Tom Baker"]))
    assert "No findings." in doc
    assert "Tom Baker" in doc and "Jane Smith" in doc    # still shows who was checked


# ---------------------------------------------------------------- Markdown

def test_markdown_structure():
    r = report()
    md = render_report(r, ReportFormat.md)
    lines = md.splitlines()
    assert lines[0].startswith("# WhatsApp group breach report")
    for h in ("## Breach summary per member", "## Escalation pathway", "## Findings by member",
              "## Findings by category"):
        assert h in lines
    assert sum(1 for ln in lines if ln.startswith("#### F")) == len(r.items)
    assert sum(1 for ln in lines if ln.startswith("### ")) == len(r.by_member) + len(r.by_category)
    # the summary table has a row per member, each with the same number of cells as the header
    start = lines.index("| Member | " + " | ".join(r.columns) + " | Total | Worst |")
    rows = lines[start + 2: start + 2 + len(r.summary)]
    assert all(ln.startswith("| ") for ln in rows)
    assert {len(re.split(r"(?<!\\)\|", ln)) for ln in rows} == {len(r.columns) + 5}
    assert "Contains children's personal data" in md
    assert "**shambles**" in md


def test_markdown_escapes_markup():
    md = render("md")
    assert not re.search(r"(?<!\\)<(script|img|/script)", md)
    assert r"\<script\>alert(1)\</script\>" in md
    assert esc("[x](http://e)") == r"\[x\](http://e)"
    assert esc("# not a heading") == r"\# not a heading"
    assert esc("- not a list\n1. nor this") == "\\- not a list\n1\\. nor this"
    assert esc("a | b") == r"a \| b"
    assert esc("[child] said [phone 2]") == "[child] said [phone 2]"
    assert esc("[child]: http://evil") == r"\[child\]: http://evil"


# ---------------------------------------------------------------- CSV

def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_one_row_per_finding():
    r = report()
    text = render_report(r, ReportFormat.csv)
    rows = read_csv(text)
    assert list(rows[0].keys()) == COLUMNS
    assert len(rows) == len(r.items) == len(sample().findings)
    assert [row["finding"] for row in rows] == [it.ref for it in r.items]
    by = {row["finding"]: row for row in rows}
    media = next(it for it in r.items if it.finding.category == "media")
    assert by[media.ref]["media"] == "image"
    assert "export hides the content" in by[media.ref]["explanation"]
    assert all(row["next_step"] in ("local resolution", "investigation", "removal") for row in rows)
    assert all(row["redacted"] == "no" for row in rows)
    assert text.endswith("\r\n")


@pytest.mark.parametrize("value", ["=1+1", "+44 7700 900456", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd",
                                   '=HYPERLINK("http://x")'])
def test_csv_neutralises_formula_cells(value):
    assert safe(value) == "'" + value


@pytest.mark.parametrize("value", ["hello", "", "1+1", " =x", "[child] is here", "'quoted"])
def test_csv_leaves_other_cells(value):
    assert safe(value) == value


def test_csv_no_cell_starts_a_formula():
    b = ChatBuilder()
    for i, t in enumerate(["=cmd|'/c calc'!A0", "+1", "-1", "@SUM(1)", "\tx", "\rx"]):
        b.say(f"2024-01-0{i + 1}T10:00:00", "-Minus Member", t)
        b.find("humour", "info")
    rows = list(csv.reader(io.StringIO(render("csv", b.result()), newline="")))
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert rows[1][COLUMNS.index("member")] == "'-Minus Member"
    assert rows[1][COLUMNS.index("message")] == "'=cmd|'/c calc'!A0"


# ---------------------------------------------------------------- JSON

def test_json_keeps_the_scan_contract_and_adds_report_fields():
    r = report()
    doc = json.loads(render_report(r, ReportFormat.json))
    contract = sample().to_dict()
    assert set(contract) <= set(doc)
    assert set(contract["chat"]) <= set(doc["chat"])
    assert doc["summary"] == contract["summary"]
    for f, base in zip(doc["findings"], contract["findings"], strict=True):
        for k, v in base.items():
            if k == "message" and v is not None:
                assert {kk: f["message"][kk] for kk in v} == v
            else:
                assert f[k] == v, k
        assert f["id"].startswith("F") and f["next_step"]["stage"] and "before" in f["context"]
    rep = doc["report"]
    assert rep["redacted"] is False
    assert rep["school"]["escalation"] == "Mrs Diver, Deputy Headteacher"
    assert rep["group"] == "Year 4 Oak Class Parents"
    assert [m["member"] for m in rep["members"]] == [s.member for s in r.summary]
    assert rep["generated"] == "2024-04-01T09:30:00"


def test_json_context_and_media():
    doc = json.loads(render("json"))
    media = next(f for f in doc["findings"] if f["category"] == "media")
    assert media["message"]["media"] == "image" and "export hides" in media["media_note"]
    system = [m for f in doc["findings"] for m in f["context"]["before"] if m["kind"] == "system"]
    assert system and all(m["author"] is None for m in system)


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_renders_an_empty_result(fmt):
    res = ChatBuilder().result()
    out = render_report(build(res, None, ReportOptions(generated=GENERATED)), fmt)
    assert out


def test_category_titles_cover_every_category():
    assert set(CATEGORIES) >= {f.category for f in sample().findings}


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_renders_findings_kept_in_the_temporary_file(fmt, monkeypatch):
    """A big chat's findings beyond the first few thousand wait in a temporary file (spool.py) and come back
    as new objects each time they are read: every format gives what it gives when all are in memory."""
    from whatsapp_audit import spool

    in_memory = render(fmt.value)
    monkeypatch.setattr(spool, "IN_MEMORY", 2)
    spilled = sample()
    assert len(spilled.findings) > 2 and spilled.findings._spilled
    assert render(fmt.value, spilled) == in_memory
