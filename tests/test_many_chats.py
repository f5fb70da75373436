"""`wa-audit scan|report` with several chats (one per class): parallel processes, one summary per group plus a
combined one, per-chat group files; one chat keeps the single-chat output exactly."""

from __future__ import annotations

import collections
import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from test_cache import EXAMPLE, GROUP, write

from whatsapp_audit.batch import expand, group_for
from whatsapp_audit.cli import main
from whatsapp_audit.errors import UserError

IOS = Path(EXAMPLE).with_name("year4-oak-ios.txt")


@pytest.fixture
def school(tmp_path):
    """Two class chats in one folder, a group file for one of them beside it, and a stray file."""
    d = tmp_path / "school"
    d.mkdir()
    shutil.copy(EXAMPLE, d / "oak.txt")
    shutil.copy(IOS, d / "ash.txt")
    shutil.copy(GROUP, d / "oak.yaml")
    (d / "notes.md").write_text("not a chat")
    return d


def run_json(capsys, *args) -> tuple[int, dict]:
    capsys.readouterr()
    rc = main(["scan", *args, "--no-ner", "-f", "json"])
    out = capsys.readouterr().out
    return rc, json.loads(out)


def test_expand_and_group_for(school, tmp_path):
    chats, several = expand([str(school)])
    assert [Path(c).name for c in chats] == ["ash.txt", "oak.txt"] and several
    assert expand([str(school / "oak.txt")]) == ([str(school / "oak.txt")], False)
    assert expand([str(school / "oak.txt"), str(school)])[0] == [str(school / "oak.txt"), str(school / "ash.txt")]
    assert group_for(str(school / "oak.txt"), str(school)) == str(school / "oak.yaml")
    assert group_for(str(school / "ash.txt"), str(school)) is None
    shutil.copy(GROUP, school / "group.yaml")
    assert group_for(str(school / "ash.txt"), str(school)) == str(school / "group.yaml")
    assert group_for(str(school / "ash.txt"), str(GROUP)) == str(GROUP)
    with pytest.raises(UserError):
        expand([str(tmp_path / "empty")]) if (tmp_path / "empty").mkdir() is None else None
    with pytest.raises(UserError):
        expand(["-", str(school / "oak.txt")])


def test_folder_gives_one_object_per_chat_and_a_combined_summary(school, capsys):
    rc, doc = run_json(capsys, str(school), "--group", str(school), "--jobs", "2")
    assert rc == 1 and set(doc) == {"chats", "summary"}
    assert [Path(c["chat"]["path"]).name for c in doc["chats"]] == ["ash.txt", "oak.txt"]
    # each chat's object is exactly what scanning it alone prints (oak with its oak.yaml, ash without)
    for c, args in zip(doc["chats"], ([], ["--group", str(school / "oak.yaml")]), strict=True):
        _, alone = run_json(capsys, c["chat"]["path"], *args)
        assert c == alone
    s = doc["summary"]
    assert s["chats"] == 2 and s["failed"] == 0
    assert s["messages"] == sum(c["chat"]["messages"] for c in doc["chats"])
    assert s["findings"] == sum(len(c["findings"]) for c in doc["chats"])
    assert sum(s["categories"].values()) == s["findings"] == sum(s["severities"].values())
    totals = collections.Counter()
    for c in doc["chats"]:
        for who, cats in c["summary"].items():
            totals[who] += sum(cats.values())
    assert {who: sum(c.values()) for who, c in s["members"].items()} == dict(totals)
    assert [b["findings"] for b in s["by_chat"]] == [len(c["findings"]) for c in doc["chats"]]
    assert s["worst"] == "breach"


def test_parallel_equals_sequential(school, capsys):
    _, one = run_json(capsys, str(school / "oak.txt"), str(school / "ash.txt"), "-g", str(GROUP), "-j", "1")
    _, two = run_json(capsys, str(school / "oak.txt"), str(school / "ash.txt"), "-g", str(GROUP), "-j", "2")
    assert one == two and len(one["chats"]) == 2


def test_single_chat_output_is_unchanged(school, capsys):
    _, doc = run_json(capsys, str(school / "oak.txt"))
    assert "chats" not in doc and {"chat", "findings", "summary"} <= set(doc)


def test_unreadable_chat_is_reported_and_the_rest_still_run(school, capsys):
    write(school, "broken.txt", "this is not a WhatsApp export\n")
    capsys.readouterr()
    rc = main(["scan", str(school), "--no-ner", "-f", "json", "-j", "2"])
    cap = capsys.readouterr()
    doc = json.loads(cap.out)
    assert rc == 2
    assert len(doc["chats"]) == 2 and doc["summary"]["failed"] == 1
    assert doc["errors"][0]["path"].endswith("broken.txt") and "broken.txt" in cap.err


def test_text_output_has_each_group_and_all(school, capsys):
    capsys.readouterr()
    assert main(["scan", str(school), "-g", str(school), "--no-ner", "--fail-on", "never"]) == 0
    out = capsys.readouterr().out
    assert "ash.txt" in out and "Year 4 Oak Class Parents" in out and "All chats (2)" in out
    assert re.search(r"2 chats, 72 messages, \d+ findings; worst severity: breach", out)


def test_baseline_across_chats(school, tmp_path, capsys):
    base = str(tmp_path / "reviewed.json")
    run_json(capsys, str(school), "--write-baseline", base)
    rc, doc = run_json(capsys, str(school), "--baseline", base)
    assert rc == 0 and all(c["findings"] == [] for c in doc["chats"])
    assert doc["summary"]["suppressed"] == sum(c["baseline"]["suppressed"] for c in doc["chats"]) > 0


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "html"])
def test_report_several_chats_into_one_file(school, tmp_path, fmt, capsys):
    out = tmp_path / f"report.{fmt}"
    rc = main(["report", str(school), "-g", str(school), "--no-ner", "-o", str(out), "--fail-on", "never"])
    assert rc == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        doc = json.loads(text)
        assert len(doc["chats"]) == 2 and doc["summary"]["chats"] == 2
        assert all("report" in c for c in doc["chats"])
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0][0] == "chat" and rows[0].count("finding") == 1
        assert {r[0] for r in rows[1:]} == {"ash.txt", "Year 4 Oak Class Parents"}
    elif fmt == "md":
        assert text.startswith("# Breach reports: 2 groups") and text.count("# WhatsApp group breach report") == 2
    else:
        assert text.startswith("<!DOCTYPE html>") and text.count("<html") == 1 and text.count("<body>") == 1
        ids = re.findall(r'\bid="([^"]+)"', text)
        assert len(ids) == len(set(ids))
        assert set(re.findall(r'href="#([^"]+)"', text)) <= set(ids)


def test_report_member_only_in_some_chats(school, tmp_path, capsys):
    write(school, "elm.txt", "01/02/2024, 10:00 - Zed Example: Morning all\n"
                             "01/02/2024, 10:05 - Zed Example: Did you all see the match last night? 😂😂\n")
    out = tmp_path / "r.json"
    assert main(["report", str(school), "--no-ner", "--member", "Zed Example", "-o", str(out),
                 "--fail-on", "never"]) == 0
    doc = json.loads(out.read_text())
    assert [c["chat"]["path"] for c in doc["chats"]] == [str(school / "elm.txt")]
    assert "left out of the report" in capsys.readouterr().err
    assert main(["report", str(school), "--no-ner", "--member", "Nobody Here", "-o", str(out)]) == 2
