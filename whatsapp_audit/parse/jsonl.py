"""Write `parse --format jsonl` output: one contract record per line, in large blocks."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, BinaryIO

from whatsapp_audit.parse.records import message_row, row_json

if TYPE_CHECKING:
    from whatsapp_audit.model import Message


def write_lines(batches: Iterable[list[str]], out: BinaryIO) -> int:
    """Write batches of ready JSON lines (`Chat.json_batches()`); returns the number of records."""
    n = 0
    for lines in batches:
        if lines:
            n += len(lines)
            out.write("".join(lines).encode("utf-8", "surrogatepass"))
    return n


def write_jsonl(messages: Iterable[Message], out: BinaryIO) -> int:
    """The same output for `Message` objects from anywhere."""
    batch: list[str] = []
    n = 0
    for m in messages:
        batch.append(row_json(message_row(m)))
        if len(batch) >= 4096:
            n += write_lines([batch], out)
            batch = []
    return n + write_lines([batch], out)
