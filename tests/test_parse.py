"""Export parser: every dialect against hand-checked records, continuation lines, system events, date order.

Fixtures are small hand-written exports in tests/fixtures/parse/<dialect>.txt with the exact expected
`parse --format jsonl` output beside them (<dialect>.jsonl). Synthetic people only (+44 7700 900xxx).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Message
from whatsapp_audit.parse import Chat, open_chat, source
from whatsapp_audit.parse.jsonl import write_jsonl
from whatsapp_audit.parse.records import message_row, row_json

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
DIALECTS = {
    "android-gb": "android-dmy-24h",
    "android-us": "android-mdy-12h",
    "ios-gb": "ios-dmy-24h",
    "ios-us": "ios-mdy-12h",
    "android-de": "android-dmy-24h-de",
}


def records(path: str | Path, date_order: str = "auto") -> list[dict]:
    with open_chat(str(path), date_order) as chat:
        return [m.to_dict() for m in chat.messages()]


def expected(name: str) -> list[dict]:
    return [json.loads(x) for x in (FIXTURES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def write(tmp_path: Path, text: str, name: str = "chat.txt", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


# ---------------------------------------------------------------------------------------------- dialects

@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_fixture_records_exact(name: str) -> None:
    with open_chat(str(FIXTURES / f"{name}.txt")) as chat:
        assert chat.dialect == DIALECTS[name]
        assert chat.name == f"{name}.txt"
        assert chat.media_files == 0
        assert chat.notes == []
        got = [m.to_dict() for m in chat.messages()]
    assert got == expected(name)


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_json_lines_are_json_dumps_of_to_dict(name: str) -> None:
    """The fast JSON writer must be byte-identical to the contract's json.dumps(to_dict())."""
    with open_chat(str(FIXTURES / f"{name}.txt")) as chat:
        fast = "".join(line for batch in chat.json_batches() for line in batch)
        msgs = list(chat.messages())
        rows = [row for batch in chat.row_batches() for row in batch]
    slow = "".join(json.dumps(m.to_dict(), ensure_ascii=False) + "\n" for m in msgs)
    assert fast == slow
    assert [Message(*r) for r in rows] == msgs
    assert all(row_json(message_row(m)) == json.dumps(m.to_dict(), ensure_ascii=False) + "\n" for m in msgs)


def test_write_jsonl_for_any_messages(tmp_path: Path) -> None:
    msgs = [Message(0, 1, "2023-09-14T19:02:00", 'Jane "JJ" Smith', 'quote " back\\slash \x01 ✓'),
            Message(1, 2, "2023-09-14T19:03:00", None, "Jane added Tom", "system", event="added",
                    actor="Jane", target="Tom"),
            Message(2, 3, "2023-09-14T19:04:00", "Tom", "", "media", edited=True, media="image")]
    with (tmp_path / "out.jsonl").open("wb") as f:
        assert write_jsonl(msgs, f) == 3
    want = "".join(json.dumps(m.to_dict(), ensure_ascii=False) + "\n" for m in msgs)
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == want


