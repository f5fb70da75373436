"""`wa-audit report` end to end: parse -> rules -> report, files, filters and exit codes.

Uses its own small rule pack so it does not depend on the wording of the shipped rules.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
from pathlib import Path

import pytest

pytest.importorskip("whatsapp_audit.parse")

from whatsapp_audit.cli import main

CHAT = """\
04/09/2023, 08:00 - Jane Smith created group "Year 4 Oak Class Parents"
04/09/2023, 08:12 - Jane Smith: Morning all, PE kit on Tuesdays please
06/09/2023, 19:40 - Tom Baker: Sophie's coat is in lost property, ring me on 07700 900 789
12/09/2023, 20:02 - Mohammed Khan: <Media omitted>
20/09/2023, 21:18 - Tom Baker: Mr Okafor is useless <script>alert(1)</script>
03/10/2023, 19:30 - +44 7700 900456: =HYPERLINK("http://x") useless again, ask JACK
05/10/2023, 08:42 - Jane Smith: Thanks all, cake sale on Friday
"""

GROUP = """\
group: Year 4 Oak Class Parents
members:
  - {name: Jane Smith, role: class-rep}
  - {name: Tom Baker}
  - {name: Mohammed Khan}
  - {name: Priya Patel}
  - {name: "+44 7700 900456"}
staff: [Mr Okafor]
pupils: [Sophie, Jack]
school:
  name: Holy Family Example School
  escalation: Mr Example, Deputy Head
  appeal: the Chair of Governors
"""

RULES = """\
name: report test rules
version: "9.9"
rules:
  - id: t-abusive
    category: abusive
    severity: breach
    type: regex
    message: Insulting a member of staff.
    policy: "Post abusive or personal comments about staff"
    patterns: ["\\\\buseless\\\\b"]
    examples: {breach: ["he is useless"], clean: ["a useful tip"]}
  - id: t-phone
    category: personal-details
    severity: warning
    type: regex
    message: A phone number.
    policy: "children's names and personal details should never be used"
    patterns: ["\\\\b07\\\\d{3} ?\\\\d{3} ?\\\\d{3}\\\\b"]
    examples: {breach: ["call 07700 900 789"], clean: ["call the office"]}
  - id: t-media
    category: media
    severity: warning
    type: media
    message: Media posted.
    policy: "Identify or post images/videos of pupils"
    examples: {breach: [{kind: media, media: image, text: ""}], clean: ["photos are on the website"]}
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "chat.txt").write_text(CHAT, encoding="utf-8")
    (tmp_path / "group.yaml").write_text(GROUP, encoding="utf-8")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    return {k: str(tmp_path / f) for k, f in (("chat", "chat.txt"), ("group", "group.yaml"), ("rules", "rules.yaml"))}


def run(files: dict[str, str], *args: str) -> int:
    return main(["report", files["chat"], "--group", files["group"], "--rules", files["rules"], "--no-ner", *args])


def test_html_to_file(files, tmp_path, capsys):
    out = tmp_path / "report.html"
    assert run(files, "-o", str(out)) == 1          # breach found: exit 1, report still written
    doc = out.read_text(encoding="utf-8")
    assert doc.startswith("<!DOCTYPE html>")
    assert "<script" not in doc.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "Holy Family Example School" in doc and "Mr Example, Deputy Head" in doc
    assert "the Chair of Governors" in doc
    assert "report test rules 9.9" in doc and "chat.txt" in doc
    assert re.search(r"[0-9a-f]{64}", doc)
    assert "Contains children's personal data" in doc
    assert "Priya Patel" in doc                       # on the roster, no findings: still listed
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    assert capsys.readouterr().out == ""


def test_format_from_suffix_and_stdout(files, tmp_path, capsys):
    assert run(files, "-o", str(tmp_path / "r.md"), "--fail-on", "never") == 0
    assert (tmp_path / "r.md").read_text().startswith("# WhatsApp group breach report")
    assert run(files, "--format", "csv", "--fail-on", "never") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))
    assert len(rows) == 4
    assert next(r for r in rows if r["member"].startswith("'+44"))["message"].startswith("'=HYPERLINK")


def test_json_report(files, capsys):
    assert run(files, "-f", "json", "--fail-on", "never") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["chat"]["messages"] == 7
    assert doc["rules"]["name"] == "report test rules"
    assert sum(sum(c.values()) for c in doc["summary"].values()) == len(doc["findings"]) == 4
    assert doc["report"]["school"]["appeal"] == "the Chair of Governors"
    media = next(f for f in doc["findings"] if f["category"] == "media")
    assert media["message"]["media"] == "unknown" or media["message"]["kind"] == "media"


@pytest.mark.parametrize("fmt", ["html", "md", "csv", "json"])
def test_redact_end_to_end(files, capsys, fmt):
    assert run(files, "-f", fmt, "--redact", "--fail-on", "never") == 0
    out = capsys.readouterr().out
    for name in ("Sophie", "Jack"):
        assert not re.search(rf"(?i)\b{name}\b", out)
    for digits in ("07700900789", "447700900456"):
        assert not re.search(r"[ .\-()]?".join(digits), out)
    assert "[child]" in out and "[phone]" in out
    assert "Tom Baker" in out


def test_member_filter(files, capsys):
    assert run(files, "-f", "json", "--member", "tom baker", "--fail-on", "never") == 0
    doc = json.loads(capsys.readouterr().out)
    assert {f["message"]["author"] for f in doc["findings"]} == {"Tom Baker"}
    assert list(doc["summary"]) == ["Tom Baker"]
    assert [m["member"] for m in doc["report"]["members"]] == ["Tom Baker"]


def test_since_filter(files, capsys):
    assert run(files, "-f", "json", "--since", "2023-09-15", "--fail-on", "never") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"] and all(f["message"]["timestamp"] >= "2023-09-15" for f in doc["findings"])
    assert doc["chat"]["first"] >= "2023-09-15"


def test_until_filter(files, capsys):
    assert run(files, "-f", "json", "--until", "2023-09-12", "--fail-on", "never") == 0
    doc = json.loads(capsys.readouterr().out)
    assert {f["category"] for f in doc["findings"]} == {"personal-details", "media"}


def test_refuses_to_overwrite_the_chat(files, capsys):
    before = Path(files["chat"]).read_text()
    assert run(files, "-o", files["chat"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert Path(files["chat"]).read_text() == before


def test_bad_input_exits_2(files, tmp_path, capsys):
    assert run(files, "--member", "Nobody") == 2
    assert "Nobody" in capsys.readouterr().err
    assert run(files, "--since", "2023-13-45") == 2
    assert run(files, "-o", str(tmp_path / "missing" / "r.html")) == 2
    assert main(["report", str(tmp_path / "nope.txt")]) == 2


def test_existing_report_is_replaced_whole(files, tmp_path):
    out = tmp_path / "r.html"
    out.write_text("old report")
    run(files, "-o", str(out))
    assert out.read_text().startswith("<!DOCTYPE html>")
