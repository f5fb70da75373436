"""The streaming loop: decoded text chunks -> records, in one pass.

Each chunk is cut with one precompiled `split` (in C) into
    [before, mark, date, time, author, rest-of-line, following-lines, mark, date, ...]
so Python touches each message once, never each line. A header that turns out not to be one (31 April, no
"Author: " and no known system wording) is glued back onto the message before it. Only the current message
is carried from one chunk to the next. Hot-path choices, all measured:
- dates, times and authors repeat, so each distinct raw string is converted (and checked) once and cached;
- a body is cleaned of invisible marks only if it is not pure ASCII and has some;
- a body is classified only if its first characters or its ending could be a placeholder;
- records are plain tuples (`records.Row`), a list per chunk; `Chat.messages()` wraps them in `Message`
  objects. For `--format jsonl` the loop formats plain text records as JSON lines itself (`as_json`), which
  saves building and taking apart ~100k tuples.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from whatsapp_audit.errors import UserError
from whatsapp_audit.parse import body as _body
from whatsapp_audit.parse import system as _system
from whatsapp_audit.parse.dialect import Dialect
from whatsapp_audit.parse.marks import INVISIBLE, LRM, clean
from whatsapp_audit.parse.records import Row, enc, row_json

Event = _system.SystemEvent

# A message WhatsApp can write is at most 65,536 characters; one longer than this is not from an export.
# The cap also keeps memory bounded and reading linear: the last message of a chunk is carried (and split
# again) with the next chunk, so an endless "message" would otherwise be re-read with every chunk.
MAX_MESSAGE = 1 << 21
# The caches of distinct dates, times and authors are bounded by the calendar and the group's size in any
# real export; a crafted file with a new author on every line must not grow them without end.
CACHE_MAX = 100_000

_CALL: Event = ("call", None, None, None)

# Quick gate before `body.classify`: could the body start or its first line end with a placeholder?
_STARTS: dict[str, tuple[str, ...]] = {}
for _p in ("<", "POLL:", "UMFRAGE:", "location: ", "Location: ", "Standort: ", "live location",
           "Live location", "Live-Standort", "This message was deleted", "You deleted this message",
           "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht", "Missed ", "Silenced ",
           "Declined ", "Verpasste", "Voice call", "Video call", "voice call", "video call", "Group voice call",
           "Group video call", "Sprachanruf", "Videoanruf", "Gruppenanruf", "Contact card omitted",
           "Kontaktkarte"):
    _STARTS[_p[0]] = (*_STARTS.get(_p[0], ()), _p)
_ENDS: dict[str, tuple[str, ...]] = {"d": (" omitted",), "n": (" weggelassen", " ausgelassen"),
                                      ")": (" (file attached)", " (Datei angehängt)"), ">": (">",)}


def _row(index: int, line: int, ts: str, author: str | None, first: str, more: str,
         event: Event | None) -> Row:
    """The record for one finished message (any kind); the loop inlines the plain-text case."""
    text = first + more if more else first
    if event is not None:
        text = clean(text)
        if event[0] == "call":
            return (index, line, ts, None, text, "call", False, None, None, None, None)
        return (index, line, ts, None, text, "system", False, None, event[0], event[1], event[2])
    if not text.isascii() and INVISIBLE.search(text) is not None:
        text = clean(text)
    nl = text.find("\n")
    head = text if nl < 0 else text[:nl]
    if text[-1:] != ">" and ((s := _STARTS.get(head[:1])) is None or not head.startswith(s)) \
            and ((e := _ENDS.get(head[-1:])) is None or not head.endswith(e)):
        return (index, line, ts, author, text)
    kind, text, media, edited = _body.classify(text)
    return (index, line, ts, author, text, kind, edited, media, None, None, None)


def _android_who(rest: str, i: int, authors: dict[str, str]) -> tuple[str | None, int, Event | None] | None:
    """A header line whose "Author: " part is not a known author: a new author, a system line, or not a
    header at all. An author part with quotes may be a system line whose subject has a colon in it
    (`X changed the subject to "Year 4: Oak"`), so system wording is tried first."""
    text = clean(rest)
    event = _system.classify(text)
    if event is not None and (i < 0 or event[0] != "other"):
        return None, 0, event
    if i > 0:
        return _author(rest[:i], authors), i + 2, None
    if _body.is_call(text):
        return None, 0, _CALL
    if rest.endswith(":") and len(rest) > 1:      # "Author:" with an empty message
        return _author(rest[:-1], authors), len(rest), None
    return None


def _ios_who(rest: str, i: int, authors: dict[str, str], groups: set[str]
             ) -> tuple[str | None, int, Event | None] | None:
    """The same for iOS, where system lines read "<group name>: \u200e<event>". The group name is the chat's
    subject, which can change, so it is learnt from those lines (and from subject changes) rather than
    assumed. A user's message never starts with an LRM, and placeholders that do ("\u200eimage omitted")
    are not system lines."""
    j = rest.find(": " + LRM)
    if j >= 0:
        text = clean(rest[j + 3:])
        if _body.SPECIAL.match(text) is None:
            event = _system.classify(text)
            if event is not None:
                groups.add(clean(rest[:j]))
                if event[3]:
                    groups.add(event[3])
                return None, j + 2, event
    if i < 0:
        # No "Name: " at all: the encryption notice can come without the group prefix.
        text = clean(rest)
        event = _system.classify(text)
        if event is not None:
            return None, 0, event
        if _body.is_call(text):
            return None, 0, _CALL
        return None
    name = clean(rest[:i])
    if name in groups:
        event = _system.classify(clean(rest[i + 2:])) or ("other", None, None, None)
        if event[3]:
            groups.add(event[3])
        return None, i + 2, event
    return _author(rest[:i], authors), i + 2, None


def _author(raw: str, authors: dict[str, str]) -> str:
    name = authors[raw] = clean(raw)
    return name


def _who(rest: str, ios: bool, authors: dict[str, str], groups: set[str]
         ) -> tuple[str | None, int, Event | None] | None:
    i = rest.find(": ")
    if i > 0 and (author := authors.get(rest[:i])) is not None and (not ios or rest[i + 2:i + 3] != LRM):
        return author, i + 2, None
    return _ios_who(rest, i, authors, groups) if ios else _android_who(rest, i, authors)


def parse_rows(chunks: Iterable[str], dialect: Dialect, notes: list[str], path: str,
               as_json: bool = False, watch: Any = None) -> Iterator[list[Any]]:
    """Lists of records (or of JSON lines when `as_json`), one list per chunk of input (possibly empty).

    `watch`, when given, is told each distinct raw date and time the first time it appears
    (`watch.date(raw, line)`, `watch.time(raw, line)`): the integrity checks look at how they are written.
    Raises UserError if a message is longer than MAX_MESSAGE or the file holds no message at all."""
    split = dialect.header().split
    shape = dialect.shape
    opener = "[" if shape.ios else ""
    date_iso, time_iso = dialect.date_iso, dialect.time_iso
    ios = shape.ios
    iso_len = dialect.iso_time_len
    invisible = INVISIBLE.search
    starts, ends = _STARTS.get, _ENDS.get
    dates: dict[str, str] = {}
    times: dict[str, str] = {}
    authors: dict[str, str] = {}           # raw author as written -> cleaned; a hit means "a real author"
    jauthors: dict[str, str] = {}          # raw author -> JSON string of the cleaned name (as_json only)
    groups: set[str] = set()               # iOS: names that system lines are written under
    dget, tget, aget, jget = dates.get, times.get, authors.get, jauthors.get
    finish = row_json if as_json else _same

    index = 0
    line = 0                               # the last line consumed
    carry = ""                             # raw text of the last message of the previous chunk
    pre = 0                                # lines before the first message (skipped, with a note)
    pre_done = False
    bad_date = 0                           # first line shaped like a header whose date does not exist

    def rebuild(index: int, line: int, parts: list[str], k: int, extra: str) -> Row:
        """A record again from its raw pieces, with `extra` continuation text (rare: folded headers)."""
        _lead, raw_date, raw_time, a, rest, more = parts[k:k + 6]
        if a is not None:
            rest = f"{a}: {rest}"
        author, offset, event = _who(rest, ios, authors, groups) or (None, 0, None)
        t = raw_time if len(raw_time) == iso_len else times[raw_time]
        return _row(index, line, f"{dates[raw_date]}T{t}", author, rest[offset:], more + extra, event)

    for chunk in itertools.chain(chunks, (None,)):
        if chunk is None:                  # end of input: the carried message is complete
            if not carry:
                if not pre_done:
                    raise _no_messages(path, bad_date)
                break
            parts = split(carry)
        else:
            parts = split(carry + "\n" + chunk if carry else "\n" + chunk)
            if chunk[-1:] == "\n":
                parts[-1] = parts[-1][:-1]  # that newline comes back as the "\n" put before the next chunk
        out: list = []
        append = out.append
        head = parts[0]
        if head:                           # only before the first message: the carry starts with a header
            line += head.count("\n")
            pre += head.count("\n")
        it = iter(parts)
        next(it)
        k = -5                             # parts[k:k + 6] are this message's pieces
        lk = 0                             # ... and of the last valid message, whose line is `lline`
        lline = 0
        fk = -1                            # which message `fold` belongs to
        fold = ""                          # invalid header lines glued onto message lk
        for lead, raw_date, raw_time, a, rest, more in zip(it, it, it, it, it, it, strict=True):
            k += 6
            line += 1
            d = dget(raw_date)
            if d is None:
                if len(dates) >= CACHE_MAX:
                    dates.clear()
                d = dates[raw_date] = date_iso(raw_date)
                if watch is not None:
                    watch.date(raw_date, line)
            if len(raw_time) == iso_len:   # iOS 24 h: "19:02:33" is ISO already (and too varied to cache)
                t = raw_time
            else:
                t = tget(raw_time)
                if t is None:
                    if len(times) >= CACHE_MAX:
                        times.clear()
                    t = times[raw_time] = time_iso(raw_time)
                    if watch is not None:
                        watch.time(raw_time, line)
            if d and a is not None and (author := aget(a)) is not None and (not ios or rest[:1] != LRM):
                # Fast path: a known author. Plain single-line text is finished inline.
                if not more and (rest.isascii() or invisible(rest) is None) \
                        and ((s := starts(rest[:1])) is None or not rest.startswith(s)) \
                        and ((e := ends(rest[-1:])) is None or not rest.endswith(e)):
                    if as_json:
                        ja = jget(a)
                        if ja is None:
                            ja = jauthors[a] = enc(author)
                        append(f'{{"index": {index}, "line": {line}, "timestamp": "{d}T{t}", "author": {ja}, '
                               f'"text": {enc(rest)}, "kind": "text"}}\n')
                    else:
                        append((index, line, f"{d}T{t}", author, rest))
                else:
                    append(finish(_row(index, line, f"{d}T{t}", author, rest, more, None)))
            else:
                if a is not None:
                    rest = f"{a}: {rest}"
                who = _who(rest, ios, authors, groups) if d else None
                if who is None:
                    # Not a header after all (31 April, or no author and no system wording): the line and
                    # those after it belong to the message before.
                    if not d and not bad_date:
                        bad_date = line
                    if not out:            # no message before it: only ever before the first message
                        pre += 1 + (more.count("\n") if more else 0)
                    else:
                        if fk != lk:
                            fk, fold = lk, ""
                        fold = f"{fold}\n{lead}{opener}{raw_date}{shape.mid}{raw_time}{shape.close}{rest}{more}"
                        out[-1] = finish(rebuild(index - 1, lline, parts, lk, fold))
                    if more:
                        line += more.count("\n")
                    continue
                author, offset, event = who
                append(finish(_row(index, line, f"{d}T{t}", author, rest[offset:], more, event)))
            index += 1
            lk = k
            lline = line
            if more:
                line += more.count("\n")
        if not pre_done and (out or index):
            pre_done = True
            note = f"{path}: lines 1-{pre} come before the first message and were skipped"
            if pre and note not in notes:    # once, however often the chat is read
                notes.append(note)
            if pre and watch is not None:
                watch.set_preamble(pre)
        if chunk is not None and out:
            # The last message may go on in the next chunk: parse it again from its raw text then.
            out.pop()
            index -= 1
            line = lline - 1
            lead, raw_date, raw_time, a, rest, more = parts[lk:lk + 6]
            if a is not None:
                rest = f"{a}: {rest}"
            carry = f"\n{lead}{opener}{raw_date}{shape.mid}{raw_time}{shape.close}{rest}{more}" \
                    f"{fold if fk == lk else ''}"
            if len(carry) > MAX_MESSAGE:
                raise UserError(f"the message that starts here is longer than {MAX_MESSAGE:,} characters "
                                "(WhatsApp messages are at most 65,536)", path=path, line=lline,
                                hint="this is not a chat export, or it has been altered; export it again")
        else:
            carry = ""
        yield out


_WHAT_TO_DO = "pass the _chat.txt (or the .zip) that WhatsApp's \"Export chat\" produced"


def _no_messages(path: str, bad_date: int) -> UserError:
    if bad_date:
        return UserError("has no messages: every line that starts like a message has a date that does not "
                         "exist, such as 31 February", path=path, line=bad_date,
                         hint="export the chat again; " + _WHAT_TO_DO)
    return UserError("has no messages: no line starts with a date, a time and a sender in one format",
                     path=path, hint="export the chat again; " + _WHAT_TO_DO)


def _same(row: Row) -> Row:
    return row