@pytest.mark.parametrize("block", [1, 5, 17, 64, 333])
@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_tiny_read_blocks_give_the_same_records(name: str, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunk boundaries anywhere (mid-line, mid-character, mid-CRLF) must not change a record."""
    want = expected(name)
    monkeypatch.setattr(source, "BLOCK", block)
    assert records(FIXTURES / f"{name}.txt") == want


def test_messages_can_be_read_twice() -> None:
    with open_chat(str(FIXTURES / "ios-gb.txt")) as chat:
        assert list(chat.messages()) == list(chat.messages())


# ------------------------------------------------------------------------------ continuation lines

def test_timestamp_looking_continuation_lines_do_not_split() -> None:
    got = records(FIXTURES / "android-gb.txt")
    first = got[3]
    assert first["author"] == "Jane Smith"
    assert first["text"] == ("Reminder: PE kit tomorrow\nand bring a water bottle\n"
                             "12/10/2023, 10:00 is when the trip leaves\n"
                             "31/02/2023, 10:00 - Tom Baker: not a real date")
    # a dialect-valid prefix with neither "Author: " nor system wording, and a line in iOS format
    assert got[20]["text"] == ("Time: 10:30\n15/09/2023, 08:07 - 10:30 at the main gate, not 11\n"
                               "[15/09/2023, 08:07:00] Tom Baker: a line in another dialect")
    assert got[21]["text"] == "a blank line below\n"
    assert got[22]["line"] == 33


def test_impossible_dates_and_times_stay_in_the_message(tmp_path: Path) -> None:
    p = write(tmp_path, "14/09/2023, 19:02 - Jane: one\n"
                        "30/02/2024, 10:00 - Jane: 30 February\n"
                        "29/02/2023, 10:00 - Jane: not a leap year\n"
                        "14/13/2023, 10:00 - Jane: month 13\n"
                        "14/09/2023, 24:00 - Jane: hour 24\n"
                        "14/09/2023, 10:60 - Jane: minute 60\n"
                        "29/02/2024, 10:00 - Tom: leap day is fine\n")
    got = records(p)
    assert [m["author"] for m in got] == ["Jane", "Tom"]
    assert got[0]["text"].count("\n") == 5
    assert got[1]["timestamp"] == "2024-02-29T10:00:00"


def test_continuation_line_that_starts_with_a_date_at_a_chunk_edge(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    text = "".join(f"14/09/2023, 19:{i:02d} - Jane: m{i}\n12/10/2023, 10:00 is when it leaves\n"
                   for i in range(40))
    p = write(tmp_path, text)
    for block in (3, 50, 1 << 20):
        monkeypatch.setattr(source, "BLOCK", block)
        got = records(p)
        assert len(got) == 40
        assert all(m["text"] == f"m{i}\n12/10/2023, 10:00 is when it leaves" for i, m in enumerate(got))
        assert [m["line"] for m in got] == list(range(1, 80, 2))


# ----------------------------------------------------------------------------------- system events

def test_android_system_events_have_actor_and_target() -> None:
    sys_recs = [(m["event"], m.get("actor"), m.get("target"))
                for m in records(FIXTURES / "android-gb.txt") if m["kind"] == "system"]
    assert sys_recs == [
        ("encryption", None, None), ("created", "Jane Smith", None), ("added", "Jane Smith", "Tom Baker"),
        ("subject", "Jane Smith", None), ("icon", "Jane Smith", None), ("description", "Jane Smith", None),
        ("joined", "+44 7700 900123", None), ("security-code", "Tom Baker", None),
        ("number-changed", "Priya Shah", None), ("removed", "Jane Smith", "Tom Baker"),
        ("left", "+44 7700 900123", None)]


def test_subject_with_a_colon_is_a_system_line_not_a_message() -> None:
    rec = records(FIXTURES / "android-gb.txt")[11]
    assert rec["author"] is None and rec["event"] == "subject"
    assert rec["text"] == 'Jane Smith changed the subject from "Year 4 Oak" to "Year 4: Oak Parents"'


def test_german_system_events() -> None:
    sys_recs = [(m["event"], m.get("actor"), m.get("target"))
                for m in records(FIXTURES / "android-de.txt") if m["kind"] == "system"]
    assert sys_recs == [("encryption", None, None), ("added", "Jane Smith", "Tom Baker"),
                        ("joined", "+44 7700 900123", None), ("removed", "Jane Smith", "Tom Baker"),
                        ("left", "+44 7700 900123", None)]


def test_ios_group_name_lines_are_system_and_the_name_follows_subject_changes() -> None:
    got = records(FIXTURES / "ios-gb.txt")
    system = [m for m in got if m["kind"] == "system"]
    assert all(m["author"] is None for m in system)
    assert not any(m["text"].startswith("Year 4 Oak") for m in system)   # no "Group: " prefix
    # written under the new subject and without the LRM: still recognised from the subject change
    icon = next(m for m in got if m.get("event") == "icon")
    assert icon["text"] == "Jane Smith changed this group's icon"
    # a member typing "Tom Baker left" is a message, not an event
    assert got[18] == {"index": 18, "line": 24, "timestamp": "2023-09-15T08:01:00", "author": "Tom Baker",
                       "text": "Tom Baker left", "kind": "text"}
    # phone numbers lose their U+202A/U+202C wrapping, in authors and system targets alike
    assert got[2]["target"] == "+44 7700 900123" and got[6]["author"] == "+44 7700 900123"


def test_ios_other_group_name_system_line(tmp_path: Path) -> None:
    L = "\u200e"
    p = write(tmp_path, f"[14/09/2023, 19:00:00] Oak: {L}Messages and calls are end-to-end encrypted.\n"
                        f"[14/09/2023, 19:00:01] Oak: {L}Jane Smith pinned a message\n"
                        f"[14/09/2023, 19:00:02] Oak: {L}Something WhatsApp says that we do not know\n"
                        "[14/09/2023, 19:00:03] Jane: hi\n")
    got = records(p)
    assert [(m["author"], m["kind"], m.get("event")) for m in got] == [
        (None, "system", "encryption"), (None, "system", "other"), (None, "system", "other"),
        ("Jane", "text", None)]
    assert got[1]["actor"] == "Jane Smith"


def test_encryption_notice_without_group_prefix(tmp_path: Path) -> None:
    p = write(tmp_path, "\u200e[14/09/2023, 19:00:00] \u200eMessages and calls are end-to-end encrypted. "
                        "No one outside of this chat, not even WhatsApp, can read or listen to them.\n"
                        "[14/09/2023, 19:00:03] Jane: hi\n")
    got = records(p)
    assert got[0]["event"] == "encryption" and got[0]["author"] is None
    assert got[0]["text"].startswith("Messages and calls")


def test_more_android_wording(tmp_path: Path) -> None:
    p = write(tmp_path, "14/09/2023, 19:00 - You created group \"Oak\"\n"
                        "14/09/2023, 19:01 - You added Tom Baker, Priya Shah and +44 7700 900123\n"
                        "14/09/2023, 19:02 - Tom Baker changed to +44 7700 900456\n"
                        "14/09/2023, 19:03 - Your security code with Tom Baker changed. Tap to learn more.\n"
                        "14/09/2023, 19:04 - You're now an admin\n"
                        "14/09/2023, 19:05 - Missed voice call\n"
                        "14/09/2023, 19:06 - Tom Baker: You deleted this message\n"
                        "14/09/2023, 19:07 - Tom Baker: Video call\n"
                        "14/09/2023, 19:08 - Tom Baker: PTT-20230914-WA0003.opus (file attached)\n"
                        "14/09/2023, 19:09 - Tom Baker: Trip letter.pdf (file attached)\n"
                        "14/09/2023, 19:10 - Tom Baker: STK-20230914-WA0004.webp (file attached)\n"
                        "14/09/2023, 19:11 - Tom Baker: VID-20230914-WA0005.mp4 (file attached)\n"
                        "14/09/2023, 19:12 - Tom Baker: Location: the park at 3\n")
    got = records(p)
    assert [(m["kind"], m.get("event"), m.get("actor"), m.get("target"), m.get("media")) for m in got] == [
        ("system", "created", "You", None, None),
        ("system", "added", "You", "Tom Baker, Priya Shah and +44 7700 900123", None),
        ("system", "number-changed", "Tom Baker", "+44 7700 900456", None),
        ("system", "security-code", "Tom Baker", None, None),
        ("system", "other", None, None, None),
        ("call", None, None, None, None),
        ("deleted", None, None, None, None),
        ("call", None, None, None, None),
        ("media", None, None, None, "audio"),
        ("media", None, None, None, "document"),
        ("media", None, None, None, "sticker"),
        ("media", None, None, None, "video"),
        ("text", None, None, None, None)]


# ---------------------------------------------------------------------------------- header variants

@pytest.mark.parametrize(("line", "dialect", "timestamp"), [
    ("14/09/2023, 19:02 - ", "android-dmy-24h", "2023-09-14T19:02:00"),
    ("14/09/23, 19:02 - ", "android-dmy-24h", "2023-09-14T19:02:00"),
    ("14.09.2023, 19:02 - ", "android-dmy-24h", "2023-09-14T19:02:00"),
    ("14-09-2023, 19:02 - ", "android-dmy-24h", "2023-09-14T19:02:00"),
    ("14/09/2023, 19:02:45 - ", "android-dmy-24h", "2023-09-14T19:02:45"),
    ("9/14/23, 7:02 PM - ", "android-mdy-12h", "2023-09-14T19:02:00"),
    ("9/14/23, 7:02\u202fPM - ", "android-mdy-12h", "2023-09-14T19:02:00"),
    ("9/14/23, 7:02\u00a0PM - ", "android-mdy-12h", "2023-09-14T19:02:00"),
    ("9/14/23, 7:02 pm - ", "android-mdy-12h", "2023-09-14T19:02:00"),
    ("9/14/23, 7:02 p.m. - ", "android-mdy-12h", "2023-09-14T19:02:00"),
    ("9/14/23, 12:02 a.m. - ", "android-mdy-12h", "2023-09-14T00:02:00"),
    ("14/09/2023, 7:02 am - ", "android-dmy-12h", "2023-09-14T07:02:00"),
    ("[14/09/2023, 19:02:33] ", "ios-dmy-24h", "2023-09-14T19:02:33"),
    ("[14.09.23, 19:02:33] ", "ios-dmy-24h", "2023-09-14T19:02:33"),
    ("[9/14/23, 7:02:33\u202fPM] ", "ios-mdy-12h", "2023-09-14T19:02:33"),
    ("\u200e[14/09/2023, 19:02:33] ", "ios-dmy-24h", "2023-09-14T19:02:33"),
    ("2023-09-14, 19:02 - ", "android-ymd-24h", "2023-09-14T19:02:00"),
])
def test_header_variants(tmp_path: Path, line: str, dialect: str, timestamp: str) -> None:
    p = write(tmp_path, f"{line}Jane Smith: hello\nsecond line\n{line}Tom: bye\n")
    with open_chat(str(p)) as chat:
        assert chat.dialect == dialect
        got = [m.to_dict() for m in chat.messages()]
    assert got == [
        {"index": 0, "line": 1, "timestamp": timestamp, "author": "Jane Smith", "text": "hello\nsecond line",
         "kind": "text"},
        {"index": 1, "line": 3, "timestamp": timestamp, "author": "Tom", "text": "bye", "kind": "text"}]


def test_invisible_marks_removed_and_narrow_spaces_become_spaces(tmp_path: Path) -> None:
    p = write(tmp_path, "14/09/2023, 19:02 - \u2068Jane\u00a0Smith\u2069: a\u200fb\u202ac\u202cd\ufeff "
                        "e\u202ff\u00a0g\n")
    assert records(p)[0]["author"] == "Jane Smith"
    assert records(p)[0]["text"] == "abcd e f g"


# --------------------------------------------------------------------------------------- date order

AMBIGUOUS = "01/02/2024, 10:00 - Jane: a\n03/04/2024, 10:00 - Jane: b\n"


def test_undecidable_date_order_defaults_to_day_first_with_a_note(tmp_path: Path) -> None:
    p = write(tmp_path, AMBIGUOUS)
    with open_chat(str(p)) as chat:
        assert chat.dialect == "android-dmy-24h"
        assert [m.timestamp for m in chat.messages()] == ["2024-02-01T10:00:00", "2024-04-03T10:00:00"]
        assert len(chat.notes) == 1 and "day-first" in chat.notes[0] and "--date-order mdy" in chat.notes[0]


def test_date_order_option_used_when_the_file_cannot_tell(tmp_path: Path) -> None:
    p = write(tmp_path, AMBIGUOUS)
    with open_chat(str(p), "mdy") as chat:
        assert chat.notes == []
        assert [m.timestamp for m in chat.messages()] == ["2024-01-02T10:00:00", "2024-03-04T10:00:00"]


def test_date_order_decided_by_a_late_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "BLOCK", 64)
    p = write(tmp_path, AMBIGUOUS * 50 + "12/25/2024, 10:00 - Jane: Christmas\n")
    with open_chat(str(p)) as chat:
        assert chat.dialect == "android-mdy-24h" and chat.notes == []
        got = list(chat.messages())
    assert got[0].timestamp == "2024-01-02T10:00:00" and got[-1].timestamp == "2024-12-25T10:00:00"


def test_date_order_that_contradicts_the_file_is_an_error(tmp_path: Path) -> None:
    p = write(tmp_path, AMBIGUOUS + "25/12/2024, 10:00 - Jane: Christmas\n")
    with pytest.raises(UserError) as e:
        open_chat(str(p), "mdy")
    assert e.value.path == str(p) and e.value.line == 3 and "day-first" in str(e.value)
    with pytest.raises(UserError):
        open_chat(str(p), "ymd")


def test_chat_is_a_context_manager_and_has_a_repr() -> None:
    with open_chat(str(FIXTURES / "android-us.txt")) as chat:
        assert isinstance(chat, Chat)
        assert "android-mdy-12h" in repr(chat)
