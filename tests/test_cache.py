"""The re-scan cache must never change results: cached and uncached scans give the same findings on the same
chat, on a grown export, on one changed in the middle or cut at the start, and after editing one rule (which
recomputes that rule only). Also: where it lives, its permissions, `cache clear`, `--no-cache`, stdin."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import stat
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from whatsapp_audit import cache
from whatsapp_audit.audit import ScanOptions, audit
from whatsapp_audit.cli import main
from whatsapp_audit.rules.pack import load_pack

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "year4-oak-android.txt"
GROUP = ROOT / "examples" / "group.yaml"
_HEADER = re.compile(r"^\d\d/\d\d/\d{4}, \d\d:\d\d - ", re.M)


def example_messages() -> list[str]:
    """The bundled example's messages (header cut off, continuation lines kept), in file order."""
    text = EXAMPLE.read_text(encoding="utf-8")
    starts = [m.start() for m in _HEADER.finditer(text)]
    return [_HEADER.sub("", text[a:b], count=1).rstrip("\n") for a, b in zip(starts, [*starts[1:], len(text)],
                                                                             strict=True)]


def long_chat(n: int, start: int = 0, edit: dict[int, str] | None = None) -> str:
    """An Android export of messages start..n-1, cycling through the example's messages one every 7 minutes
    (the example's own system lines only once, at the start), so longer chats share their beginning."""
    msgs = example_messages()
    head, body = msgs[:8], [m for m in msgs[8:] if ": " in m.split("\n")[0]]
    t0 = datetime(2023, 9, 4, 8, 0)
    out = []
    for i in range(start, n):
        text = head[i] if i < len(head) else body[(i - len(head)) % len(body)]
        if edit and i in edit:
            text = edit[i]
        out.append((t0 + timedelta(minutes=7 * i)).strftime("%d/%m/%Y, %H:%M - ") + text)
    return "\n".join(out) + "\n"


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def findings(result) -> list[dict]:
    return [f.to_dict() for f in result.findings]


def scan(path, pack, group, cached, **kw):
    return audit(path, pack, group, ScanOptions(use_ner=False, cache=cached, **kw))


def test_same_findings_cached_or_not_and_second_scan_reuses_everything(cache_home, pack, group):
    plain = scan(str(EXAMPLE), pack, group, False)
    first = scan(str(EXAMPLE), pack, group, True)
    second = scan(str(EXAMPLE), pack, group, True)
    assert findings(first) == findings(plain) == findings(second)
    assert first.findings and first.cache_stats["reused"] == 0
    assert second.cache_stats["computed"] == 0 and second.cache_stats["reused"] > 0
    assert [f.fingerprint for f in second.findings] == [f.fingerprint for f in plain.findings]
    assert sorted(second.context) == sorted(plain.context)      # the report's context around findings


@pytest.mark.parametrize("case", ["grown", "edited-middle", "cut-start", "period"])
@pytest.mark.parametrize("with_group", [True, False])
def test_reexports_give_the_uncached_findings(case, with_group, tmp_path, cache_home, pack, group):
    group = group if with_group else None
    old = write(tmp_path, "old.txt", long_chat(900))
    scan(old, pack, group, True)
    kw: dict = {}
    if case == "grown":
        new = write(tmp_path, "new.txt", long_chat(1000))
    elif case == "edited-middle":           # a message deleted for everyone after the last export
        new = write(tmp_path, "new.txt", long_chat(1000, edit={400: "Tom Baker: This message was deleted"}))
    elif case == "cut-start":               # the export limit drops the oldest messages
        new = write(tmp_path, "new.txt", long_chat(1000, start=150))
    else:
        new = write(tmp_path, "new.txt", long_chat(1000))
        kw = {"since": "2023-09-05", "until": "2023-09-08"}
    cached = scan(new, pack, group, True, **kw)
    plain = scan(new, pack, group, False, **kw)
    assert findings(cached) == findings(plain)
    assert len(plain.findings) > 50
    assert cached.cache_stats["reused"] > 0
    if case == "grown":
        # only the new messages' batch is computed: at most two batches' worth of every rule
        assert cached.cache_stats["computed"] <= cached.cache_stats["reused"] / 2
        assert cached.cache_stats["restarts"] == 0
    if case == "edited-middle":
        assert cached.cache_stats["restarts"] > 0   # names/details carried on from the start instead


def test_names_carry_on_from_the_stored_state(tmp_path, cache_home, pack):
    """Who counts as a member (not a third party) comes from everything the chat showed before: a name
    seen only in the stored part must still be known when the new messages are checked."""
    head = {5: "Jane Smith added Oliver Grant"}            # never posts; his name is a member's, not a child's
    new = {**head, 610: "Jane Smith added Harriet Vane", 620: "Jane Smith: Well done Harriet for organising",
           640: "Tom Baker: Thanks Oliver, Harriet says hi"}
    old_chat = write(tmp_path, "old.txt", long_chat(560, edit=head))
    new_chat = write(tmp_path, "new.txt", long_chat(700, edit=new))
    scan(old_chat, pack, None, True)
    cached = scan(new_chat, pack, None, True)
    assert cached.cache_stats["restarts"] == 0 and cached.cache_stats["reused"] > cached.cache_stats["computed"]
    assert findings(cached) == findings(scan(new_chat, pack, None, False))


