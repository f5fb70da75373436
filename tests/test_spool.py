"""Findings beyond the first few thousand live in a temporary file; nothing about them may change."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from whatsapp_audit import spool
from whatsapp_audit.audit import ScanOptions, audit
from whatsapp_audit.model import Evidence, Finding, Message, Severity
from whatsapp_audit.report.formats import json_format
from whatsapp_audit.roster.load import load_group
from whatsapp_audit.rules.pack import load_pack
from whatsapp_audit.spool import Findings

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def finding(i: int, author: str | None = "Jane Smith", category: str = "humour") -> Finding:
    msg = Message(index=i, line=i + 3, timestamp=f"2024-01-02T10:{i % 60:02d}:00", author=author,
                  text=f"message {i} ✨\nsecond line", kind="text", edited=bool(i % 2), media=None)
    return Finding(rule="r", category=category, severity=Severity(1 + i % 3), message=msg,
                   evidence=[Evidence("message", 0, 7, "term")], explanation="why", policy="clause",
                   fingerprint=f"{i:016x}")


def test_spilled_findings_come_back_identical_in_order_with_tallies():
    items = [finding(i, author="Tom Baker" if i % 3 else "Jane Smith") for i in range(7)]
    items.append(Finding(rule="roster", category="membership", severity=Severity.breach, message=None,
                         subject="Ann Other", explanation="not on the roster"))
    fs = Findings(items, in_memory=2)
    assert len(fs) == 8 and fs._file is not None
    assert list(fs) == items
    assert list(fs) == items                     # iterating twice reads the file twice
    assert fs.tally.counts["Tom Baker"]["humour"] == 4
    assert fs.tally.worst["Ann Other"] == {"membership": Severity.breach}
    again = pickle.loads(pickle.dumps(fs))       # many chats: results travel between processes
    assert list(again) == items
    fs.close()
    assert len(fs) == 2


def test_streamed_json_is_the_document_with_one_finding_per_line(monkeypatch):
    monkeypatch.setattr(spool, "IN_MEMORY", 3)
    pack = load_pack([])
    group = load_group(str(EXAMPLES / "group.yaml"))
    result = audit(str(EXAMPLES / "year4-oak-android.txt"), pack, group, ScanOptions(use_ner=False))
    assert len(result.findings) > 3 and result.findings._file is not None
    text = json_format.render(result)
    doc = json.loads(text)
    assert doc == json.loads(json.dumps(result.to_dict()))
    assert list(doc) == ["chat", "findings", "summary", "rules", "tool", "notes", "integrity"]
    lines = text.splitlines()
    start = lines.index('  "findings": [')
    assert [json.loads(x.strip().rstrip(",")) for x in lines[start + 1:start + 1 + len(doc["findings"])]] \
        == doc["findings"]                                  # one finding per line
    assert len(doc["findings"]) == len(result.findings)
    assert sum(sum(c.values()) for c in doc["summary"].values()) == len(result.findings)


def test_streamed_json_without_findings():
    pack = load_pack([])
    result = audit(str(EXAMPLES / "year4-oak-android.txt"), pack, None, ScanOptions(use_ner=False, only=["media"],
                                                                                    since="2099-01-01"))
    assert not result.findings
    text = json_format.render(result)
    assert json.loads(text) == json.loads(json.dumps(result.to_dict()))
    assert json.loads(text)["findings"] == []


def test_appending_after_reading_keeps_every_finding():
    items = [finding(i) for i in range(6)]
    fs = Findings(items[:4], in_memory=1)
    assert list(fs) == items[:4]
    fs.append(items[4])
    fs.append(items[5])
    assert list(fs) == items


def test_records_longer_than_a_read_and_across_read_boundaries():
    from whatsapp_audit.spool import _pread_records, pack, unpack, write_record

    items = [finding(i) for i in range(50)]
    items[7].message.text = "x" * 5000                       # longer than the 256-byte reads below
    import tempfile

    with tempfile.TemporaryFile() as fh:
        for i, f in enumerate(items):
            write_record(fh, pack(f, i))
        fh.flush()
        got = [unpack(r) for r in _pread_records(fh.fileno(), len(items), chunk=256)]
    assert [f for f, _ in got] == items and [at for _, at in got] == list(range(50))


def test_a_file_of_records_reads_to_its_end_and_a_cut_one_is_an_error(tmp_path):
    from whatsapp_audit.spool import pack, read_records, unpack, write_record

    path = tmp_path / "share.bin"
    with open(path, "wb") as fh:
        for i in range(3):
            write_record(fh, pack(finding(i), i))
    assert [unpack(r)[1] for r in read_records(str(path))] == [0, 1, 2]
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(OSError, match="ended early"):
        list(read_records(str(path)))
