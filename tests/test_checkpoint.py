"""Resuming a re-scan where the last scan of the chat ended (cache.Checkpoint) must never change results:
the same findings and fingerprints as an uncached scan, whether the chat grew, stayed the same, changed
before the checkpoint, lost its start or got shorter; and only the grown part is checked by the rules."""

from __future__ import annotations

import os
import random
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cache import findings, long_chat, write

from whatsapp_audit import cache, split
from whatsapp_audit.audit import ScanOptions, audit
from whatsapp_audit.nlp import names
from whatsapp_audit.rules.engine import BATCH
from whatsapp_audit.spool import Findings


def scan(path, pack, group, cached=True, **kw):
    # `scan` keeps no messages around findings (context=False): the case checkpoints serve
    return audit(path, pack, group, ScanOptions(use_ner=kw.pop("use_ner", False), cache=cached, context=False, **kw))


def covered(n: int) -> int:
    """How many messages of an n-message chat its checkpoint covers: up to the start of the last, short batch."""
    return n if n % BATCH == 0 else n - n % BATCH


def same(a, b) -> bool:
    return findings(a) == findings(b) and [f.fingerprint for f in a.findings] == [f.fingerprint for f in b.findings]


@pytest.mark.parametrize("case", ["grown", "same", "edited-middle", "cut-start", "shorter", "period"])
@pytest.mark.parametrize("with_group", [True, False])
def test_resumed_scans_give_the_uncached_findings(case, with_group, tmp_path, cache_home, pack, group):
    group = group if with_group else None
    old = write(tmp_path, "old.txt", long_chat(900))
    first = scan(old, pack, group)
    assert first.cache_stats["resumed"] == 0
    kw: dict = {}
    n = {"shorter": 800, "same": 900}.get(case, 1000)
    if case == "edited-middle":             # a message deleted for everyone after the last export
        new = write(tmp_path, "new.txt", long_chat(n, edit={400: "Tom Baker: This message was deleted"}))
    elif case == "cut-start":               # the export limit drops the oldest messages
        new = write(tmp_path, "new.txt", long_chat(n, start=150))
    else:
        new = write(tmp_path, "new.txt", long_chat(n))
        if case == "period":
            kw = {"since": "2023-09-05", "until": "2023-09-08"}
    cached = scan(new, pack, group, **kw)
    plain = scan(new, pack, group, cached=False, **kw)
    assert same(cached, plain)
    assert len(plain.findings) > 50
    if case in ("grown", "same", "shorter"):       # "shorter" still begins with the 768 messages covered
        assert cached.cache_stats["resumed"] == covered(900) * len(pack.enabled)
        # the rules checked only the messages after the checkpoint
        assert cached.cache_stats["computed"] + cached.cache_stats["reused"] <= (n - covered(900)) * len(pack.enabled)
    else:
        assert cached.cache_stats["resumed"] == 0
    again = scan(new, pack, group, **kw)       # and from the checkpoint this scan left
    assert same(again, plain) and again.cache_stats["resumed"] > 0


def test_names_state_and_ner_words_carry_over_the_checkpoint(tmp_path, cache_home, pack):
    """Who is a member, and which capitalised words the chat wrote in lower case earlier, live in the names
    rule's state: restored from the checkpoint, not recomputed."""
    old = {5: "Jane Smith added Oliver Grant",
           300: "Jane Smith: has anyone seen a navy gilet and a grey skort in lost property?",
           310: "Tom Baker: my son needs new jorts and a bookbag"}
    new = {**old, 610: "Jane Smith added Harriet Vane", 620: "Jane Smith: Well done Harriet for organising",
           630: "Tom Baker: Skort and Jorts on the bench", 640: "Tom Baker: Thanks Oliver, Harriet says hi"}
    old_chat = write(tmp_path, "old.txt", long_chat(560, edit=old))
    new_chat = write(tmp_path, "new.txt", long_chat(700, edit=new))
    scan(old_chat, pack, None, use_ner=True)
    cached = scan(new_chat, pack, None, use_ner=True)
    assert cached.cache_stats["resumed"] > 0
    assert same(cached, scan(new_chat, pack, None, cached=False, use_ner=True))


def test_reports_keep_context_so_do_not_resume(tmp_path, cache_home, pack, group):
    old = write(tmp_path, "old.txt", long_chat(600))
    new = write(tmp_path, "new.txt", long_chat(700))
    scan(old, pack, group)
    report = audit(new, pack, group, ScanOptions(use_ner=False, cache=True, context=True))
    assert report.cache_stats["resumed"] == 0 and report.context


