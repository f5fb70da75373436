"""`report --format csv`: one row per finding, for the deputy head's spreadsheet.

Cells that a spreadsheet would read as a formula (starting with =, +, -, @, tab or carriage return) get a
leading apostrophe, so a chat message such as `=HYPERLINK(...)` stays text. UTF-8 without a BOM, RFC 4180
quoting, CRLF line ends. Every row carries the export's SHA-256 and how many signs of editing it shows (the
signs themselves are in the HTML, Markdown and JSON reports: they are not findings).
"""

from __future__ import annotations

import csv
from typing import TextIO

from whatsapp_audit.report.view import Report, severity_word

COLUMNS = ["finding", "member", "date", "time", "category", "category_title", "severity", "rule", "message",
           "evidence", "media", "context_before", "context_after", "explanation", "policy", "next_step",
           "next_step_detail", "line", "index", "redacted", "export_sha256", "integrity_signs"]

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> str:
    """The cell as text, neutralised against spreadsheet formula injection."""
    s = "" if value is None else str(value)
    return "'" + s if s.startswith(_TRIGGERS) else s


def _line(author: str, when: str, text: str) -> str:
    return f"[{when}] {author}: {text}"


def write_report(r: Report, out: TextIO) -> None:
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for it in r.items:
        f, m = it.finding, it.message
        text = ""
        if m is not None:
            text = " ".join(x for x in (m.placeholder, m.text) if x)
        row = [
            it.ref, it.member,
            m.when[:10] if m else "", m.when[11:16] if m else "",
            f.category, it.category.title, severity_word(f.severity), f.rule,
            text,
            " | ".join(e.text for e in f.evidence),
            (m.media or "unknown") if m is not None and m.kind == "media" else "",
            "\n".join(_line(b.author, b.when, " ".join(x for x in (b.placeholder, b.text) if x)) for b in it.before),
            "\n".join(_line(a.author, a.when, " ".join(x for x in (a.placeholder, a.text) if x)) for a in it.after),
            f.explanation + (f" {it.media_note}" if it.media_note else ""),
            it.clause, it.next_step.stage, it.next_step.text,
            m.line if m else "", m.index if m else "",
            "yes" if r.redacted else "no",
            r.result.chat.sha256, len(r.result.integrity),
        ]
        w.writerow([safe(v) for v in row])
