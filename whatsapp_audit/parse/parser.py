"""The streaming loop: decoded text chunks -> records, in one pass.

Each chunk is cut with one precompiled `split` (in C) into seven pieces per message,
    [before, mark, date, time, author, plain, other, following-lines, mark, date, ...]
where the rest of the header line lands in `plain` when the pattern itself can tell it is ordinary text (no
invisible mark, no placeholder start or ending; see `_REST`) and in `other` otherwise.

A chunk is then handled column by column (`_Parser.columns`): C-level `map`s over slices of that list
rather than Python statements per message. Dates, times and authors repeat, so each distinct raw string is
converted (and checked) once and cached; line numbers come from the following-lines column; for
`--format jsonl` the pieces of each JSON line are written into the split list itself and joined once, so a
plain text message never becomes a tuple or a string of its own. The few messages that need a closer look
(a placeholder, a system line, an unknown author, invisible marks, a date that does not exist) go one by one
through `_Parser.one`, the exact per-message rules. A header that turns out not to be one (31 April, no
"Author: " and no known system wording) is glued back onto the message before it; from there the chunk is
finished message by message (`_Parser.sequential`), which gives the same records, only slower.
Only the current message is carried from one chunk to the next.

Records are plain tuples (`records.Row`); `Chat.messages()` wraps them in `Message` objects. For
`--format jsonl` the records are JSON lines, several to a string.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from itertools import accumulate, compress, repeat
from operator import add, not_
from typing import Any

from whatsapp_audit.errors import UserError
from whatsapp_audit.parse import body as _body
from whatsapp_audit.parse import system as _system
from whatsapp_audit.parse.dialect import Dialect
from whatsapp_audit.parse.marks import INVISIBLE, INVISIBLE_CHARS, LRM, clean
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


# The rest of a header line, for `split`: group "plain" when the line is certainly ordinary text that JSON
# needs no escapes for - no invisible mark, no quote, backslash or control character, not starting with a
# `_STARTS` prefix, not ending with an `_ENDS` suffix - else group "other". The regex engine checks this
# while it passes over the line anyway, which is cheaper than any per-message test in Python. A line left
# in "other" is only looked at more closely, never misread.
_PREFIXES = "|".join(re.escape(p) for ps in _STARTS.values() for p in ps)
_SUFFIXES = "".join(f"(?<!{re.escape(e)})" for es in _ENDS.values() for e in es)
_REST = ("(?:("
         f"(?!{_PREFIXES})"
         f'[^\\x00-\\x1f"\\\\{INVISIBLE_CHARS}]*+(?![^\\n])'
         # most lines end in none of the suffixes' last characters: one test instead of one per suffix
         f"(?:(?<![{re.escape(''.join(_ENDS))}])|{_SUFFIXES})"
         ")|([^\\n]*))")
PIECES = 7          # split pieces per message: mark, date, time, author, plain, other, following lines

# The constant parts of a plain text message's JSON line (`records.text_json`) around the cached pieces;
# the text's quotes are in them, so a plain line's text goes in as it is.
_JSON_AUTHOR = '", "author": {}, "text": "'
_JSON_END = '", "kind": "text"}\n'


def _row(index: int, line: int, ts: str, author: str | None, first: str, more: str,
         event: Event | None) -> Row:
    """The record for one finished message (any kind), by the full rules."""
    text = first + more if more else first
    if event is not None:
        text = clean(text)
        if event[0] == "call":
            return (index, line, ts, None, text, "call", False, None, None, None, None)
        return (index, line, ts, None, text, "system", False, None, event[0], event[1], event[2])
    body = _short_body_of(text) if len(text) <= SHORT else _body_of(text)
    if body.__class__ is str:
        return (index, line, ts, author, body)
    kind, text, media, edited = body
    return (index, line, ts, author, text, kind, edited, media, None, None, None)


def _body_of(text: str) -> str | _body.Classified:
    """An author's message (continuation lines included) -> its text, marks removed, when it is plain text;
    else `body.classify`'s (kind, text, media, edited)."""
    if not text.isascii() and INVISIBLE.search(text) is not None:
        text = clean(text)
    nl = text.find("\n")
    head = text if nl < 0 else text[:nl]
    if text[-1:] != ">" and ((s := _STARTS.get(head[:1])) is None or not head.startswith(s)) \
            and ((e := _ENDS.get(head[-1:])) is None or not head.endswith(e)):
        return text
    return _body.classify(text)


