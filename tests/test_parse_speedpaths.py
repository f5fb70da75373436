"""The parser's column-by-column fast path must give exactly what its message-by-message path gives.

`parser._Parser.columns` handles most of a chunk with C-level maps and writes JSON lines straight from the
split pieces; `_Parser.sequential` is the general per-message loop. Forcing every chunk through the latter
and comparing records, JSON lines, what the integrity checks are told and the notes checks the former on
inputs built to hit its edges: quotes, backslashes and control characters in a line, invisible marks,
placeholders, continuation lines, unknown and group-name authors, impossible dates, unpadded iOS hours,
tiny read blocks. Synthetic people only.
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path

import pytest

from whatsapp_audit.model import Message
from whatsapp_audit.parse import open_chat, parser, source
from whatsapp_audit.parse.jsonl import write_lines

LRM = "\u200e"
NAMES = ["Jane Smith", "Tom Baker", "\u202a+44 7700 900456\u202c", 'Jo "JJ" Bloggs', "Ann\\Back", "Zoë",
         "Year 4 Oak Class Parents"]
BODIES = ["Morning all", "", 'He said "hi"', "back\\slash", "tab\there", "ctrl\x01char", "emoji 😂",
          "nbsp\u00a0here", "lrm\u200einside", "<Media omitted>", f"{LRM}image omitted", "image omitted",
          f"{LRM}This message was deleted.", "This message was deleted", "POLL:", "Missed voice call",
          "doc.pdf (file attached)", "Trip.pdf • 3 pages document omitted", "text <This message was edited>",
          "ends with >", "x omitted", "Time: 10:30", "Standort: https://x", "y" * 120, "z" * 101 + " omitted",
          "ends )"]
SYSTEM = ['Jane Smith created group "Year 4 Oak Class Parents"', "Jane Smith added Tom Baker", "Tom Baker left",
          'Jane Smith changed the subject to "Year 4: Oak"', "Missed voice call", "random line without author"]
FOLLOW = ["second line", "", "31/02/2023, 10:00 - Tom Baker: not a real date", 'quote " here', "ends >",
          f"lrm {LRM} here", "14/09/2023, 19:02 - Jane: a header inside", "<This message was edited>", "\tTab"]


def _header(dialect: str, d: int, mo: int, h: int, mi: int, s: int) -> str:
    h12, ampm = h % 12 or 12, "AM" if h < 12 else "PM"
    return {"android-gb": f"{d:02d}/{mo:02d}/2023, {h:02d}:{mi:02d} - ",
            "android-us": f"{mo}/{d}/23, {h12}:{mi:02d}\u202f{ampm} - ",
            "ios-gb": f"[{d:02d}/{mo:02d}/2023, {h:02d}:{mi:02d}:{s:02d}] ",
            "ios-unpadded": f"[{d}/{mo}/2023, {h}:{mi:02d}:{s:02d}] "}[dialect]


def _chat(seed: int, dialect: str) -> str:
    rng = random.Random(seed)
    ios = dialect.startswith("ios")
    lines = ["a line before the first message"] if rng.random() < 0.3 else []
    day = 13
    for _ in range(rng.randint(50, 300)):
        day = min(28, day + (rng.random() < 0.05))
        d, mo = (31, 4) if rng.random() < 0.03 else (day, 9)       # 31 April: not a message
        head = rng.choice(["", "", "", LRM]) + _header(dialect, d, mo, rng.randint(0, 23), rng.randint(0, 59),
                                                       rng.randint(0, 59))
        r = rng.random()
        if r < 0.1:
            body = rng.choice(SYSTEM)
            if ios and rng.random() < 0.7:
                body = f"{rng.choice(['Year 4 Oak Class Parents', 'Jane Smith'])}: {LRM}{body}"
            lines.append(head + body)
        elif r < 0.13:
            lines.append(head + rng.choice(BODIES))                    # no author
        else:
            lines.append(f"{head}{rng.choice(NAMES)}: {rng.choice(BODIES)}")
        while rng.random() < 0.15:
            lines.append(rng.choice(FOLLOW))
    return "\n".join(lines) + ("\n" if rng.random() < 0.5 else "")


class _Watch:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def date(self, raw: str, line: int) -> None:
        self.calls.append(("date", raw, line))

    def time(self, raw: str, line: int) -> None:
        self.calls.append(("time", raw, line))

    def set_preamble(self, lines: int) -> None:
        self.calls.append(("preamble", lines))


def _everything(path: Path) -> tuple:
    with open_chat(str(path)) as chat:
        lines = [x for batch in chat.json_batches() for x in batch]
        rows = [r for batch in chat.row_batches() for r in batch]
        watch = _Watch()
        notes: list[str] = []
        for _ in parser.parse_rows(chat._source.chunks(), chat.dialect_info, notes, str(path), watch=watch):
            pass
        return "".join(lines), len(lines), rows, chat.integrity, watch.calls, notes, list(chat.notes)


@pytest.mark.parametrize("block", [1 << 17, 333, 64])
@pytest.mark.parametrize("dialect", ["android-gb", "android-us", "ios-gb", "ios-unpadded"])
@pytest.mark.parametrize("seed", range(4))
def test_columns_give_what_message_by_message_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    seed: int, dialect: str, block: int) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(_chat(seed, dialect), encoding="utf-8")
    monkeypatch.setattr(source, "BLOCK", block)
    fast = _everything(path)
    monkeypatch.setattr(parser._Parser, "columns", lambda self, parts, n: ([], 0))
    slow = _everything(path)
    assert fast == slow
    text, count, rows = fast[0], fast[1], fast[2]
    assert count == len(rows) == text.count("\n")
    assert text == "".join(json.dumps(Message(*r).to_dict(), ensure_ascii=False) + "\n" for r in rows)


def test_write_lines_counts_records(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text(_chat(7, "android-gb"), encoding="utf-8")
    with open_chat(str(path)) as chat:
        n_rows = sum(len(b) for b in chat.row_batches())
        out = io.BytesIO()
        assert write_lines(chat.json_batches(), out) == n_rows == out.getvalue().count(b"\n")


def test_plain_lines_need_no_json_escapes() -> None:
    """The header pattern's "plain" group takes only lines that JSON writes as they are."""
    split = re.compile(parser._REST).match
    for text in ["Morning all", "emoji 😂", "é ñ ü", "a: b", "10:30 at the gate", ""]:
        assert split(text).group(1) == text
    for text in ['say "hi"', "back\\slash", "tab\there", "\x01", f"{LRM}x", "nb\u00a0sp", "<Media omitted>",
                 "image omitted", "ends >", "doc.pdf (file attached)", "Missed voice call"]:
        m = split(text)
        assert m.group(1) is None and m.group(2) == text
