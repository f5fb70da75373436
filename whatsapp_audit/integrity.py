"""Signs that an export was edited: the report is evidence, and an export is plain text anyone can edit.

These are not findings (nobody broke the policy); reports list them in an "integrity" section and the JSON
in an `integrity` array, next to the export's SHA-256. They are *signs*, to be read by a person: a text
editor leaves traces WhatsApp never does, but a careful forgery in the file's own format leaves none, and
the only proof is the original group on a phone.

What is checked, all while the chat streams past (a few comparisons per message, nothing kept per message):
- `timestamp-backwards`: a message dated before the one above it (WhatsApp writes in time order).
- `line-in-message`: a line inside a message that is shaped like the start of a message, but in another
  format, with a date that does not exist or without a sender: lines pasted from another export, or a
  header typed by hand (a parent can type a line shaped like another member's message inside their own).
- `date-format` / `time-format`: a date or time written unlike the rest of the file ("04/09" where the
  file writes "4/9", a plain space before "PM" where WhatsApp put a narrow no-break space).
- `after-leaving`: a member posts after leaving or being removed, with no re-join in between.
- `after-export`: a message dated after the zip says the export was made.
- `text-before-first-message`, `invalid-bytes`, `truncated`, `line-endings` (CRLF and LF mixed),
  `zip-entry` (an entry name WhatsApp never writes, such as ../../x).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:   # (imported by parse.interface: no runtime import of the parse package here)
    from whatsapp_audit.parse.dialect import Dialect
    from whatsapp_audit.parse.source import Source

LIMIT = 50          # signs listed per check; the rest are counted in one closing entry
MAX_GONE = 1000     # members remembered as having left (a real group has a few dozen)

CHECKS = {
    "timestamp-backwards": "Timestamp earlier than the message before it",
    "line-in-message": "Line shaped like a message inside another message",
    "date-format": "Date written unlike the rest of the export",
    "time-format": "Time written unlike the rest of the export",
    "after-leaving": "Member posts after leaving the group",
    "after-export": "Message dated after the export was made",
    "text-before-first-message": "Text before the first message",
    "invalid-bytes": "Bytes that are not valid text",
    "truncated": "File cut short",
    "line-endings": "Mixed line endings",
    "zip-entry": "Zip entry WhatsApp never writes",
}

# The start of a message line in any dialect (as dialect._GENERIC, without needing a sender after it).
_HEADER_LIKE = re.compile(
    r"^[\u200e\u200f\ufeff]*\[?\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\.?,? ?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
    r"(?:[ \u202f\u00a0]?[AaPp]\.? ?[Mm]\.?)?(?:\] | [-\u2013] )", re.M)
_TIME = re.compile(r"(\d+)\D\d\d(?:\D\d\d)?(.*)", re.S)
_LEAVE = {"left", "removed"}
_BACK = {"added", "joined"}
_YOU = {"You", "you", "Du", "du"}


@dataclass(slots=True)
class Sign:
    check: str
    line: int | None
    detail: str
    index: int | None = None
    timestamp: str | None = None

    @property
    def title(self) -> str:
        return CHECKS.get(self.check, self.check)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"check": self.check, "line": self.line, "detail": self.detail}
        if self.index is not None:
            d["index"] = self.index
        if self.timestamp is not None:
            d["timestamp"] = self.timestamp
        return d


def _snippet(s: str, n: int = 60) -> str:
    s = s.replace("\u202f", " ").replace("\u200e", "").replace("\u200f", "")
    return s if len(s) <= n else s[: n - 1] + "…"


def _pad(field: str) -> str:
    """How a number is written: '0' zero-padded, '1' a single digit, '' cannot tell ("14")."""
    if len(field) == 1:
        return "1"
    return "0" if len(field) == 2 and field[0] == "0" else ""


class Checker:
    """Streams over a chat's records (`rows()`, tuples in `Message` field order) and the parser's first
    sight of each distinct date and time (`date()`, `time()`); `signs()` gives the result."""

    def __init__(self, dialect: Dialect, source: Source | None = None) -> None:
        self.dialect = dialect
        self.source = source
        self._header = dialect.header()
        self._out: list[Sign] = []
        self._count: Counter[str] = Counter()
        self._prev_ts = ""
        self._prev_line = 0
        self._gone: dict[str, int] = {}
        self._date_style: list[tuple[str, int, str] | None] = [None, None, None]   # per field: style, line, raw
        self._tail: tuple[str, int, str] | None = None      # how AM/PM follows the time: style, line, raw
        self._hour: tuple[str, int, str] | None = None      # hour padding: style, line, raw
        self._zip_limit: str | None = None
        zip_time = getattr(source, "zip_time", None)
        if zip_time:
            self._zip_limit = (datetime.fromisoformat(zip_time) + timedelta(days=1)).isoformat()
        self._after_export = 0
        self.preamble = 0

    # ------------------------------------------------------------------ recording

    def add(self, check: str, line: int | None, detail: str, index: int | None = None,
            timestamp: str | None = None) -> None:
        self._count[check] += 1
        if self._count[check] <= LIMIT:
            self._out.append(Sign(check, line, detail, index, timestamp))

    # ------------------------------------------------------------------ called by the parser

    def date(self, raw: str, line: int) -> None:
        """A date string seen for the first time: is it padded like the others?"""
        for i, f in enumerate(raw.split(self.dialect.shape.sep)[:3]):
            style = _pad(f)
            if not style:
                continue
            known = self._date_style[i]
            if known is None:
                self._date_style[i] = (style, line, raw)
            elif known[0] != style:
                self.add("date-format", line, f"the date {raw!r} is written unlike the rest of the export "
                                             f"(line {known[1]} writes {known[2]!r})")
                return

    def time(self, raw: str, line: int) -> None:
        """A time string seen for the first time: hour padding and how AM/PM is written."""
        m = _TIME.match(raw)
        if m is None:
            return
        tail = m.group(2).replace("A", "P").replace("a", "p")
        pad = _pad(m.group(1))
        what = None
        if self._tail is None:
            self._tail = (tail, line, raw)
        elif self._tail[0] != tail:
            what, known = "AM/PM is written", self._tail
        if pad and what is None:
            if self._hour is None:
                self._hour = (pad, line, raw)
            elif self._hour[0] != pad:
                what, known = "the hour is written", self._hour
        if what is not None:
            self.add("time-format", line, f"the time {_snippet(raw)!r} is written unlike the rest of the export "
                                          f"({what} differently; line {known[1]} writes {_snippet(known[2])!r})")

    def set_preamble(self, lines: int) -> None:
        self.preamble = lines

    # ------------------------------------------------------------------ per record

    def rows(self, rows: list[tuple[Any, ...]]) -> None:
        prev_ts, prev_line = self._prev_ts, self._prev_line
        gone = self._gone
        for row in rows:
            ts = row[2]
            if ts < prev_ts:
                self._backwards(row, prev_ts, prev_line)
            prev_ts, prev_line = ts, row[1]
            text = row[4]
            if len(row) == 5:
                if gone and row[3] in gone:
                    self._after_leaving(row)
            elif row[5] == "system":
                self._system(row)
            elif gone and row[3] in gone:
                self._after_leaving(row)
            if "\n" in text:
                self._lines_inside(row)
            if self._zip_limit is not None and ts > self._zip_limit:
                self._after_export += 1
                if self._after_export == 1:
                    self.add("after-export", row[1], f"dated {ts.replace('T', ' ')}, after the zip was made "
                                                     f"({self.source.zip_time.replace('T', ' ')})",  # type: ignore[union-attr]
                             row[0], ts)
        self._prev_ts, self._prev_line = prev_ts, prev_line

    def _backwards(self, row: tuple[Any, ...], prev_ts: str, prev_line: int) -> None:
        ts = row[2]
        detail = f"{ts.replace('T', ' ')} is earlier than the message before it ({prev_ts.replace('T', ' ')}, line " \
                 f"{prev_line})"
        try:
            gap = datetime.fromisoformat(prev_ts) - datetime.fromisoformat(ts)
            if gap <= timedelta(hours=1):
                detail += "; a step back of an hour or less can also be a clock change"
        except ValueError:
            pass
        self.add("timestamp-backwards", row[1], detail, row[0], ts)

    def _system(self, row: tuple[Any, ...]) -> None:
        event, actor, target = row[8], row[9], row[10]
        gone = self._gone
        if event in _LEAVE:
            who = actor if event == "left" else target
            if who and who not in _YOU:
                if len(gone) >= MAX_GONE:
                    del gone[next(iter(gone))]
                gone[who] = row[1]
        elif event in _BACK and gone:
            names = " ".join(x for x in (actor, target) if x)
            for name in [n for n in gone if n in names]:
                del gone[name]

    def _after_leaving(self, row: tuple[Any, ...]) -> None:
        author = row[3]
        left = self._gone.pop(author)     # once per departure
        self.add("after-leaving", row[1], f"{author} posts here, but left or was removed at line {left} and the "
                                          "export shows no re-join in between", row[0], row[2])

    def _lines_inside(self, row: tuple[Any, ...]) -> None:
        """Header-shaped lines inside one message: one sign per message, naming the first and the count."""
        text = row[4]
        first = 1 if len(row) > 5 and row[5] == "media" else 0   # a media caption starts on the next line
        hits = _HEADER_LIKE.finditer(text, text.find("\n") + 1)
        m = next(hits, None)
        if m is None:
            return
        start = m.start()
        end = text.find("\n", start)
        line_text = text[start:] if end < 0 else text[start:end]
        line = row[1] + first + text.count("\n", 0, start)
        hm = self._header.match("\n" + line_text)
        if hm is None:
            why = "is not in this export's format (pasted from another export, or typed)"
        elif not self.dialect.date_iso(hm.group(2)):
            why = "has a date that does not exist"
        else:
            why = "names no sender"
        more = sum(1 for _ in hits)
        author = row[3] or "(system)"
        lead = f"{_snippet(line_text)!r} looks like the start of a message but {why}"
        if more:
            lead = f"{more + 1} lines look like the start of a message; the first, {lead}"
        self.add("line-in-message", line, f"{lead}; kept as part of the message from {author} at line {row[1]}",
                 row[0], row[2])

    # ------------------------------------------------------------------ result

    def signs(self) -> list[Sign]:
        """Everything found, by line, with the file-level signs of the source; one closing entry per check
        that had more than LIMIT."""
        out = list(self._out)
        src = self.source
        if self.preamble:
            out.append(Sign("text-before-first-message", 1, f"lines 1-{self.preamble} come before the first "
                                                            "message (WhatsApp starts an export with one)"))
        if src is not None:
            for line in src.bad_lines:
                out.append(Sign("invalid-bytes", line, "bytes that are not valid text were replaced with \ufffd "
                                                       "(WhatsApp writes valid UTF-8; an editor or a copy may not)"))
            if src.more_bad_lines:
                out.append(Sign("invalid-bytes", None, "more invalid bytes later in the file"))
            if src.truncated_at is not None:
                out.append(Sign("truncated", src.truncated_at, "the file ends part-way through a character: it "
                                                               "may have been cut short"))
            crlf, lines, odd = src.line_endings
            if 0 < crlf < lines:
                out.append(Sign("line-endings", odd, f"{crlf:,} of {lines:,} lines end with CRLF, the rest with LF: "
                                                     "parts of the file were written by different programs"))
            for name in src.unsafe_members[:LIMIT]:
                out.append(Sign("zip-entry", None, f"the zip holds an entry named {name!r}, which WhatsApp never "
                                                   "writes; it was not read"))
        if self._after_export > 1:
            out.append(Sign("after-export", None, f"{self._after_export - 1:,} more messages are dated after the "
                                                  "zip was made"))
        for check, n in self._count.items():
            if n > LIMIT:
                out.append(Sign(check, None, f"{n - LIMIT:,} more like this are not listed"))
        out.sort(key=lambda s: (s.line is None, s.line or 0))
        return out
