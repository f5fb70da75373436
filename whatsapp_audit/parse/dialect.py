"""Which export dialect a file is in, and the exact header pattern the parser uses for it.

A WhatsApp export starts every message with a date and time in the phone's locale:

    14/09/2023, 19:02 - Jane Smith: text           Android, day-first, 24 h
    9/14/23, 7:02 PM - Jane Smith: text            Android, month-first, 12 h (U+202F before PM)
    [14/09/2023, 19:02:33] Jane Smith: text        iOS (square brackets, seconds)
    14.09.23, 19:02 - Jane Smith: text             Android, German

The shape (brackets, separators, year digits, seconds, 12/24 h) is read from the first header line, then the
whole file is held to that one shape: a line in another shape is a continuation line, not a message.
Day-first vs month-first is decided from the whole file (a field above 12 settles it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from whatsapp_audit.errors import UserError

ORDERS = ("auto", "dmy", "mdy")

# Any plausible header, used only to learn the file's shape from its first message.
_GENERIC = re.compile(
    r"^[\u200e\u200f\ufeff]*(\[)?(\d{1,4})([./-])(\d{1,2})\3(\d{1,4})(\.?,? ?)"
    r"(\d{1,2})([:.])(\d{2})(?:\8(\d{2}))?([ \u202f\u00a0]?[AaPp]\.? ?[Mm]\.?)?(\] | [-\u2013] )([^\n]*)",
    re.M,
)

_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_HOUR24 = r"(?:[01]?\d|2[0-3])"
_HOUR12 = r"(?:0?[1-9]|1[0-2])"
_AMPM = r"[ \u202f\u00a0]?[AaPp]\.? ?[Mm]\.?"        # "PM", " pm", "\u202fPM", " p.m."
_HIGH = r"(?:1[3-9]|2\d|3[01])"                      # a field that can only be a day

_GERMAN = re.compile("Ende-zu-Ende|Medien ausgeschlossen|Diese Nachricht wurde|hinzugefügt|hat die Gruppe|"
                     "Datei angehängt|Standort: |weggelassen|beigetreten")

_DAYS_IN = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class Shape:
    """The header format of one file, minus the date order."""

    ios: bool            # "[date, time] " instead of "date, time - "
    ymd: bool            # year first ("2023-09-14")
    sep: str             # date separator: / . -
    year_digits: int     # 2 or 4
    mid: str             # between date and time, usually ", "
    tsep: str            # time separator, usually ':'
    seconds: bool
    clock12: bool
    close: str           # after the time: "] " (iOS) or " - " (Android; some phones write an en dash)
    ambiguous: bool      # day and month positions cannot be told apart from this header alone


def find_shape(text: str) -> tuple[Shape, int] | None:
    """The shape of the first header line in `text` (and its offset), or None if there is none."""
    for m in _GENERIC.finditer(text):
        bracket, a, sep, b, c, mid, _h, tsep, _m, sec, ampm, close, rest = m.groups()
        if bool(bracket) != (close == "] ") or not mid or not rest.strip():
            continue
        ymd = len(a) == 4
        year = a if ymd else c
        if len(year) not in (2, 4) or (not ymd and len(a) > 2):
            continue
        ambiguous = not ymd and int(a) <= 12 and int(b) <= 12
        return Shape(ios=bool(bracket), ymd=ymd, sep=sep, year_digits=len(year), mid=mid, tsep=tsep,
                     seconds=sec is not None, clock12=ampm is not None, close=close,
                     ambiguous=ambiguous), m.start()
    return None


def _time_re(shape: Shape) -> str:
    t = re.escape(shape.tsep)
    s = (_HOUR12 if shape.clock12 else _HOUR24) + t + r"[0-5]\d"
    if shape.seconds:
        s += t + r"[0-5]\d"
    if shape.clock12:
        s += _AMPM
    return s


def _tail_re(shape: Shape) -> str:
    return re.escape(shape.close)


def header_pattern(shape: Shape, order: str, rest: str = r"([^\n]*)") -> re.Pattern[str]:
    """For `split`: groups 1 the invisible mark before the header (usually ""), 2 raw date, 3 raw time,
    4 the author (None when the line has no "Name: "), then `rest`, the rest of the line (one group unless
    the caller asks for more). The header itself is rebuilt from these in the rare case it is needed.
    Ranges are checked by the pattern itself,
    so a line with a 13th month or a 25th hour never matches and stays a continuation line."""
    sep = re.escape(shape.sep)
    year = rf"\d{{{shape.year_digits}}}"
    if shape.ymd:
        date = f"{year}{sep}{_MONTH}{sep}{_DAY}"
    elif order == "mdy":
        date = f"{_MONTH}{sep}{_DAY}{sep}{year}"
    else:
        date = f"{_DAY}{sep}{_MONTH}{sep}{year}"
    lead = r"([\u200e\u200f\ufeff]?)" + (r"\[" if shape.ios else "")
    # Starts with a literal "\n" rather than "^" with re.M: the regex engine then jumps from newline to newline
    # instead of trying every position (twice as fast). The parser puts a "\n" before each chunk.
    # The author is captured here too ("Name: " with no colon inside), saving a find and two slices per
    # message in Python; anything else leaves group 4 empty and the parser looks at the whole line.
    return re.compile(f"\\n{lead}({date}){re.escape(shape.mid)}({_time_re(shape)}){_tail_re(shape)}"
                      "(?:([^:\\n]{1,100}): )?" + rest)


def decisive_pattern(shape: Shape) -> re.Pattern[str]:
    """A header whose first (group 1) or second (group 2) date field is above 12: it settles the order."""
    sep = re.escape(shape.sep)
    year = rf"\d{{{shape.year_digits}}}"
    date = f"(?:({_HIGH}){sep}{_MONTH}|{_MONTH}{sep}({_HIGH})){sep}{year}"
    lead = r"\n[\u200e\u200f\ufeff]?" + (r"\[" if shape.ios else "")
    return re.compile(f"{lead}{date}{re.escape(shape.mid)}{_time_re(shape)}{_tail_re(shape)}")


@dataclass(slots=True)
class Dialect:
    shape: Shape
    order: str           # "dmy", "mdy" or "ymd"
    german: bool

    @property
    def id(self) -> str:
        s = f"{'ios' if self.shape.ios else 'android'}-{self.order}-{'12h' if self.shape.clock12 else '24h'}"
        return s + "-de" if self.german else s

    def header(self, rest: str = r"([^\n]*)") -> re.Pattern[str]:
        return header_pattern(self.shape, self.order, rest)

    def date_iso(self, raw: str) -> str:
        """'14/09/2023' -> '2023-09-14'; '' when the date does not exist (31 April, 29 February 2023)."""
        a, b, c = raw.split(self.shape.sep)
        if self.order == "ymd":
            y, mo, d = a, b, c
        elif self.order == "mdy":
            mo, d, y = a, b, c
        else:
            d, mo, y = a, b, c
        if len(y) == 2:
            y = "20" + y
        day, month, year = int(d), int(mo), int(y)
        if day > _DAYS_IN[month] or (month == 2 and day == 29 and not _leap(year)):
            return ""
        return f"{y}-{month:02d}-{day:02d}"

    def time_iso(self, raw: str) -> str:
        """'7:02\u202fPM' -> '19:02:00'; '19:02:33' -> '19:02:33'."""
        shape = self.shape
        h, rest = raw.split(shape.tsep, 1)
        minute = rest[:2]
        sec = rest[3:5] if shape.seconds else "00"
        hour = int(h)
        if shape.clock12:
            tail = rest[5 if shape.seconds else 2:]
            hour = hour % 12 + (12 if "p" in tail or "P" in tail else 0)
        return f"{hour:02d}:{minute}:{sec}"

    @property
    def iso_time_len(self) -> int:
        """Length of a raw time that is already ISO ("19:02:33"), or -1 if the dialect has none."""
        s = self.shape
        return 8 if s.seconds and not s.clock12 and s.tsep == ":" else -1


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def decide_order(shape: Shape, chunks: Iterable[str], requested: str, path: str) -> tuple[str, list[str]]:
    """Day-first or month-first for the whole file -> (order, notes).

    Scans header lines until one has a field above 12 (usually within the first days of the chat, so this
    reads little). `requested` ("auto", "dmy", "mdy") wins when the file cannot tell; a request the file
    contradicts is an error rather than a silent mis-parse."""
    if requested not in ORDERS:
        raise UserError(f"unknown date order {requested!r}", hint="use auto, dmy or mdy")
    if shape.ymd:
        return "ymd", []
    search = decisive_pattern(shape).search
    lines = 0
    for chunk in chunks:
        m = search("\n" + chunk)
        if m is not None:
            found = "dmy" if m.group(1) is not None else "mdy"
            if requested not in ("auto", found):
                line = lines + chunk.count("\n", 0, m.start()) + 1
                raw = m.group(0).strip("\n\u200e\u200f\ufeff[] -")
                raise UserError(f"--date-order {requested} does not fit this file: {raw!r} is "
                                f"{'day' if found == 'dmy' else 'month'}-first",
                                path=path, line=line, hint="use --date-order auto")
            return found, []
        lines += chunk.count("\n")
    if requested != "auto":
        return requested, []
    return "dmy", [f"{path}: could not tell whether dates are day-first or month-first (no day above 12); "
                   "read them as day-first - pass --date-order mdy if they are month-first"]


_ENGLISH = re.compile("end-to-end encrypted|<Media omitted>|This message was deleted| added | left\n|"
                      "created group|joined using")


def is_german(text: str) -> bool:
    """German wording in the opening text, and no English wording of WhatsApp's own (a member may well write
    "hinzugefügt" in an English export)."""
    g = _GERMAN.search(text)
    if g is None:
        return False
    e = _ENGLISH.search(text)
    return e is None or g.start() < e.start()
