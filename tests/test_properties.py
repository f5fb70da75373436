"""Property-based tests of the export parser (hypothesis).

1. Arbitrary text, and arbitrary bytes, never make the parser raise anything but a UserError (exit 2).
2. Every input line lands in exactly one record: record lines increase, the lines before the first record
   are the skipped preamble, and a text record holds exactly the lines from its header to the next one.
3. Records rendered back in the source dialect parse to the same records, and the rendering of those is
   the same text again (render -> parse -> render is a fixed point), for Android and iOS, day- and
   month-first, 12- and 24-hour, English and German.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Message
from whatsapp_audit.parse import open_chat, source
from whatsapp_audit.parse.body import classify

_DIR = tempfile.mkdtemp(prefix="wa-audit-props-")
atexit.register(shutil.rmtree, _DIR, True)      # hypothesis calls the tests outside pytest's tmp_path
# WA_AUDIT_EXAMPLES=5000 pytest tests/test_properties.py for a long run.
N = int(os.environ.get("WA_AUDIT_EXAMPLES", "150"))
SETTINGS = settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _file(data: bytes, name: str = "chat.txt") -> str:
    p = os.path.join(_DIR, name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def parse_bytes(data: bytes) -> tuple[list[Message], list[str]] | UserError:
    """Records and notes, or the UserError the CLI would print; anything else propagates (a failure)."""
    try:
        with open_chat(_file(data)) as chat:
            return list(chat.messages()), list(chat.notes)
    except UserError as e:
        return e


# ------------------------------------------------------------------------------- text that looks like chats

HEADERS = [
    "14/09/2023, 19:02 - ", "9/14/23, 7:02\u202fPM - ", "[14/09/2023, 19:02:33] ", "14.09.23, 19:02 - ",
    "[9/14/23, 7:02:33\u202fPM] ", "31/02/2023, 10:00 - ", "2023-09-14, 19:02 - ", "\u200e[14/09/2023, 19:02:33] ",
    "14/09/2023, 25:61 - ", "13/13/2023, 19:02 - ",
]
PIECES = ["Jane Smith: ", "Tom Baker: ", "+44 7700 900123: ", "Year 4 Oak: \u200e", "", "<Media omitted>",
          "image omitted", "This message was deleted", "Jane Smith added Tom Baker", "Tom Baker left",
          "POLL:", "OPTION: yes", "<This message was edited>", "\u200e", "\u202f", ": ", "\r", "\t", " ", "😂",
          "\x00", "\ufeff", "vote tory", "location: https://maps.google.com/?q=1,2", "Missed voice call"]
line_st = st.lists(st.one_of(st.sampled_from(HEADERS), st.sampled_from(PIECES), st.text(max_size=12)),
                   max_size=6).map("".join)
chat_text_st = st.lists(line_st, min_size=1, max_size=25).map("\n".join)


def _is_user_error_or_records(result: object) -> bool:
    return isinstance(result, UserError | tuple)


@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert _is_user_error_or_records(parse_bytes(text.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(chat_text_st)
@example("14/09/2023, 19:02 - Jane: a\n31/02/2023, 10:00 - Tom: b\n\n")
@example("31/02/2023, 10:00 - Tom: b\n14/09/2023, 19:02 - Jane: a")
@example("[14/09/2023, 19:02:33] Year 4 Oak: \u200eJane Smith added Tom Baker\nmore")
def test_chat_like_text_never_raises(text: str) -> None:
    assert _is_user_error_or_records(parse_bytes(text.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(st.binary(max_size=600), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04"]))
def test_arbitrary_bytes_never_raise(data: bytes, prefix: bytes) -> None:
    assert _is_user_error_or_records(parse_bytes(prefix + b"14/09/2023, 19:02 - Jane: hi\n" + data))
    assert _is_user_error_or_records(parse_bytes(prefix + data))


# --------------------------------------------------------------------------------- every line, exactly once

def _check_line_accounting(text: str, records: list[Message], notes: list[str]) -> None:
    lines = text.replace("\r\n", "\n").split("\n")
    total = len(lines) - (1 if text.replace("\r\n", "\n").endswith("\n") else 0)
    starts = [m.line for m in records]
    assert starts == sorted(set(starts)), "record lines must strictly increase"
    assert [m.index for m in records] == list(range(len(records)))
    assert starts[0] >= 1 and starts[-1] <= total
    if starts[0] > 1:   # the preamble is reported, not silently dropped
        assert any(f"lines 1-{starts[0] - 1} come before the first message" in n for n in notes), notes
    for m, end in zip(records, [*starts[1:], total + 1], strict=True):
        span = end - m.line                     # source lines this record owns
        assert m.text.count("\n") <= span - 1
        if m.kind in ("text", "system", "call", "poll", "location", "contact") and not m.edited:
            assert m.text.count("\n") == span - 1, (m, span)


@SETTINGS
@given(chat_text_st)
@example("hello\n31/02/2023, 08:00 - Jane Smith: hello\n01/03/2023, 09:00 - Tom: hi\nmore\n")
@example("14/09/2023, 19:02 - Jane: This message was deleted\nnot really\n14/09/2023, 19:03 - Tom: x")
def test_every_line_lands_in_exactly_one_record(text: str) -> None:
    result = parse_bytes(text.encode("utf-8", "surrogatepass"))
    if isinstance(result, UserError):
        return
    records, notes = result
    _check_line_accounting(text, records, notes)


@settings(max_examples=max(N // 4, 10), deadline=None)
@given(chat_text_st, st.sampled_from([1, 2, 7, 64]))
def test_line_accounting_holds_for_any_read_block(text: str, block: int) -> None:
    old = source.BLOCK
    source.BLOCK = block
    try:
        small = parse_bytes(text.encode())
    finally:
        source.BLOCK = old
    whole = parse_bytes(text.encode())
    if isinstance(whole, UserError):
        assert isinstance(small, UserError) and str(small) == str(whole)
        return
    assert not isinstance(small, UserError)
    assert [m.to_dict() for m in small[0]] == [m.to_dict() for m in whole[0]]


# ------------------------------------------------------------------------------------------ round trip

def _h12(t: datetime) -> str:
    return f"{t.hour % 12 or 12}:{t.minute:02d}"


def _ampm(t: datetime) -> str:
    return "AM" if t.hour < 12 else "PM"


DIALECTS: dict[str, Callable[[datetime], str]] = {
    "android-dmy-24h": lambda t: f"{t:%d/%m/%Y, %H:%M} - ",
    "android-mdy-12h": lambda t: f"{t.month}/{t.day}/{t:%y}, {_h12(t)}\u202f{_ampm(t)} - ",
    "ios-dmy-24h": lambda t: f"[{t:%d/%m/%Y, %H:%M:%S}] ",
    "ios-mdy-12h": lambda t: f"[{t.month}/{t.day}/{t:%y}, {_h12(t)}:{t.second:02d}\u202f{_ampm(t)}] ",
    "android-dmy-24h-de": lambda t: f"{t:%d.%m.%y, %H:%M} - ",
}
SECONDS = {d: d.startswith("ios") for d in DIALECTS}

AUTHORS = ["Jane Smith", "Tom Baker", "Priya Patel", "+44 7700 900123", "Zoë O'Neill", "Kwame Mensah-Boateng"]
# Message text: words, digits, punctuation, emoji; lines that cannot be mistaken for a header or a placeholder.
word_st = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                           "äöüßéñ.,!?'\"()-/&%£€😂🙏👍 "), min_size=1, max_size=40)
body_st = st.lists(word_st.map(str.strip).filter(bool), min_size=1, max_size=4).map("\n".join)


def render(records: list[tuple[datetime, str, str, str]], dialect: str) -> str:
    """A chat in `dialect`: (time, author, kind, text) -> export text, as WhatsApp writes it."""
    head = DIALECTS[dialect]
    media = {"android": "<Media omitted>", "ios": "\u200eimage omitted"}[dialect.split("-")[0]]
    if dialect.endswith("-de"):
        media = "<Medien ausgeschlossen>"
    out = []
    for t, author, kind, text in records:
        if kind == "system":    # Android: the event after the time; iOS: under the group's name
            out.append(f"{head(t)}Year 4 Oak: \u200e{text}\n" if dialect.startswith("ios") else f"{head(t)}{text}\n")
            continue
        body = media if kind == "media" else text
        out.append(f"{head(t)}{author}: {body}\n")
    return "".join(out)


NOTICE = {"en": "Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can "
                "read or listen to them. Tap to learn more.",
          "de": "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt. Niemand außerhalb dieses Chats kann sie "
                "lesen oder anhören, nicht einmal WhatsApp. Tippe, um mehr zu erfahren."}
EVENTS = {"en": ["{a} added {b}", "{a} left", "{a} removed {b}", "{a} changed the subject to \"Year 4: Oak\""],
          "de": ["{a} hat {b} hinzugefügt", "{a} hat die Gruppe verlassen", "{a} hat {b} entfernt"]}
NAMES = ["Jane Smith", "Tom Baker", "Priya Patel"]


@st.composite
def chats(draw: st.DrawFn) -> tuple[str, list[tuple[datetime, str, str, str]]]:
    dialect = draw(st.sampled_from(sorted(DIALECTS)))
    n = draw(st.integers(min_value=1, max_value=25))
    t = datetime(2023, 9, draw(st.integers(1, 28)), draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    lang = "de" if dialect.endswith("-de") else "en"
    records = []
    for _ in range(n):
        t += timedelta(seconds=draw(st.integers(0, 3 * 86400)))
        if not SECONDS[dialect]:
            t = t.replace(second=0)
        kind = draw(st.sampled_from(["text", "text", "text", "media", "system"]))
        if kind == "system":
            a, b = draw(st.permutations(NAMES))[:2]
            text = draw(st.sampled_from(EVENTS[lang])).format(a=a, b=b)
        else:
            text = draw(body_st)
            if kind == "text" and classify(text)[0] != "text":
                text = "ok " + text
        records.append((t, draw(st.sampled_from(AUTHORS)), kind, text))
    # An export opens with the encryption notice (in the phone's language) and has a day above 12 somewhere,
    # so the date order is known from the file.
    records[:0] = [(datetime(2023, 8, 31, 9, 0), "", "system", NOTICE[lang]),
                   (datetime(2023, 8, 31, 9, 0), AUTHORS[0], "text", "Welcome")]
    return dialect, records


def _parsed(text: str) -> tuple[str, list[Message]]:
    p = Path(_file(text.encode("utf-8"), "round.txt"))
    with open_chat(str(p)) as chat:
        return chat.dialect, list(chat.messages())


def _back(messages: list[Message]) -> list[tuple[datetime, str, str, str]]:
    return [(datetime.fromisoformat(m.timestamp), m.author or "", m.kind, m.text) for m in messages]


@settings(max_examples=N, deadline=None)
@given(chats())
def test_render_parse_round_trip(chat: tuple[str, list[tuple[datetime, str, str, str]]]) -> None:
    dialect, records = chat
    text = render(records, dialect)
    found, messages = _parsed(text)
    assert found == dialect
    assert len(messages) == len(records)
    for m, (t, author, kind, body) in zip(messages, records, strict=True):
        assert m.timestamp == t.isoformat(timespec="seconds")
        assert m.author == (None if kind == "system" else author)
        assert m.kind == kind
        assert m.text == ("" if kind == "media" else body)
    # Parsed records, rendered back in the source dialect, give the same export and the same records.
    again = render(_back(messages), dialect)
    assert again == text
    assert [x.to_dict() for x in _parsed(again)[1]] == [x.to_dict() for x in messages]
