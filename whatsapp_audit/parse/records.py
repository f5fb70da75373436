"""The record tuple the parser produces, and its JSON line.

A record is a tuple in `Message` field order, so `Message(*row)` builds the object: either the full
(index, line, timestamp, author, text, kind, edited, media, event, actor, target) or, for plain text, just
(index, line, timestamp, author, text) - the dataclass defaults supply the rest.

`row_json(row)` is byte-for-byte `json.dumps(Message(*row).to_dict(), ensure_ascii=False)` plus "\\n", built
with one f-string and the C string encoder (several times faster than a dict plus `json.dumps`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

try:        # the C encoder, without loading the whole json package (start-up time)
    from _json import encode_basestring
except ImportError:  # pragma: no cover - other Pythons
    from json.encoder import encode_basestring  # type: ignore[attr-defined]

if TYPE_CHECKING:
    from whatsapp_audit.model import Message

Row = tuple  # see the module docstring for its two shapes

enc = encode_basestring


def text_json(index: int, line: int, ts: str, author_json: str, text: str) -> str:
    """The JSON line of a plain text record (`author_json` already encoded). The parser inlines this."""
    return (f'{{"index": {index}, "line": {line}, "timestamp": "{ts}", "author": {author_json}, '
            f'"text": {enc(text)}, "kind": "text"}}\n')


def row_json(row: Row) -> str:
    if len(row) == 5:
        index, line, ts, author, text = row
        return text_json(index, line, ts, "null" if author is None else enc(author), text)
    index, line, ts, author, text, kind, edited, media, event, actor, target = row
    s = (f'{{"index": {index}, "line": {line}, "timestamp": {enc(ts)}, '
         f'"author": {"null" if author is None else enc(author)}, "text": {enc(text)}, "kind": {enc(kind)}')
    # The optional keys, in `Message.to_dict()` order and under the same conditions.
    if edited:
        s += ', "edited": true'
    if media is not None:
        s += f', "media": {enc(media)}'
    if event is not None:
        s += f', "event": {enc(event)}'
        if actor is not None:
            s += f', "actor": {enc(actor)}'
        if target is not None:
            s += f', "target": {enc(target)}'
    return s + "}\n"


def message_row(m: Message) -> Row:
    return (m.index, m.line, m.timestamp, m.author, m.text, m.kind, m.edited, m.media, m.event, m.actor,
            m.target)
