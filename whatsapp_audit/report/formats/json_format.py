"""`--format json`: the scan contract (../shared/CONTRACT.md) plus the pack and tool versions.

`scan` prints `render(result)`; `report` prints `write_report(report)`: the same document (of the
filtered, and with --redact redacted, result) with the report's extra fields added, never renamed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import Any, TextIO

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Message
from whatsapp_audit.report.view import Report, Shown, severity_word
from whatsapp_audit.results import ScanResult


def render(result: ScanResult) -> str:
    buf = io.StringIO()
    write(result, buf)
    return buf.getvalue()


def write(result: ScanResult, out: TextIO) -> None:
    """`result.to_dict()` as JSON, written one finding at a time: a big chat's findings are never all in
    memory (spool.py), so neither is their JSON."""
    _write_document(out, result.head_dict(), (f.to_dict() for f in result.findings), result.tail_dict())


def _write_document(out: TextIO, head: dict[str, Any], findings: Iterable[dict[str, Any]],
                    tail: dict[str, Any]) -> None:
    """{**head, "findings": [...], **tail}. The document is indented; each finding is one line (easy to grep,
    and json's C encoder only runs without indentation: 5x faster, and the indenting encoder's pieces of a
    25,000-finding report took 0.5 GB)."""
    start = _dump(head).rstrip("\n")                      # {\n  "chat": ...\n}
    out.write(start[:-2] + ',\n  "findings": [')
    first = True
    for d in findings:
        out.write(("\n    " if first else ",\n    ") + json.dumps(d, ensure_ascii=False))
        first = False
    out.write("]" if first else "\n  ]")
    if not tail:
        out.write("\n}\n")
        return
    end = _dump(tail)                                      # {\n  "summary": ...\n}\n
    out.write(",\n" + end[2:])


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _shown(m: Shown) -> dict[str, Any]:
    author = None if m.kind == "system" else m.author
    d: dict[str, Any] = {"index": m.index, "line": m.line, "timestamp": m.timestamp, "author": author,
                         "text": m.text, "kind": m.kind}
    if m.media is not None:
        d["media"] = m.media
    return d


def report_dict(r: Report) -> dict[str, Any]:
    res = r.result
    # The findings in scan order, from the report's own items: a big result's findings live in a temporary
    # file (spool.py), and reading them again would give other objects than the items hold.
    in_order = sorted(r.items, key=lambda it: it.seq)
    doc = {**res.head_dict(), "findings": [it.finding.to_dict() for it in in_order], **res.tail_dict()}
    for it, d in zip(in_order, doc["findings"], strict=True):
        f = it.finding
        d["id"] = it.ref
        d["member"] = it.member
        d["category_title"] = it.category.title
        d["policy"] = it.clause
        if f.message is not None:
            msg: Message = f.message
            d["message"]["text"] = msg.text
            d["message"]["kind"] = msg.kind
            if msg.media is not None:
                d["message"]["media"] = msg.media
        d["context"] = {"before": [_shown(m) for m in it.before], "after": [_shown(m) for m in it.after]}
        d["next_step"] = {"stage": it.next_step.stage, "text": it.next_step.text}
        if it.media_note:
            d["media_note"] = it.media_note
    first, last = r.period
    school = r.pathway.school
    doc["report"] = {
        "group": r.group_name,
        "school": {"name": school.name, "escalation": school.escalation, "appeal": school.appeal},
        "generated": r.generated,
        "redacted": r.redacted,
        "filters": {"member": r.opts.member, "since": r.opts.since, "until": r.opts.until,
                    "only": r.opts.only, "skip": r.opts.skip},
        "period": {"first": first or None, "last": last or None},
        "roster_size": r.roster_size,
        "members": [{"member": s.member, "total": s.total, "worst": severity_word(s.worst_overall),
                     "categories": {c: {"count": s.counts[c], "worst": severity_word(s.worst[c])}
                                    for c in CATEGORIES if c in s.worst}}
                    for s in r.summary],
        "order": {"by_member": [{"member": s.key, "findings": [i.ref for i in s.items]} for s in r.by_member],
                  "by_category": [{"category": s.key, "findings": [i.ref for i in s.items]}
                                  for s in r.by_category]},
        "escalation_pathway": [{"stage": k, "text": v} for k, v in r.pathway.stages()],
    }
    return doc


def write_report(r: Report, out: TextIO) -> None:
    doc = report_dict(r)
    keys = list(doc)
    at = keys.index("findings")
    _write_document(out, {k: doc[k] for k in keys[:at]}, doc["findings"], {k: doc[k] for k in keys[at + 1:]})