def _is_placeholder(rest: str) -> bool:
    """iOS: is a line that starts with an LRM under a known author a placeholder ("\u200eimage omitted")
    rather than, possibly, a system line (`_ios_who`)?"""
    return _body.SPECIAL.match(clean(rest)) is not None


_TAIL_AT = len(row_json((0, 0, "", "", ""))) - len(_JSON_END)    # where a text's JSON starts, after its quote


def _json_tail(text: str) -> str:
    """The end of the JSON line of an author's message (continuation lines included), after `"text": "`:
    `row_json` of its record, cut."""
    return row_json(_row(0, 0, "", "", text, "", None))[_TAIL_AT:]


# Placeholders repeat ("\u200eimage omitted", "<Media omitted>", "This message was deleted"): what a short
# body is, is worked out once. Bounded, like the other caches.
SHORT = 100
_short_body_of = functools.lru_cache(maxsize=4096)(_body_of)
_short_json_tail = functools.lru_cache(maxsize=4096)(_json_tail)
_short_is_placeholder = functools.lru_cache(maxsize=1024)(_is_placeholder)


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
    """Lists of records, one list per chunk of input (possibly empty); with `as_json`, of their JSON lines
    (`records.row_json`), where a run of lines may come joined in one entry and empty entries after it.

    `watch`, when given, is told each distinct raw date and time the first time it appears
    (`watch.date(raw, line)`, `watch.time(raw, line)`): the integrity checks look at how they are written.
    Raises UserError if a message is longer than MAX_MESSAGE or the file holds no message at all."""
    split = dialect.header(_REST).split
    p = _Parser(dialect, as_json, watch)
    carry = ""                             # raw text of the last message of the previous chunk
    pre_done = False
    for chunk in itertools.chain(chunks, (None,)):
        if chunk is None:                  # end of input: the carried message is complete
            if not carry:
                if not pre_done:
                    raise _no_messages(path, p.bad_date)
                break
            parts = split(carry)
        else:
            parts = split(carry + "\n" + chunk if carry else "\n" + chunk)
            if chunk[-1:] == "\n":
                parts[-1] = parts[-1][:-1]  # that newline comes back as the "\n" put before the next chunk
        out = p.chunk(parts)
        if not pre_done and (out or p.index):
            pre_done = True
            note = f"{path}: lines 1-{p.pre} come before the first message and were skipped"
            if p.pre and note not in notes:    # once, however often the chat is read
                notes.append(note)
            if p.pre and watch is not None:
                watch.set_preamble(p.pre)
        if chunk is not None and out:
            # The last message may go on in the next chunk: parse it again from its raw text then.
            out.pop()
            p.index -= 1
            p.line = p.lline - 1
            carry = f"\n{p.raw(parts, p.lk)}{p.fold if p.fk == p.lk else ''}"
            if len(carry) > MAX_MESSAGE:
                raise UserError(f"the message that starts here is longer than {MAX_MESSAGE:,} characters "
                                "(WhatsApp messages are at most 65,536)", path=path, line=p.lline,
                                hint="this is not a chat export, or it has been altered; export it again")
        else:
            carry = ""
        yield out


