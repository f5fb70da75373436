"""The parser's public face: `open_chat(path) -> Chat`, a context manager that streams `Message` records."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from whatsapp_audit.errors import UserError
from whatsapp_audit.parse.dialect import Dialect, decide_order, find_shape, is_german
from whatsapp_audit.parse.parser import parse_rows
from whatsapp_audit.parse.source import Source

if TYPE_CHECKING:
    # Imported where they are used, so that `wa-audit parse --format jsonl` does not load them.
    from types import TracebackType

    from whatsapp_audit.integrity import Sign
    from whatsapp_audit.model import Message
    from whatsapp_audit.parse.records import Row

_EXAMPLE = "14/09/2023, 19:02 - Name: text"
HEAD = 1 << 16     # characters read to learn the file's format


class Chat:
    """An opened export. Everything but `messages()` is known once it is open; `notes` may grow while
    messages are read (e.g. invalid bytes), so print them after iterating."""

    def __init__(self, path: str, date_order: str = "auto") -> None:
        self.path = path
        self._source = Source(path)
        self._integrity: list[Sign] = []
        try:
            self.dialect_info = self._detect(date_order)
        except BaseException:
            self._source.close()
            raise

    def _detect(self, date_order: str) -> Dialect:
        src = self._source
        chunks = src.chunks()
        try:
            # The opening text, whatever the read size: at least HEAD characters once any is not blank.
            parts: list[str] = []
            size, blank = 0, True
            for chunk in chunks:
                parts.append(chunk)
                size += len(chunk)
                blank = blank and not chunk.strip()
                if size >= HEAD and not blank:
                    break
            first = "".join(parts)
            if not first.strip():
                raise UserError("has no messages (only blank lines)", path=self.path,
                                hint="export the chat again")
            found = find_shape(first)
            if found is None:
                raise UserError(f"does not look like a WhatsApp chat export: no line starts with a date and "
                                f"time like \"{_EXAMPLE}\"", path=self.path,
                                hint="pass the _chat.txt (or .zip) made by WhatsApp's \"Export chat\"")
            shape, _ = found
            order, notes = decide_order(shape, itertools.chain([first], chunks), date_order, self.path)
        finally:
            chunks.close()
        src.notes.extend(notes)
        return Dialect(shape, order, is_german(first))

    # ------------------------------------------------------------------ public attributes

    @property
    def name(self) -> str:
        return self._source.name

    @property
    def dialect(self) -> str:
        return self.dialect_info.id

    @property
    def media_files(self) -> int:
        return self._source.media_files

    @property
    def notes(self) -> list[str]:
        return self._source.notes

    @property
    def sha256(self) -> str:
        return self._source.sha256

    @property
    def integrity(self) -> list[Sign]:
        """Signs of an edited export (see `whatsapp_audit.integrity`), from the last pass of `messages()` or
        `row_batches()` that was read to the end; empty before one has been."""
        return list(self._integrity)

    def messages(self) -> Iterator[Message]:
        """The records in file order. Streams; each call reads the export again from the start."""
        from whatsapp_audit.model import Message

        for rows in self.row_batches():
            for row in rows:
                yield Message(*row)

    def row_batches(self) -> Iterator[list[Row]]:
        """The same records as tuples in `Message` field order (`records.Row`), a list per chunk of input.
        A pass read to the end also updates `integrity` (a few comparisons per record)."""
        from whatsapp_audit.integrity import Checker

        checker = Checker(self.dialect_info, self._source)
        for rows in parse_rows(self._source.chunks(), self.dialect_info, self._source.notes, self.path,
                               watch=checker):
            checker.rows(rows)
            yield rows
        self._integrity = checker.signs()

    def json_batches(self) -> Iterator[list[str]]:
        """The same records as ready JSON lines (CONTRACT.md), a list per chunk with one entry per record
        (a run of lines may come joined in one entry, the entries after it then empty): the `--format
        jsonl` path."""
        return parse_rows(self._source.chunks(hashing=False), self.dialect_info, self._source.notes,
                          self.path, as_json=True)

    # ------------------------------------------------------------------ context manager

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> Chat:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Chat({self.path!r}, dialect={self.dialect!r})"


def open_chat(path_or_dash: str, date_order: str = "auto") -> Chat:
    """Open an export: a .txt, the .zip WhatsApp writes, or "-" for stdin. Raises UserError on bad input."""
    return Chat(path_or_dash, date_order)