def test_with_ner_words_seen_before_carry_on(tmp_path, cache_home, pack):
    """With NER, a capitalised word the chat wrote in lower case earlier ("jorts") is a word, not a name,
    however long ago it was written: that knowledge lives in the names rule's stored state."""
    old = {300: "Jane Smith: has anyone seen a navy gilet and a grey skort in lost property?",
           310: "Tom Baker: my son needs new jorts and a bookbag"}
    new = {**old, 610: "Priya Patel: Gilet found by the gate", 620: "Tom Baker: Skort and Jorts on the bench"}
    old_chat = write(tmp_path, "old.txt", long_chat(560, edit=old))
    new_chat = write(tmp_path, "new.txt", long_chat(700, edit=new))
    opts = ScanOptions(use_ner=True, cache=True)
    audit(old_chat, pack, None, opts)
    cached = audit(new_chat, pack, None, opts)
    assert cached.cache_stats["restarts"] == 0 and cached.cache_stats["reused"] > cached.cache_stats["computed"]
    assert findings(cached) == findings(audit(new_chat, pack, None, ScanOptions(use_ner=True)))


def pack_file(tmp_path: Path, body: str) -> str:
    return write(tmp_path, "ours.yaml", "name: ours\nversion: '1'\nextends: default\n" + body)


def test_editing_one_rule_recomputes_only_that_rule(tmp_path, cache_home, group):
    chat = write(tmp_path, "chat.txt", long_chat(600))
    base = load_pack([pack_file(tmp_path, "rules: []\n")])
    scan(chat, base, group, True)
    n_msgs = scan(chat, base, group, False).chat.messages
    rule = next(r for r in base.rules if r.id == "humour-laughing-reaction")
    raw = dict(rule.raw)
    raw["reactions"] = [*raw["reactions"], "😭"]
    edited = load_pack([pack_file(tmp_path, "rules:\n  - " + json.dumps(raw) + "\n")])
    cached = scan(chat, edited, group, True)
    plain = scan(chat, edited, group, False)
    assert findings(cached) == findings(plain)
    assert cached.cache_stats["computed"] == n_msgs          # one rule, every message
    # a rule's wording is not part of its results: nothing to compute, the new wording is shown
    raw2 = dict(raw, message="Reworded.")
    reworded = load_pack([pack_file(tmp_path, "rules:\n  - " + json.dumps(raw2) + "\n")])
    again = scan(chat, reworded, group, True)
    assert again.cache_stats["computed"] == 0
    assert findings(again) == findings(scan(chat, reworded, group, False))
    # nor is its severity (which decides how findings merge per category: that runs on every scan)
    severe = load_pack([pack_file(tmp_path, "severity: {humour-laughing-reaction: breach, humour-laughing: info}\n")])
    again = scan(chat, severe, group, True)
    assert again.cache_stats["computed"] == 0
    assert findings(again) == findings(scan(chat, severe, group, False))


def test_other_group_file_or_ner_setting_is_not_reused(tmp_path, cache_home, pack, group):
    chat = write(tmp_path, "chat.txt", long_chat(300))
    scan(chat, pack, group, True)
    assert scan(chat, pack, None, True).cache_stats["reused"] == 0
    assert audit(chat, pack, group, ScanOptions(use_ner=True, cache=True)).cache_stats["reused"] == 0


def test_cache_location_and_permissions(tmp_path, cache_home, pack, group):
    chat = write(tmp_path, "chat.txt", long_chat(100))
    scan(chat, pack, group, True)
    assert sorted(os.listdir(tmp_path)) == ["chat.txt", "xdg"]          # nothing beside the input
    assert stat.S_IMODE(cache_home.stat().st_mode) == 0o700
    for p in cache_home.iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    assert cache.cache_dir() == cache_home


def test_default_location_without_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "wa-audit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")           # ignored, as the spec says
    assert cache.cache_dir() == tmp_path / ".cache" / "wa-audit"


def test_cli_no_cache_clear_and_info(tmp_path, cache_home, capsys):
    chat = write(tmp_path, "chat.txt", long_chat(60))
    assert main(["scan", chat, "--no-ner", "--no-cache", "--fail-on", "never", "-f", "json"]) == 0
    assert not cache_home.exists()
    assert main(["scan", chat, "--no-ner", "--fail-on", "never", "-f", "json"]) == 0
    assert (cache_home / cache.DB_NAME).exists()
    capsys.readouterr()
    assert main(["cache", "info"]) == 0
    out = capsys.readouterr().out
    assert str(cache_home) in out and "1 chat checkpoints" in out    # scan leaves one where it ended
    assert main(["cache", "clear"]) == 0
    assert not cache_home.exists(), list(cache_home.iterdir())
    assert main(["cache", "clear"]) == 0


def test_stdin_is_never_cached(tmp_path, cache_home, monkeypatch, capsys):
    text = long_chat(40)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8"))
    assert main(["scan", "-", "--no-ner", "--fail-on", "never", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["chat"]["messages"] == 40
    assert not cache_home.exists()


def test_damaged_cache_is_reported_not_fatal(tmp_path, cache_home, pack, group):
    cache_home.mkdir(parents=True)
    (cache_home / cache.DB_NAME).write_bytes(b"this is not a database" * 100)
    chat = write(tmp_path, "chat.txt", long_chat(50))
    r = scan(chat, pack, group, True)
    assert findings(r) == findings(scan(chat, pack, group, False))
    assert any("cache" in n for n in r.notes)


def test_stored_rows_are_compact(tmp_path, cache_home, pack, group):
    chat = write(tmp_path, "chat.txt", long_chat(1000))
    scan(chat, pack, group, True)
    db = sqlite3.connect(cache_home / cache.DB_NAME)
    rows = db.execute("SELECT count(*), sum(length(value)) FROM rows").fetchone()
    assert rows[0] < 200 and rows[1] < 1_000_000
