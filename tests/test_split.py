"""A big chat's rules shared out by category between processes give exactly the one-process result."""

from __future__ import annotations

from pathlib import Path

from rulekit import write

from whatsapp_audit import split
from whatsapp_audit.audit import ScanOptions, audit
from whatsapp_audit.report.formats import json_format
from whatsapp_audit.roster.load import load_group
from whatsapp_audit.rules.pack import load_pack

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PACK = load_pack([])


def test_shares_cover_each_category_once_and_keep_end_of_chat_checks_here():
    parts = split.shares(PACK, ScanOptions(context=False), 2)
    flat = [c for p in parts for c in p]
    assert len(parts) == 2 and len(flat) == len(set(flat))
    assert set(flat) == {r.category for r in PACK.enabled}
    assert "membership" in parts[0]            # its leaver check reports when the chat ends
    only = split.shares(PACK, ScanOptions(only=["humour", "political"], context=False), 4)
    assert sorted(c for p in only for c in p) == ["humour", "political"]


def test_small_chats_stdin_and_reports_stay_in_one_process(tmp_path):
    small = str(EXAMPLES / "year4-oak-android.txt")
    assert split.processes(small, ScanOptions(context=False), 0) == 1
    big = write(tmp_path, "big.txt", (EXAMPLES / "year4-oak-android.txt").read_text(encoding="utf-8") * 2)
    assert split.processes(str(big), ScanOptions(context=False), 1) == 1
    assert split.processes("-", ScanOptions(context=False), 4) == 1
    assert split.processes(str(big), ScanOptions(context=True), 4) == 1


def test_split_scan_is_identical_to_one_process(tmp_path, monkeypatch):
    text = (EXAMPLES / "year4-oak-android.txt").read_text(encoding="utf-8")
    chat = write(tmp_path, "chat.txt", text * 3)     # the same history three times: repeats and leavers
    monkeypatch.setattr(split, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(split.batch, "workers", lambda n, jobs=0: 2)
    group = load_group(str(EXAMPLES / "group.yaml"))
    opts = ScanOptions(use_ner=False, context=False)
    one = audit(str(chat), PACK, group, opts)
    two = split.audit_split(str(chat), PACK, None, group, opts, jobs=2)
    assert len(two.findings) == len(one.findings) > 50
    assert json_format.render(two) == json_format.render(one)
    assert any(f.message is None for f in two.findings)      # end-of-chat findings came through too


def test_a_chat_the_cache_has_seen_is_rescanned_in_one_process(tmp_path, monkeypatch):
    # conftest gives every test its own empty cache folder
    text = (EXAMPLES / "year4-oak-android.txt").read_text(encoding="utf-8")
    chat = write(tmp_path, "chat.txt", text * 3)
    monkeypatch.setattr(split, "SPLIT_MIN_BYTES", 1)
    monkeypatch.setattr(split.batch, "workers", lambda n, jobs=0: 2)
    opts = ScanOptions(use_ner=False, context=False, cache=True)
    assert split.processes(str(chat), opts, 0) == 2
    first = split.audit_split(str(chat), PACK, None, None, opts)
    assert split.processes(str(chat), opts, 0) == 1              # seen: the cache answers most of it
    again = split.audit_split(str(chat), PACK, None, None, opts)
    assert json_format.render(again) == json_format.render(first)
    assert again.cache_stats["computed"] == 0
    group = load_group(str(EXAMPLES / "group.yaml"))
    assert split.processes(str(chat), opts, 0, group) == 2        # other settings: not seen
