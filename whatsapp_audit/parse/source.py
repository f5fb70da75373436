"""Open an export (.txt, the .zip WhatsApp writes, or `-` for stdin) and hand out its decoded text.

The text can be read more than once (a cheap pre-scan decides the date order, then the parse), so nothing
is held in memory: files and zip members are simply re-opened, stdin is spooled to a temporary file.
Chunks always end at a line boundary with `\\r\\n` turned into `\\n`, so the parser never sees half a line.
"""

from __future__ import annotations

import codecs
import os
import sys
from collections.abc import Iterator
from typing import IO, Any

from whatsapp_audit.errors import UserError

BLOCK = 1 << 17       # raw bytes per read: amortises per-chunk work; keeps peak memory ~25 MB
MAX_DECODE_NOTES = 3     # after this many "invalid bytes" notes, one summary note

_WHAT_TO_DO = "pass the _chat.txt (or the .zip) that WhatsApp's \"Export chat\" produced"

# Magic numbers of files people pick by mistake (a photo from the export, a database, an archive).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"RIFF", "a media file (WebP image, WAV or AVI)"),
    (b"OggS", "an Ogg/Opus audio file"), (b"ID3", "an MP3 audio file"), (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"), (b"{\\rtf", "an RTF document"),
    (b"SQLite format 3\x00", "an SQLite database (msgstore.db is not an export)"),
    (b"\x00\x00\x01\x00", "an icon file"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def _sniff(head: bytes) -> str | None:
    """What a non-text file is, from its first bytes (None: could be text)."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "a video or HEIC image (MP4/MOV/HEIC)"
    return None


def _encoding(head: bytes) -> tuple[str, int]:
    """(codec, BOM length) from the first bytes: UTF-8 (BOM optional) or UTF-16 with or without BOM."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    # No BOM: an export starts with a digit, '[' or a direction mark; UTF-16 shows it as one NUL byte per char.
    if len(head) >= 4 and head[0] and not head[1] and head[2] and not head[3]:
        return "utf-16-le", 0
    if len(head) >= 4 and not head[0] and head[1] and not head[2] and head[3]:
        return "utf-16-be", 0
    return "utf-8", 0


class Source:
    """One export on disk (or stdin). `chunks()` may be called repeatedly; each call reads from the start."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = "stdin" if path == "-" else os.path.basename(path.rstrip("/\\")) or path
        self.media_files = 0
        self.notes: list[str] = []
        self._sha: str | None = None
        self._spool: IO[bytes] | None = None
        self._zip: Any = None                 # zipfile.ZipFile, imported only for zips
        self._member: Any = None              # zipfile.ZipInfo of the chat text inside the zip
        self._bad_lines: set[int] = set()
        self._open()

    # ------------------------------------------------------------------ opening and checks

    def _fail(self, message: str, hint: str | None = _WHAT_TO_DO, line: int | None = None) -> UserError:
        return UserError(message, path=self.path, line=line, hint=hint)

    def _open(self) -> None:
        if self.path == "-":
            self._spool_stdin()
        else:
            if os.path.isdir(self.path):
                raise self._fail("is a folder, not a chat export",
                                 hint="pass the _chat.txt or .zip inside it")
            if not os.path.exists(self.path):
                raise self._fail("no such file", hint="check the path; " + _WHAT_TO_DO)
        head = self._raw_head()
        if head[:4] in _ZIP_MAGIC:
            self._open_zip()
            head = self._text_head()
        self._check_text(head)

    def _spool_stdin(self) -> None:
        import hashlib
        import tempfile

        stream = sys.stdin.buffer if sys.stdin is not None else None
        if stream is None:
            raise self._fail("no standard input to read", hint="pipe the export in, or pass a file name")
        spool = tempfile.SpooledTemporaryFile(max_size=32 << 20)  # noqa: SIM115 - lives as long as the Chat
        digest = hashlib.sha256()
        while block := stream.read(BLOCK):
            digest.update(block)
            spool.write(block)
        spool.seek(0)
        self._spool = spool
        self._sha = digest.hexdigest()

    def _open_raw_input(self) -> IO[bytes]:
        """The input exactly as given (the zip itself for a zip)."""
        if self._spool is not None:
            self._spool.seek(0)
            return _Unclosable(self._spool)
        try:
            return open(self.path, "rb")
        except PermissionError:
            raise self._fail("cannot be read: permission denied", hint="check the file's permissions") from None
        except OSError as e:
            raise self._fail(f"cannot be read: {e.strerror or e}", hint=None) from None

    def _raw_head(self) -> bytes:
        with self._open_raw_input() as f:
            return f.read(64)

    def _open_zip(self) -> None:
        import zipfile

        def junk(name: str) -> bool:  # macOS resource forks and folder litter are not media
            base = name.rsplit("/", 1)[-1]
            return name.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"

        try:
            # A path (not an open file) so that ZipFile.close() also closes the file.
            zf = zipfile.ZipFile(self._spool if self._spool is not None else self.path)
            members = [i for i in zf.infolist() if not i.is_dir() and not junk(i.filename)]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise self._fail(f"is not a readable zip file ({e})",
                             hint="export the chat again, or unzip it and pass the .txt inside") from None
        texts = [i for i in members if i.filename.lower().endswith(".txt")]
        if not texts:
            zf.close()
            raise self._fail("this zip has no chat .txt inside",
                             hint="choose \"Export chat\" in WhatsApp and pass the .zip it makes")

        def rank(i: Any) -> tuple[int, int]:
            base = i.filename.rsplit("/", 1)[-1]
            return (0 if base == "_chat.txt" else 1 if base.startswith("WhatsApp Chat") else 2, -i.file_size)

        self._member = min(texts, key=rank)
        self._zip = zf
        self.media_files = len(members) - 1
        self.name = f"{self.name}:{self._member.filename}"

    def _open_text(self) -> IO[bytes]:
        """The bytes of the chat text: the file, the spool or the zip member."""
        if self._zip is None:
            return self._open_raw_input()
        try:
            return self._zip.open(self._member)
        except RuntimeError as e:  # encrypted member
            raise self._fail(f"cannot open {self._member.filename} inside the zip ({e})",
                             hint="export the chat again without a password") from None
        except Exception as e:  # zipfile raises several types for damaged archives
            raise self._fail(f"the zip is damaged ({e})", hint="export the chat again") from None

    def _text_head(self) -> bytes:
        with self._open_text() as f:
            try:
                return f.read(64)
            except Exception as e:
                raise self._fail(f"the zip is damaged ({e})", hint="export the chat again") from None

    def _check_text(self, head: bytes) -> None:
        if not head:
            raise self._fail("is empty", hint="export the chat again; " + _WHAT_TO_DO)
        what = _sniff(head)
        if what is not None:
            raise self._fail(f"is {what}, not a chat export")
        self._codec, self._bom = _encoding(head)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    # ------------------------------------------------------------------ reading

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the input bytes as given (the zip for a zip). Computed while reading when a pass
        reads a plain file to the end; otherwise read once more here."""
        if self._sha is None:
            import hashlib

            digest = hashlib.sha256()
            with self._open_raw_input() as f:
                while block := f.read(BLOCK):
                    digest.update(block)
            self._sha = digest.hexdigest()
        return self._sha

    def chunks(self) -> Iterator[str]:
        """Decoded text in chunks that end with '\\n' (the last may not); CRLF -> LF."""
        digest = None
        if self._sha is None and self._zip is None and self._spool is None:
            import hashlib

            digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder(self._codec)("strict")
        lines_before = 0          # newlines already handed out: only to name the line of a decoding error
        tail = ""                 # an unfinished last line, kept for the next chunk
        first = True
        with self._open_text() as f:
            if self._bom:
                bom = f.read(self._bom)      # its own read: a block may be smaller than the BOM
                if digest is not None:
                    digest.update(bom)
            while True:
                try:
                    raw = f.read(BLOCK)
                except Exception as e:  # CRC or inflate errors of a damaged zip member
                    raise self._fail(f"the zip is damaged ({e})", hint="export the chat again") from None
                if digest is not None:
                    digest.update(raw)
                final = not raw
                text = self._decode(decoder, raw, final, lines_before, tail)
                if first:
                    first = False
                    if "\x00" in text[:4096]:
                        raise self._fail("is a binary file, not a chat export")
                if tail:
                    text = tail + text
                if "\r" in text:   # after joining the tail, so a CRLF split across two blocks is caught
                    text = text.replace("\r\n", "\n")
                if final:
                    if text:
                        yield text
                    break
                cut = text.rfind("\n") + 1
                tail = text[cut:]
                if cut:
                    out = text[:cut]
                    lines_before += out.count("\n")
                    yield out
        if digest is not None:
            self._sha = digest.hexdigest()

    def _decode(self, decoder: Any, raw: bytes, final: bool, lines_before: int, tail: str) -> str:
        try:
            return decoder.decode(raw, final)
        except UnicodeDecodeError as e:
            # Rare path. The decoder kept its state (the exception leaves its buffer alone): name the line of
            # the first bad byte, then decode this block with replacement characters.
            pending = decoder.getstate()
            good = (pending[0] + raw)[:e.start].decode(self._codec, "replace")
            line = lines_before + tail.count("\n") + good.count("\n") + 1
            # Every pass over the file meets the same bytes: report each line once.
            if line not in self._bad_lines:
                self._bad_lines.add(line)
                if len(self._bad_lines) <= MAX_DECODE_NOTES:
                    self.notes.append(f"{self.path}:{line}: bytes that are not valid {self._codec.upper()} "
                                      f"were replaced with \ufffd")
                elif len(self._bad_lines) == MAX_DECODE_NOTES + 1:
                    self.notes.append(f"{self.path}: more invalid bytes later in the file were replaced too")
            lenient = codecs.getincrementaldecoder(self._codec)("replace")
            lenient.setstate(pending)
            text = lenient.decode(raw, final)
            decoder.setstate(lenient.getstate())
            return text


class _Unclosable:
    """A view of the stdin spool that `with` can close without closing the spool."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f

    def read(self, n: int = -1) -> bytes:
        return self._f.read(n)

    def seek(self, pos: int, whence: int = 0) -> int:
        return self._f.seek(pos, whence)

    def tell(self) -> int:
        return self._f.tell()

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def __enter__(self) -> _Unclosable:
        return self

    def __exit__(self, *exc: object) -> None:
        pass