def test_a_damaged_checkpoint_is_scanned_past(tmp_path, cache_home, pack, group):
    old = write(tmp_path, "old.txt", long_chat(600))
    new = write(tmp_path, "new.txt", long_chat(700))
    scan(old, pack, group)
    db = sqlite3.connect(cache_home / cache.DB_NAME)
    (key, value), = db.execute("SELECT key, value FROM checkpoints").fetchall()
    cp = cache.Checkpoint.loads(value)
    assert cp is not None and cp.messages == covered(600)
    cp.state = b"not a pickle"
    db.execute("UPDATE checkpoints SET value=? WHERE key=?", (cp.dumps(), key))
    db.commit()
    db.close()
    cached = scan(new, pack, group)
    assert cached.cache_stats["resumed"] == 0
    assert same(cached, scan(new, pack, group, cached=False))
    assert cache.Checkpoint.loads(b"\x00junk") is None


def test_parts_are_joined_after_many_rescans(tmp_path, cache_home, pack, group, monkeypatch):
    monkeypatch.setattr(cache, "CHECKPOINT_PARTS", 2)
    sizes = (300, 560, 820, 1080, 1340)                # each checkpoint a batch further on
    for prev, n in zip((0, *sizes), sizes, strict=False):
        chat = write(tmp_path, f"chat{n}.txt", long_chat(n))
        cached = scan(chat, pack, group)
        assert same(cached, scan(chat, pack, group, cached=False))
        assert cached.cache_stats["resumed"] == covered(prev) * len(pack.enabled)
    db = sqlite3.connect(cache_home / cache.DB_NAME)
    (value,), = db.execute("SELECT value FROM checkpoints").fetchall()
    db.close()
    cp = cache.Checkpoint.loads(value)
    assert cp is not None and len(cp.findings) <= 2 and cp.count == sum(1 for _ in cp.records())


def test_a_split_first_scan_leaves_a_checkpoint_for_one_process(tmp_path, cache_home, pack, group, monkeypatch):
    """A big chat's first scan runs in several processes (split.py), each with some categories: their end
    points are joined into the checkpoint a one-process re-scan with every category resumes from."""
    monkeypatch.setattr(split, "SPLIT_MIN_BYTES", 1000)
    old = write(tmp_path, "old.txt", long_chat(900))
    new = write(tmp_path, "new.txt", long_chat(1000))
    opts = ScanOptions(use_ner=False, cache=True, context=False)
    first = split.audit_split(old, pack, None, group, opts, jobs=2)
    assert split.processes(old, opts, 2, group) == 1          # seen before: a re-scan runs in one process
    assert same(first, scan(old, pack, group, cached=False))
    cached = split.audit_split(new, pack, None, group, opts, jobs=2)
    assert cached.cache_stats["resumed"] == covered(900) * len(pack.enabled)
    assert same(cached, scan(new, pack, group, cached=False))


def test_findings_packed_slices_memory_and_file_alike():
    from whatsapp_audit.model import Finding, Severity
    from whatsapp_audit.spool import unpack

    items = [Finding(rule=f"r{i}", category="off-topic", severity=Severity.info, message=None, evidence=[],
                     explanation="x", policy="p") for i in range(12)]
    spool = Findings(in_memory=5)
    for i, f in enumerate(items):
        spool.append(f, i)
    for start, stop in [(0, 12), (3, 9), (5, 12), (7, 10), (0, 4), (11, None)]:
        got = [unpack(r) for r in spool.packed(start, stop)]
        assert [(f.rule, at) for f, at in got] == [(f"r{i}", i) for i in range(12)][start:stop]


def test_english_words_are_kept_in_the_cache_folder(cache_home, monkeypatch):
    names.english_words.cache_clear()
    words = names.english_words()
    assert not cache_home.exists()                        # only a scan using the cache keeps them
    names.keep_english_words()
    files = list(cache_home.glob("english-words-*.marshal")) if cache_home.exists() else []
    if names._lookups_file() is None:                     # no spaCy model: the small built-in list, no file
        assert not files
        return
    assert len(files) == 1 and oct(files[0].stat().st_mode & 0o777) == "0o600"
    monkeypatch.setattr(names, "_read_lookups", lambda path: pytest.fail("read the model again"))
    names.english_words.cache_clear()
    assert names.english_words() == words and "boiler" in words
    files[0].write_bytes(b"damaged")                      # a damaged file is rebuilt
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home.parent))
    names.english_words.cache_clear()
    assert names.english_words() == words
    names.keep_english_words()
    assert names.english_words.__wrapped__() == words     # read back from the rewritten file
    assert sorted(p.name for p in cache_home.iterdir()) == [files[0].name]
    assert str(files[0]) in cache.clear()