class _Parser:
    """The state carried from chunk to chunk (caches, counters) and the work on one chunk's split pieces.

    Message m of a chunk has its pieces at parts[1 + 7m : 8 + 7m]; `lk` is where the last valid message's
    pieces start, `lline` its line; `fold` holds invalid header lines glued onto message `fk`."""

    def __init__(self, dialect: Dialect, as_json: bool, watch: Any) -> None:
        shape = dialect.shape
        self.ios = shape.ios
        self.opener, self.mid, self.close = "[" if shape.ios else "", shape.mid, shape.close
        self.date_iso, self.time_iso = dialect.date_iso, dialect.time_iso
        self.iso_len = dialect.iso_time_len
        self.as_json = as_json
        self.finish = row_json if as_json else _same
        self.watch = watch
        self.dates: dict[str, str] = {}        # raw date -> "2023-09-14T", or "" when it does not exist
        self.times: dict[str, str] = {}        # raw time -> "19:02:00"
        self.authors: dict[str, str] = {}      # raw author as written -> cleaned; a hit means "a real author"
        self.jauthors: dict[str, str] = {}     # raw author -> its JSON with the keys around (as_json only)
        self.groups: set[str] = set()          # iOS: names that system lines are written under
        self.index = 0
        self.line = 0                          # the last line consumed
        self.pre = 0                           # lines before the first message (skipped, with a note)
        self.bad_date = 0                      # first line shaped like a header whose date does not exist
        self.lk = self.lline = 0
        self.fk, self.fold = -1, ""
        self.last_dt = ("", "")                # date and time of message lk, to rebuild it with a fold

    # ------------------------------------------------------------------ one chunk

    def chunk(self, parts: list[str]) -> list[Any]:
        """The records of one chunk's split pieces (the last one may be continued by the next chunk)."""
        before = parts[0]
        if before:                         # only before the first message: the carry starts with a header
            self.line += before.count("\n")
            self.pre += before.count("\n")
        n = len(parts) // PIECES
        self.lk, self.lline, self.fk, self.fold = 0, 0, -1, ""
        out, done = self.columns(parts, n) if n else ([], 0)
        if done < n:
            self.sequential(parts, done, n, out)
        return out

    def columns(self, parts: list[str], n: int) -> tuple[list[Any], int]:
        """The chunk's first messages, column by column -> (records, how many messages they cover). Stops
        before the first header line that is not a message (or does nothing when the date or time cache
        would overflow part-way): `sequential` goes on from there."""
        raw_dates, raw_times, auths = parts[2::PIECES], parts[3::PIECES], parts[4::PIECES]
        plains, mores = parts[5::PIECES], parts[7::PIECES]
        multi = list(compress(range(n), mores))    # the messages with continuation lines (a few)
        followed = [mores[m] for m in multi]       # ... and those lines
        lines = _line_numbers(n, multi, followed, self.line + 1)
        ds, ts = self.dates_and_times(raw_dates, raw_times, lines)
        if ds is None or ts is None:
            return [], 0
        if self.as_json:
            jauthors, authors = self.jauthors, self.authors
            for a in set(auths).difference(jauthors):
                if (name := authors.get(a)) is not None:
                    jauthors[a] = _JSON_AUTHOR.format(enc(name))
            who = list(map(jauthors.get, auths))
        else:
            who = list(map(self.authors.get, auths))

        # Messages for `one`: not plain on the header line, no known author (or none), no such date, or
        # continuation lines the pattern did not look at with a mark or a final ">". (`not_` is true for
        # None, and for the odd empty string: looking closer at a message is never wrong, only slower.)
        odd = set(compress(range(n), map(not_, plains)))
        odd.update(compress(range(n), map(not_, who)))
        if "" in ds:
            odd.update(compress(range(n), map(not_, ds)))
        if multi:
            odd.update(compress(multi, map(INVISIBLE.search, followed)))
            odd.update(compress(multi, map(str.endswith, followed, repeat(">"))))
        index = self.index
        done = n
        special: dict[int, Any] = {}
        for m in sorted(odd):
            rec = self.one(index + m, lines[m], parts[1 + PIECES * m:1 + PIECES * (m + 1)], ds[m], ts[m])
            if rec is None:                # not a message: the rest of the chunk goes message by message
                done = m
                break
            special[m] = rec
        texts = plains                     # the text of each message (in JSON, escaped)
        for m in odd:
            texts[m] = ""                  # (`one` has the record; this is only so that columns are whole)
        if self.as_json:                   # line breaks (and all else) in continuation lines need escapes
            for m, more in zip(multi, map(enc, followed), strict=True):
                texts[m] += more[1:-1]
        else:
            for m, more in zip(multi, followed, strict=True):
                texts[m] += more

        # The records: all but the last in bulk, the last on its own (it may be glued onto or carried).
        q = done - 1
        if q > 0:
            if self.as_json:
                # One entry per record, as elsewhere, so that len() counts them: the first holds them all.
                out = [self.join_json(parts, q, index, lines, ds, ts is not raw_times and ts, who, texts,
                                      special)]
                out += [""] * (q - 1)
            else:
                out = list(zip(range(index, index + q), lines, map(add, ds, ts), who, texts, strict=False))
                for m, rec in special.items():
                    if m < q:
                        out[m] = rec
        else:
            out = []
        if done:
            m = done - 1
            rec = special.get(m)
            if rec is None:
                if self.as_json:
                    rec = (f'{{"index": {index + m}, "line": {lines[m]}, "timestamp": "{ds[m]}{ts[m]}{who[m]}'
                           f'{texts[m]}{_JSON_END}')
                else:
                    rec = (index + m, lines[m], ds[m] + ts[m], who[m], texts[m])
            out.append(rec)
            self.lk, self.lline, self.last_dt = 1 + PIECES * m, lines[m], (ds[m], ts[m])
        self.index = index + done
        self.line = lines[done] - 1
        return out, done

    @staticmethod
    def join_json(parts: list[str], q: int, index: int, lines: list[int], ds: list[str],
                  ts: list[str] | bool, who: list[str], texts: list[str], special: dict[int, str]) -> str:
        """The JSON lines of a chunk's first q messages as one string, built by writing the pieces of each
        line over that message's seven split pieces and joining them: no string per message but the head.
        `texts` are escaped for JSON already; `ts` is False when the raw times are ISO already and stay
        where they are."""
        end = 1 + PIECES * q
        parts[0] = ""
        parts[1:end:PIECES] = [f'{{"index": {i}, "line": {n}, "timestamp": "' for i, n in
                               zip(range(index, index + q), lines, strict=False)]
        parts[2:end:PIECES] = ds[:q]
        if ts:
            parts[3:end:PIECES] = ts[:q]
        parts[4:end:PIECES] = who[:q]
        parts[5:end:PIECES] = texts[:q]
        parts[6:end:PIECES] = [_JSON_END] * q
        parts[7:end:PIECES] = [""] * q
        for m, rec in special.items():
            if m < q:
                parts[1 + PIECES * m:1 + PIECES * (m + 1)] = (rec, "", "", "", "", "", "")
        return "".join(parts[:end])

    def dates_and_times(self, raw_dates: list[str], raw_times: list[str], lines: list[int]
                        ) -> tuple[list[str] | None, list[str] | None]:
        """The converted date and time columns, with the caches filled (and `watch` told); (None, None) if a
        cache would have to be cleared part-way."""
        dates, times, iso = self.dates, self.times, self.iso_len
        new_dates = [r for r in dict.fromkeys(raw_dates) if r not in dates]
        # iOS 24 h: "19:02:33" is ISO already (and none is longer: the sum of lengths tells if all are).
        if iso > 0 and len("".join(raw_times)) == iso * len(raw_times):
            ts, new_times = raw_times, []
        else:                              # (an ISO one is not cached: too varied)
            ts = list(map(times.get, raw_times))
            new_times = [r for r in dict.fromkeys(raw_times) if r not in times and len(r) != iso] \
                if None in ts else []
        if len(dates) + len(new_dates) > CACHE_MAX or len(times) + len(new_times) > CACHE_MAX:
            return None, None
        for raw in new_dates:
            dates[raw] = self.date_text(raw)
        ds = list(map(dates.__getitem__, raw_dates))
        if ts is not raw_times and None in ts:
            for raw in new_times:
                times[raw] = self.time_iso(raw)
            ts = [t if len(t) == iso else times[t] for t in raw_times] if iso > 0 else \
                list(map(times.__getitem__, raw_times))
        if self.watch is not None and (new_dates or new_times):
            # In message order, date before time, as the message-by-message loop tells them.
            at_d = _first_at(raw_dates) if new_dates else {}
            at_t = _first_at(raw_times) if new_times else {}
            told = sorted([(at_d[r], 0, r) for r in new_dates] + [(at_t[r], 1, r) for r in new_times])
            for m, kind, raw in told:
                (self.watch.time if kind else self.watch.date)(raw, lines[m])
        return ds, ts

    def sequential(self, parts: list[str], start: int, n: int, out: list[Any]) -> None:
        """Messages start..n-1 of the chunk one by one, onto `out`: the general case, with header lines that
        are not messages glued onto the message before."""
        iso = self.iso_len
        for m in range(start, n):
            k = 1 + PIECES * m
            pieces = parts[k:k + PIECES]
            raw_date, raw_time, more = pieces[1], pieces[2], pieces[6]
            self.line += 1
            line = self.line
            d = self.date(raw_date, line)
            t = raw_time if len(raw_time) == iso else self.time(raw_time, line)
            rec = self.one(self.index, line, pieces, d, t)
            if rec is None:
                # Not a header after all (31 April, or no author and no system wording): the line and those
                # after it belong to the message before.
                if not d and not self.bad_date:
                    self.bad_date = line
                if not out:                # no message before it: only ever before the first message
                    self.pre += 1 + more.count("\n")
                else:
                    if self.fk != self.lk:
                        self.fk, self.fold = self.lk, ""
                    self.fold = f"{self.fold}\n{self.raw(parts, k)}"
                    lk = self.lk
                    out[-1] = self.one(self.index - 1, self.lline, parts[lk:lk + PIECES], *self.last_dt,
                                       extra=self.fold)
            else:
                out.append(rec)
                self.index += 1
                self.lk, self.lline, self.last_dt = k, line, (d, t)
            if more:
                self.line += more.count("\n")

    # ------------------------------------------------------------------ one message

    def one(self, index: int, line: int, pieces: list[Any], d: str, t: str, extra: str | None = None) -> Any:
        """The record of one message from its split pieces, by the full rules; None if the header line is
        not a message after all. `extra`: invalid header lines glued on (the message is then known good)."""
        _mark, _date, _time, a, plain, other, more = pieces
        rest = other if plain is None else plain
        if extra is not None:
            more += extra
        ios = self.ios
        if d and a is not None and (author := self.authors.get(a)) is not None and (
                not ios or rest[:1] != LRM or (author not in self.groups and (
                    _short_is_placeholder(rest) if len(rest) <= SHORT else _is_placeholder(rest)))):
            # A known author's message. iOS starts both its placeholders and its system lines with an LRM;
            # but a system line is written under the group's name, not a member's (what `_ios_who` does).
            if self.as_json:
                text = rest + more
                ja = self.jauthors.get(a) or self.jauthors.setdefault(a, _JSON_AUTHOR.format(enc(author)))
                return (f'{{"index": {index}, "line": {line}, "timestamp": "{d}{t}{ja}'
                        f'{_short_json_tail(text) if len(text) <= SHORT else _json_tail(text)}')
            return _row(index, line, d + t, author, rest, more, None)
        if a is not None:
            rest = f"{a}: {rest}"
        who = _who(rest, ios, self.authors, self.groups) if d else None
        if who is None:
            if extra is None:
                return None
            who = (None, 0, None)
        author, offset, event = who
        return self.finish(_row(index, line, d + t, author, rest[offset:], more, event))

    def raw(self, parts: list[str], k: int) -> str:
        """The message at parts[k] as it was written (without the line break before it)."""
        mark, raw_date, raw_time, a, plain, other, more = parts[k:k + PIECES]
        rest = other if plain is None else plain
        if a is not None:
            rest = f"{a}: {rest}"
        return f"{mark}{self.opener}{raw_date}{self.mid}{raw_time}{self.close}{rest}{more}"

    def date_text(self, raw: str) -> str:
        """'14/09/2023' -> '2023-09-14T' (ready to be followed by the time); '' if there is no such day."""
        d = self.date_iso(raw)
        return d + "T" if d else ""

    def date(self, raw: str, line: int) -> str:
        d = self.dates.get(raw)
        if d is None:
            if len(self.dates) >= CACHE_MAX:
                self.dates.clear()
            d = self.dates[raw] = self.date_text(raw)
            if self.watch is not None:
                self.watch.date(raw, line)
        return d

    def time(self, raw: str, line: int) -> str:
        t = self.times.get(raw)
        if t is None:
            if len(self.times) >= CACHE_MAX:
                self.times.clear()
            t = self.times[raw] = self.time_iso(raw)
            if self.watch is not None:
                self.watch.time(raw, line)
        return t


def _line_numbers(n: int, multi: list[int], followed: list[str], first: int) -> list[int]:
    """The line of each of n messages' header, from the line of the first and the continuation lines
    `followed` of messages `multi`; plus one more: the line the next message would start on."""
    steps = [1] * n
    for m, more in zip(multi, followed, strict=True):
        steps[m] += more.count("\n")
    return list(accumulate(steps, initial=first))


def _first_at(raws: list[str]) -> dict[str, int]:
    """Where each raw string first appears."""
    return dict(zip(reversed(raws), range(len(raws) - 1, -1, -1), strict=True))


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
