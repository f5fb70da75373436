"""The findings of one scan, kept in bounded memory.

A million-message chat can give a quarter of a million findings; holding them (each with its message)
took gigabytes. `Findings` keeps the first few thousand in memory, the way a small chat needs them, and
after that writes each one to an unnamed temporary file (deleted by the system when closed, even on a
crash; readable only by this process's user) and reads them back one at a time when iterated. The
per-member tallies every summary needs are kept as findings arrive, so summaries never re-read them.
"""

from __future__ import annotations

import itertools
import marshal
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import IO, Any

from whatsapp_audit.model import Evidence, Finding, Message, Severity

IN_MEMORY = 5_000        # findings kept as objects before the rest go to the temporary file
_LEN = 4                 # bytes of each record's length prefix


def pack(f: Finding, at: int = 0) -> bytes:
    """One finding (and an int the caller wants kept with it) as bytes; marshal: fast, and only ever read
    back by this same program."""
    m = f.message
    msg = None if m is None else (m.index, m.line, m.timestamp, m.author, m.text, m.kind, m.edited, m.media,
                                  m.event, m.actor, m.target)
    ev = [(e.text, e.start, e.end, e.label) for e in f.evidence]
    return marshal.dumps((at, f.rule, f.category, int(f.severity), msg, ev, f.explanation, f.policy, f.subject,
                          f.fingerprint))


def unpack(data: bytes) -> tuple[Finding, int]:
    at, rule, category, severity, msg, ev, explanation, policy, subject, fingerprint = marshal.loads(data)
    return Finding(rule=rule, category=category, severity=Severity(severity),
                   message=None if msg is None else Message(*msg), evidence=[Evidence(*e) for e in ev],
                   explanation=explanation, policy=policy, subject=subject, fingerprint=fingerprint), at


def frame(data: bytes) -> bytes:
    """One record as stored: its length, then its bytes."""
    return len(data).to_bytes(_LEN, "little") + data


def unframe(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The records in a stream of frame()d bytes cut anywhere (a record may span chunks). Raises ValueError
    if the stream stops inside a record."""
    buf = b""
    for piece in chunks:
        buf += piece
        i = 0
        while len(buf) - i >= _LEN:
            end = i + _LEN + int.from_bytes(buf[i:i + _LEN], "little")
            if end > len(buf):
                break
            yield buf[i + _LEN:end]
            i = end
        buf = buf[i:]
    if buf:
        raise ValueError("the records end inside a record")


def write_record(fh: IO[bytes], data: bytes) -> None:
    fh.write(frame(data))


def read_records(path: str) -> Iterator[bytes]:
    """The records of a file of write_record()s, one at a time."""
    with open(path, "rb") as fh:
        yield from _pread_records(fh.fileno())


def _pread_records(fd: int, count: int | None = None, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The first `count` records (all, when None) of a file of write_record()s, read a megabyte at a time
    with pread: the file's own position (where appends go) never moves, so reading and appending can
    interleave."""
    def chunks() -> Iterator[bytes]:
        pos = 0
        while more := os.pread(fd, chunk, pos):
            yield more
            pos += len(more)

    n = 0
    try:
        for data in itertools.islice(unframe(chunks()), count):
            yield data
            n += 1
    except ValueError:
        raise OSError("the findings' temporary file ended early") from None
    if count is not None and n < count:
        raise OSError("the findings' temporary file ended early")


class Tally:
    """Per member: findings per category and the worst severity of each."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.worst: dict[str, dict[str, Severity]] = {}
        self.total = 0

    def add(self, f: Finding) -> None:
        who = f.member or "(group)"
        self.counts.setdefault(who, Counter())[f.category] += 1
        worst = self.worst.setdefault(who, {})
        if f.severity > worst.get(f.category, 0):
            worst[f.category] = f.severity
        self.total += 1


class Findings:
    """An append-only sequence of findings: the first IN_MEMORY as objects, the rest in a temporary file."""

    def __init__(self, items: Iterable[Finding] = (), in_memory: int | None = None) -> None:
        self._head: list[tuple[Finding, int]] = []
        self._file: IO[bytes] | None = None
        self._spilled = 0
        self._in_memory = IN_MEMORY if in_memory is None else in_memory
        self.tally = Tally()
        for f in items:
            self.append(f)

    def append(self, f: Finding, at: int = 0) -> None:
        """Add a finding, with an int kept beside it (split.py: when it was made)."""
        self.tally.add(f)
        if len(self._head) < self._in_memory:
            self._head.append((f, at))
            return
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="wa-audit-")  # noqa: SIM115 - lives as long as self
        write_record(self._file, pack(f, at))
        self._spilled += 1

    def __len__(self) -> int:
        return len(self._head) + self._spilled

    def __bool__(self) -> bool:
        return bool(self._head)

    def __iter__(self) -> Iterator[Finding]:
        for f, _ in self.with_at():
            yield f

    def with_at(self) -> Iterator[tuple[Finding, int]]:
        yield from self._head
        if self._file is None:
            return
        self._file.flush()
        for data in _pread_records(self._file.fileno(), self._spilled):
            yield unpack(data)

    def packed(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """Items start..stop as pack() records: those in the temporary file as they are stored there."""
        stop = len(self) if stop is None else min(stop, len(self))
        head = len(self._head)
        for f, at in self._head[start:stop]:
            yield pack(f, at)
        if stop <= head or self._file is None:
            return
        self._file.flush()
        for i, data in enumerate(_pread_records(self._file.fileno(), stop - head)):
            if i + head >= start:
                yield data

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._spilled = 0

    # Sent between processes (many chats) as a plain list: a temporary file does not travel.
    def __getstate__(self) -> dict[str, Any]:
        return {"items": list(self), "in_memory": self._in_memory}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["items"], state["in_memory"])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Findings | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
