"""Review baselines: fingerprints that survive re-exports, `--write-baseline`, `--baseline`, `wa-audit review`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from test_cache import EXAMPLE, GROUP, long_chat, write

from whatsapp_audit.audit import ScanOptions, audit
from whatsapp_audit.baseline import Baseline, assign, normalise
from whatsapp_audit.cli import main
from whatsapp_audit.model import Finding, Message, Severity
from whatsapp_audit.roster.load import load_group
from whatsapp_audit.rules.pack import load_pack

IOS = Path(EXAMPLE).with_name("year4-oak-ios.txt")


@pytest.fixture(scope="module")
def pack():
    return load_pack()


def fps(path, pack, group=None):
    r = audit(str(path), pack, load_group(str(GROUP)) if group is None else group, ScanOptions(use_ner=False))
    return {f.fingerprint: f for f in r.findings}


def test_fingerprints_are_16_hex_digits_and_unique(pack):
    found = fps(EXAMPLE, pack)
    assert found and all(len(fp) == 16 and int(fp, 16) >= 0 for fp in found)


def test_fingerprints_survive_reexport_with_shifted_lines_and_dropped_messages(tmp_path, pack):
    old = write(tmp_path, "old.txt", long_chat(300, start=40))
    new = write(tmp_path, "new.txt", long_chat(400, start=100))     # oldest messages gone, lines renumbered
    a, b = fps(old, pack), fps(new, pack)
    by_b = {(f.message.timestamp, f.category): fp for fp, f in b.items() if f.message}
    same = [(fp, f) for fp, f in a.items() if f.message and (f.message.timestamp, f.category) in by_b]
    assert len(same) > 20
    for fp, f in same:                      # the same finding in both exports ...
        other = b[by_b[f.message.timestamp, f.category]]
        assert f.message.line != other.message.line          # ... on a renumbered line
        assert fp == other.fingerprint                       # ... has the same fingerprint


def test_fingerprints_match_across_phones(pack):
    android, ios = fps(EXAMPLE, pack), fps(IOS, pack)
    # iOS writes seconds and keeps a caption the Android export lacks: all but that one finding match
    assert len(set(android) & set(ios)) >= len(android) - 1


def test_same_text_twice_in_a_minute_gets_two_fingerprints():
    m1 = Message(1, 2, "2024-01-02T10:11:05", "Jane Smith", "😂😂")
    m2 = Message(2, 3, "2024-01-02T10:11:40", "Jane Smith", "😂😂")
    fs = [Finding("r", "humour", Severity.info, m) for m in (m1, m2)]
    assign(fs)
    assert fs[0].fingerprint != fs[1].fingerprint
    again = [Finding("r2", "humour", Severity.warning, Message(7, 9, "2024-01-02T10:11:00", "Jane Smith",
                                                                "\u200e😂😂 ")) for _ in range(2)]
    assign(again)
    assert [f.fingerprint for f in again] == [f.fingerprint for f in fs]   # rule, line, seconds, marks ignored


def test_repeat_counting_keeps_only_recent_minutes_and_still_numbers_repeats():
    from whatsapp_audit.baseline import MINUTES_KEPT, Fingerprints

    fp = Fingerprints()
    prints = []
    for i in range(3 * MINUTES_KEPT):
        ts = f"2024-01-{1 + i // 1440:02d}T{i // 60 % 24:02d}:{i % 60:02d}:00"
        pair = [Finding("r", "humour", Severity.info, Message(2 * i + j, 2 * i + j, ts, "Jane Smith", "lol"))
                for j in range(2)]
        for f in pair:
            fp.assign(f)
        prints += [f.fingerprint for f in pair]
    assert len(fp.minutes) == MINUTES_KEPT                 # flat memory however long the chat
    assert len(set(prints)) == len(prints)                 # every repeat within its minute still numbered


def test_normalise():
    assert normalise("  Hello\u200e  WORLD\n ") == "hello world"


def scan_json(capsys, *args) -> tuple[int, dict]:
    capsys.readouterr()
    rc = main(["scan", *args, "--no-ner", "-f", "json"])
    return rc, json.loads(capsys.readouterr().out)


def test_write_then_use_baseline(tmp_path, capsys):
    chat, base = str(EXAMPLE), str(tmp_path / "reviewed.json")
    rc, doc = scan_json(capsys, chat, "-g", str(GROUP), "--write-baseline", base)
    assert rc == 1 and doc["findings"] and "baseline" not in doc      # the scan itself is unchanged
    assert all(len(f["fingerprint"]) == 16 for f in doc["findings"])
    assert stat.S_IMODE(os.stat(base).st_mode) == 0o600
    saved = json.loads(Path(base).read_text())
    assert saved["wa-audit-baseline"] == 1
    assert set(saved["findings"]) == {f["fingerprint"] for f in doc["findings"]}
    assert "text" not in json.dumps(saved)                            # no message text in the file

    rc, only_new = scan_json(capsys, chat, "-g", str(GROUP), "--baseline", base)
    assert rc == 0 and only_new["findings"] == []
    assert only_new["baseline"] == {"file": base, "suppressed": len(doc["findings"])}
    assert only_new["summary"] == {}

    # a person removes one entry from the file: that finding is new again
    gone = doc["findings"][0]["fingerprint"]
    del saved["findings"][gone]
    Path(base).write_text(json.dumps(saved))
    rc, again = scan_json(capsys, chat, "-g", str(GROUP), "--baseline", base)
    assert [f["fingerprint"] for f in again["findings"]] == [gone]
    assert again["baseline"]["suppressed"] == len(doc["findings"]) - 1


def test_review_command_marks_one_finding(tmp_path, capsys):
    chat, base = str(EXAMPLE), str(tmp_path / "reviewed.json")
    capsys.readouterr()
    assert main(["review", chat, "-g", str(GROUP), "--no-ner", "--baseline", base]) == 0
    listed = capsys.readouterr().out.splitlines()
    fp = listed[0].split()[0]
    assert len(listed) > 5 and len(fp) == 16
    assert main(["review", chat, "-g", str(GROUP), "--no-ner", "--baseline", base, "--finding", fp[:8],
                 "--reason", "spoke to the parent"]) == 0
    entry = json.loads(Path(base).read_text())["findings"][fp]
    assert entry["reason"] == "spoke to the parent" and entry["reviewed"] and entry["member"]
    _, doc = scan_json(capsys, chat, "-g", str(GROUP), "--baseline", base)
    assert fp not in {f["fingerprint"] for f in doc["findings"]} and doc["baseline"]["suppressed"] == 1
    assert len(doc["findings"]) == len(listed) - 1
    # --write-baseline keeps the reason a person gave
    scan_json(capsys, chat, "-g", str(GROUP), "--write-baseline", base)
    assert json.loads(Path(base).read_text())["findings"][fp]["reason"] == "spoke to the parent"


@pytest.mark.parametrize("args, message", [
    (["--finding", "3f9a0c1d"], "--reason is required"),
    (["--finding", "zz", "--reason", "x"], "fingerprint"),
    (["--finding", "000000000000", "--reason", "x"], "no finding with fingerprint"),
])
def test_review_errors(tmp_path, capsys, args, message):
    rc = main(["review", str(EXAMPLE), "--no-ner", "--baseline", str(tmp_path / "b.json"), *args])
    assert rc == 2 and message in capsys.readouterr().err


def test_bad_or_missing_baseline_file(tmp_path, capsys):
    bad = write(tmp_path, "bad.json", '{"findings": {\n  "x": 1,\n}')
    assert main(["scan", str(EXAMPLE), "--no-ner", "--baseline", bad]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3:" in err
    assert main(["scan", str(EXAMPLE), "--no-ner", "--baseline", str(tmp_path / "none.json")]) == 2
    assert "--write-baseline" in capsys.readouterr().err


def test_baseline_round_trip_keeps_unknown_keys(tmp_path):
    p = write(tmp_path, "b.json", json.dumps({"wa-audit-baseline": 1, "school": "ours",
                                               "findings": {"ABCDEF0123456789": {"reason": "ok"}}}))
    b = Baseline.load(p)
    assert "abcdef0123456789" in b
    b.save()
    doc = json.loads(Path(p).read_text())
    assert doc["school"] == "ours" and doc["findings"]["abcdef0123456789"]["reason"] == "ok"


def test_show_new_then_record_them_in_one_run(tmp_path, capsys):
    base = str(tmp_path / "reviewed.json")
    _, all_ = scan_json(capsys, str(EXAMPLE), "-g", str(GROUP), "--write-baseline", base)
    saved = json.loads(Path(base).read_text())
    gone = all_["findings"][0]["fingerprint"]
    del saved["findings"][gone]
    Path(base).write_text(json.dumps(saved))
    # --baseline and --write-baseline on the same file: shows what was new, then records it
    _, doc = scan_json(capsys, str(EXAMPLE), "-g", str(GROUP), "--baseline", base, "--write-baseline", base)
    assert [f["fingerprint"] for f in doc["findings"]] == [gone]
    _, doc = scan_json(capsys, str(EXAMPLE), "-g", str(GROUP), "--baseline", base)
    assert doc["findings"] == []


def test_terminal_says_no_new_findings_when_the_baseline_covers_them_all(tmp_path, capsys):
    chat, base = str(EXAMPLE), str(tmp_path / "reviewed.json")
    rc, doc = scan_json(capsys, chat, "-g", str(GROUP), "--write-baseline", base)
    rc = main(["scan", chat, "-g", str(GROUP), "--no-ner", "--baseline", base])
    out = " ".join(capsys.readouterr().out.split())
    assert rc == 0
    assert f"No new findings: all {len(doc['findings'])} findings in this chat were reviewed before" in out
    assert "nothing in this chat breaks" not in out
