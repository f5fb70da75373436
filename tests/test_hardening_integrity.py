"""Evidence integrity: the export's SHA-256 in every report, and the signs of an edited export listed in an
"integrity" section (HTML, Markdown, terminal) and an `integrity` array (JSON), never as findings."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from whatsapp_audit import integrity
from whatsapp_audit.cli import main
from whatsapp_audit.integrity import Checker
from whatsapp_audit.parse import open_chat
from whatsapp_audit.parse.dialect import Dialect, find_shape

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [ROOT / "examples" / "year4-oak-android.txt", ROOT / "examples" / "year4-oak-ios.txt"]
GROUP = ROOT / "examples" / "group.yaml"

GOOD = """04/09/2023, 08:00 - Messages and calls are end-to-end encrypted. Tap to learn more.
04/09/2023, 08:00 - Jane Smith created group "Year 4 Oak"
04/09/2023, 08:01 - Jane Smith added Tom Baker
14/09/2023, 19:02 - Jane Smith: PE kit tomorrow
14/09/2023, 19:05 - Tom Baker: thanks
"""


def signs(text: str | bytes, tmp_path: Path, name: str = "chat.txt") -> list[integrity.Sign]:
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    with open_chat(str(p)) as chat:
        list(chat.messages())
        return chat.integrity


@pytest.mark.parametrize("path", [*EXAMPLES, *sorted((ROOT / "tests" / "fixtures" / "examples").glob("*.txt"))])
def test_genuine_exports_show_no_signs(path: Path) -> None:
    with open_chat(str(path)) as chat:
        list(chat.messages())
        assert chat.integrity == []


def test_clean_chat_has_none(tmp_path: Path) -> None:
    assert signs(GOOD, tmp_path) == []


def test_timestamp_going_backwards(tmp_path: Path) -> None:
    found = signs(GOOD + "14/09/2023, 18:00 - Jane Smith: earlier?\n14/09/2023, 19:06 - Tom Baker: ok\n", tmp_path)
    assert [(s.check, s.line, s.index) for s in found] == [("timestamp-backwards", 6, 5)]
    assert "2023-09-14 18:00:00 is earlier than the message before it (2023-09-14 19:05:00, line 5)" in found[0].detail
    assert "clock change" not in found[0].detail
    small = signs(GOOD + "14/09/2023, 18:30 - Jane Smith: clocks went back\n", tmp_path)
    assert "clock change" in small[0].detail


def test_typed_header_of_another_member_inside_a_message(tmp_path: Path) -> None:
    forged = GOOD + ("14/09/2023, 19:06 - Jane Smith: see what he wrote:\n"
                     "[14/09/2023, 19:04:10] Tom Baker: I will sort that teacher out\n"
                     "31/09/2023, 19:04 - Tom Baker: and the head\n")
    found = signs(forged, tmp_path)
    assert [(s.check, s.line) for s in found] == [("line-in-message", 7)]
    assert "2 lines look like the start of a message" in found[0].detail
    assert "Jane Smith at line 6" in found[0].detail
    one = signs(GOOD + "14/09/2023, 19:06 - Jane Smith: hmm\n31/09/2023, 19:04 - Tom Baker: and the head\n", tmp_path)
    assert "has a date that does not exist" in one[0].detail


def test_typed_header_in_the_files_own_format_is_a_message_but_out_of_order(tmp_path: Path) -> None:
    forged = GOOD + "14/09/2023, 19:06 - Jane Smith: look\n14/09/2023, 19:03 - Tom Baker: I hate this school\n"
    found = signs(forged, tmp_path)
    assert [(s.check, s.line) for s in found] == [("timestamp-backwards", 7)]


def test_time_written_differently(tmp_path: Path) -> None:
    us = ("9/14/23, 7:00\u202fPM - Messages and calls are end-to-end encrypted. Tap to learn more.\n"
          "9/14/23, 7:02\u202fPM - Jane Smith: hello\n"
          "9/14/23, 7:03 PM - Tom Baker: typed with a plain space\n"
          "9/14/23, 07:04\u202fPM - Tom Baker: and a padded hour\n"
          "09/15/23, 7:05\u202fPM - Tom Baker: and a padded month\n")
    found = signs(us, tmp_path)
    assert [(s.check, s.line) for s in found] == [("time-format", 3), ("time-format", 4), ("date-format", 5)]
    assert "AM/PM is written differently" in found[0].detail
    assert "the hour is written differently" in found[1].detail


def test_member_posting_after_leaving(tmp_path: Path) -> None:
    text = GOOD + ("15/09/2023, 08:00 - Tom Baker left\n15/09/2023, 09:00 - Tom Baker: still here\n"
                   "15/09/2023, 09:01 - Tom Baker: again\n15/09/2023, 10:00 - Jane Smith added Tom Baker\n"
                   "15/09/2023, 10:01 - Tom Baker: back properly\n")
    found = signs(text, tmp_path)
    assert [(s.check, s.line) for s in found] == [("after-leaving", 7)]
    assert "left or was removed at line 6" in found[0].detail


def test_file_level_signs(tmp_path: Path) -> None:
    lines = GOOD.splitlines(keepends=True)
    mixed = "".join(lines[:3]).replace("\n", "\r\n") + "".join(lines[3:])
    found = signs("Exported by my brother\n" + mixed, tmp_path)
    assert [(s.check, s.line) for s in found] == [("text-before-first-message", 1), ("line-endings", 2)]
    assert "3 of 6 lines end with CRLF" in found[1].detail
    bad = signs(GOOD.encode().replace(b"thanks", b"than\xffks"), tmp_path)
    assert [(s.check, s.line) for s in bad] == [("invalid-bytes", 5)]


def test_zip_signs(tmp_path: Path) -> None:
    z = tmp_path / "chat.zip"
    with zipfile.ZipFile(z, "w") as zf:
        info = zipfile.ZipInfo("_chat.txt", date_time=(2023, 9, 10, 12, 0, 0))
        zf.writestr(info, GOOD)
        zf.writestr("../../x.txt", "x")
    with open_chat(str(z)) as chat:
        list(chat.messages())
        found = chat.integrity
    checks = [s.check for s in found]
    assert checks.count("after-export") == 2 and checks.count("zip-entry") == 1
    assert "after the zip was made (2023-09-10 12:00:00)" in found[0].detail
    assert any("1 more messages are dated after" in s.detail for s in found)


def test_each_check_lists_at_most_limit_and_counts_the_rest(tmp_path: Path) -> None:
    back = "".join(f"14/09/2023, 19:{m:02d} - Jane Smith: a\n14/09/2023, 18:{m:02d} - Tom Baker: b\n"
                   for m in range(60))
    found = signs(GOOD + back, tmp_path)
    assert len(found) == integrity.LIMIT + 1
    assert found[-1].line is None and found[-1].detail == f"{61 - integrity.LIMIT} more like this are not listed"


def test_checker_state_does_not_grow_per_message() -> None:
    shape, _ = find_shape("14/09/2023, 19:02 - Jane: x")  # type: ignore[misc]
    c = Checker(Dialect(shape, "dmy", False))
    for i in range(20_000):
        ts = f"2023-09-14T19:{i % 60:02d}:00"
        c.rows([(i, i + 1, ts, f"Member {i}", "text\n01/01/2023, 10:00 - Someone: typed"),
                (i, i + 1, ts, None, f"Member {i} left", "system", False, None, "left", f"Member {i}", None)])
    assert len(c._out) <= 2 * integrity.LIMIT           # listed signs: capped per check
    assert len(c._gone) <= integrity.MAX_GONE            # members who left: capped
    assert c._count["line-in-message"] == 20_000         # the rest are only counted


# ---------------------------------------------------------------------------------------------- reports

FORGED = GOOD + ("14/09/2023, 19:06 - Jane Smith: he said Sophie is\n[14/09/2023, 19:04:10] Tom Baker: typed\n"
                 "14/09/2023, 18:00 - Tom Baker: vote tory\n")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) in (0, 1)
    return capsys.readouterr().out


def test_integrity_in_every_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "chat.txt"
    p.write_text(FORGED, encoding="utf-8")
    sha = hashlib.sha256(p.read_bytes()).hexdigest()
    base = ["--no-ner", "--no-cache", str(p), "-g", str(GROUP), "--fail-on", "never"]

    doc = json.loads(_run(["scan", "-f", "json", *base], capsys))
    assert doc["chat"]["sha256"] == sha
    assert [(s["check"], s["line"]) for s in doc["integrity"]] == [("line-in-message", 7), ("timestamp-backwards", 8)]
    assert all(f["rule"] not in integrity.CHECKS for f in doc["findings"])          # not findings

    rep = json.loads(_run(["report", "-f", "json", *base], capsys))
    assert rep["integrity"] == doc["integrity"]

    html = _run(["report", "-f", "html", *base], capsys)
    assert '<section id="integrity">' in html and sha in html
    assert "2 signs that the export may have been edited" in html
    assert "[14/09/2023, 19:04:10] Tom Baker: typed" in html

    md = _run(["report", "-f", "md", *base], capsys)
    assert "## Integrity of the export" in md and "| 8 | Timestamp earlier than the message before it |" in md

    text = _run(["scan", *base], capsys)
    assert f"export SHA-256: {sha}" in text and "Integrity: 2 signs" in text

    rows = list(csv.DictReader(io.StringIO(_run(["report", "-f", "csv", *base], capsys))))
    assert rows and all(r["export_sha256"] == sha and r["integrity_signs"] == "2" for r in rows)


def test_clean_chat_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "chat.txt"
    p.write_text(GOOD, encoding="utf-8")
    base = ["--no-ner", "--no-cache", str(p), "--fail-on", "never"]
    assert "No signs of editing were found." in _run(["report", "-f", "html", *base], capsys)
    assert "**No signs of editing were found.**" in _run(["report", "-f", "md", *base], capsys)
    assert json.loads(_run(["scan", "-f", "json", *base], capsys))["integrity"] == []


def test_redacted_report_redacts_integrity_details(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "chat.txt"
    p.write_text(GOOD + "14/09/2023, 19:06 - Jane Smith: ok\n[14/09/2023, 19:04:10] Tom Baker: Sophie is a "
                 "nightmare, ring me on 07700 900123\n", encoding="utf-8")
    base = ["--no-ner", "--no-cache", str(p), "-g", str(GROUP), "--fail-on", "never", "--redact"]
    rep = json.loads(_run(["report", "-f", "json", *base], capsys))
    detail = rep["integrity"][0]["detail"]
    assert "Sophie" not in detail and "[child]" in detail
    html = _run(["report", "-f", "html", *base], capsys)
    assert "Sophie" not in html


def test_integrity_with_the_rescan_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "chat.txt"
    p.write_text(FORGED, encoding="utf-8")
    argv = ["scan", "-f", "json", "--no-ner", str(p), "--fail-on", "never"]
    first = json.loads(_run(argv, capsys))["integrity"]
    again = json.loads(_run(argv, capsys))["integrity"]         # results from the cache, parse as ever
    assert len(first) == 2 and again == first