def test_checkpoint_findings_round_trip_in_pieces(monkeypatch):
    import zlib

    records = [bytes([i % 251]) * (i % 97) for i in range(3000)]
    data = zlib.compress(b"".join(len(r).to_bytes(4, "little") + r for r in records), 1)
    assert b"".join(cache._inflate(data, step=7)) == zlib.decompress(data)
    monkeypatch.setattr(cache, "CHECKPOINT_PARTS", 3)
    cp = cache.Checkpoint(0, b"", b"")
    for i in range(0, 3000, 500):                       # six parts: joined into one after the fourth
        assert cp.add_findings(records[i:i + 500])
    assert len(cp.findings) <= 3 and list(cp.records()) == records
    parts = list(cp.findings)
    assert cp.add_findings([]) and cp.findings == parts       # nothing new: no empty part
    monkeypatch.setattr(cache, "CHECKPOINT_MAX", 1000)
    rnd = random.Random(0)
    assert not cache.Checkpoint(0, b"", b"").add_findings(rnd.randbytes(64) for _ in range(10000))
    # too big only once flushed (zlib keeps small input back until then)
    assert not cache.Checkpoint(0, b"", b"").add_findings([rnd.randbytes(700), rnd.randbytes(700)])


def test_zipped_exports_resume_too(tmp_path, cache_home, pack, group):
    """The phone's .zip of a grown chat shares no bytes with last week's: the chat is known by its first
    messages, not by the file."""
    import zipfile

    def zipped(name: str, n: int) -> str:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("WhatsApp Chat with Y4.txt", long_chat(n))
            zf.writestr(f"IMG-{n}.jpg", b"\xff\xd8 not really a photo")
        return str(path)

    scan(zipped("old.zip", 900), pack, group)
    new = zipped("new.zip", 1000)
    cached = scan(new, pack, group)
    assert cached.cache_stats["resumed"] == covered(900) * len(pack.enabled)
    assert same(cached, scan(new, pack, group, cached=False))


def test_a_report_after_a_resumed_scan_gives_the_uncached_findings(tmp_path, cache_home, pack, group):
    """A resumed scan checks the new messages in batches that start where the checkpoint ends, not at
    multiples of the batch size; results it stores per batch must not be read back by a scan batched the
    usual way (a report, which never resumes), even where both batches end at the same message."""
    scan(write(tmp_path, "old.txt", long_chat(900)), pack, group)
    new = write(tmp_path, "new.txt", long_chat(1000))
    assert scan(new, pack, group).cache_stats["resumed"] > 0
    report = audit(new, pack, group, ScanOptions(use_ner=False, cache=True, context=True))
    plain = audit(new, pack, group, ScanOptions(use_ner=False, cache=False, context=True))
    assert findings(report) == findings(plain)


# A random sequence of exports of one chat: each grows it, edits an old message, drops its start, or is the
# same again, scanned with the cache (resuming where it can) and compared with a scan without it.
_EXPORTS = st.lists(st.tuples(st.sampled_from(["grow", "edit", "cut", "same"]), st.integers(1, 400)),
                    min_size=2, max_size=4)


@settings(max_examples=int(os.environ.get("WA_AUDIT_EXAMPLES", "8")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=_EXPORTS)
def test_any_sequence_of_exports_gives_the_uncached_findings(steps, tmp_path_factory, pack, group):
    home = tmp_path_factory.mktemp("xdg")
    folder = tmp_path_factory.mktemp("chats")
    old_env = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(home)
    try:
        start, end, edit = 0, 300, {}
        for i, (what, k) in enumerate(steps):
            if what == "grow":
                end += k
            elif what == "edit":
                edit = {**edit, start + k % (end - start): f"Tom Baker: edited {i}, sorry"}
            elif what == "cut":
                start = min(start + k // 4, end - 260)
            path = write(folder, f"export{i}.txt", long_chat(end, start=start, edit=edit))
            assert same(scan(path, pack, group), scan(path, pack, group, cached=False)), (what, k, i)
    finally:
        if old_env is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = old_env
