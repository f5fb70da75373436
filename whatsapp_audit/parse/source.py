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
from whatsapp_audit.filetypes import ZIP_MAGIC, sniff

BLOCK = 1 << 17       # raw bytes per read: amortises per-chunk work; keeps peak memory ~25 MB
SNIFF = 4096          # opening characters in which a NUL means a binary file
MAX_DECODE_NOTES = 3     # after this many "invalid bytes" notes, one summary note
# WhatsApp caps a message at 65,536 characters, so a longer line is not from an export. The cap also keeps
# memory bounded (a file with no line breaks would otherwise be held whole) and reading linear.
MAX_LINE = 1 << 20
# A zip member is refused by what the zip *declares* before a byte is inflated (zipfile never returns
# more than the declared size): a chat text above this size, or one that inflates more than MAX_RATIO
# times (chat text compresses 4-10x; a zip bomb 1000x).
MAX_ZIP_TEXT = 4 << 30
MAX_RATIO = 100
RATIO_FROM = 1 << 20     # small members may compress well; the ratio is checked above this size

_WHAT_TO_DO = "pass the _chat.txt (or the .zip) that WhatsApp's \"Export chat\" produced"

def unsafe_name(name: str) -> bool:
    """A zip entry name that would land outside the folder if extracted: absolute, a drive, or `..`."""
    n = name.replace("\\", "/")
    return n.startswith("/") or (len(n) > 1 and n[1] == ":") or "\x00" in n or ".." in n.split("/")


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
        self._bad_lines: set[int] = set()    # lines with invalid bytes noted so far (at most MAX_DECODE_NOTES)
        self._more_bad = False
        self.unsafe_members: list[str] = []  # zip entries never read because of their names
        self.zip_time: str | None = None     # when the zip says the chat text was written (local time)
        self.truncated_at: int | None = None   # the line where the text ends part-way through a character
        # Of the last full pass: lines ending in CRLF, all line breaks, the first line ending unlike line 1.
        self.line_endings: tuple[int, int, int | None] = (0, 0, None)
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
        if head[:4] in ZIP_MAGIC:
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
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
            raise self._fail(f"is not a readable zip file ({e})",
                             hint="export the chat again, or unzip it and pass the .txt inside") from None
        # Nothing is ever extracted, so a name like "../../x" could do no harm here; but WhatsApp never
        # writes one, so such an entry is not read at all and is listed as a sign of a doctored zip.
        unsafe = [i for i in members if unsafe_name(i.filename)]
        self.unsafe_members = [i.filename for i in unsafe]
        members = [i for i in members if i not in unsafe]
        texts = [i for i in members if i.filename.lower().endswith(".txt")]
        if not texts:
            zf.close()
            if unsafe:
                raise self._fail(f"this zip has no chat .txt with a safe name (ignored {len(unsafe)} entr"
                                 f"{'y' if len(unsafe) == 1 else 'ies'} with a path WhatsApp never writes, "
                                 f"such as {unsafe[0].filename!r})",
                                 hint="this is not a zip WhatsApp made: export the chat again")
            raise self._fail("this zip has no chat .txt inside",
                             hint="choose \"Export chat\" in WhatsApp and pass the .zip it makes")

        def rank(i: Any) -> tuple[int, int]:
            base = i.filename.rsplit("/", 1)[-1]
            return (0 if base == "_chat.txt" else 1 if base.startswith("WhatsApp Chat") else 2, -i.file_size)

        member = min(texts, key=rank)
        size, packed = member.file_size, member.compress_size
        if size > MAX_ZIP_TEXT or (size > RATIO_FROM and size > MAX_RATIO * max(packed, 1)):
            zf.close()
            why = (f"would inflate to {size:,} bytes" if size > MAX_ZIP_TEXT else
                   f"would inflate {size / max(packed, 1):,.0f} times, from {packed:,} to {size:,} bytes")
            raise self._fail(f"refusing to read {member.filename!r} inside this zip: it {why} "
                             "(a chat export compresses about 4-10 times; this looks like a zip bomb)",
                             hint="export the chat again, or unzip it yourself and check the .txt")
        self._member = member
        self._zip = zf
        y, mo, d, h, mi, sec = member.date_time
        self.zip_time = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{sec:02d}"
        self.media_files = len(members) - 1
        self.name = f"{self.name}:{member.filename}"

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
        what = sniff(head)
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

    def chunks(self, hashing: bool = True) -> Iterator[str]:
        """Decoded text in chunks that end with '\\n' (the last may not); CRLF -> LF.

        Raises UserError for a line longer than MAX_LINE. A pass read to the end also records the line
        endings (`line_endings`), one of the signs of an edited file the integrity checks list, and, unless
        `hashing` is off (a pass that will not need it), the SHA-256 of a plain file on the way."""
        digest = None
        if hashing and self._sha is None and self._zip is None and self._spool is None:
            import hashlib

            digest = hashlib.sha256()
        decoder = codecs.getincrementaldecoder(self._codec)("strict")
        lines_before = 0          # newlines already handed out: only to name the line of a decoding error
        tail = ""                 # an unfinished last line, kept for the next chunk
        seen = 0                  # characters checked for NUL bytes (a binary file)
        crlf = 0                  # lines ending in CRLF
        odd: int | None = None    # first line whose ending differs from line 1's
        style = ""                # "\r\n" or "\n": how line 1 ends
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
                if seen < SNIFF:       # the opening characters, however small the reads
                    if "\x00" in text[:SNIFF - seen]:
                        raise self._fail("is a binary file, not a chat export")
                    seen += len(text)
                if tail:
                    text = tail + text
                if "\r" in text:   # after joining the tail, so a CRLF split across two blocks is caught
                    n = text.count("\r\n")
                    if n:
                        crlf += n
                        if odd is None:
                            style, odd = _endings(text, style, lines_before)
                        text = text.replace("\r\n", "\n")
                elif odd is None and style != "\n" and "\n" in text:
                    # (no CR here: once line 1 is known to end in LF, there is nothing to look for)
                    style, odd = _endings(text, style, lines_before)
                if final:
                    if text:
                        lines_before += text.count("\n")
                        yield text
                    break
                cut = text.rfind("\n") + 1
                tail = text[cut:]
                if len(tail) > MAX_LINE:
                    raise self._fail(f"a line longer than {MAX_LINE:,} characters (WhatsApp never writes one: "
                                     "its messages are at most 65,536)", line=lines_before + 1,
                                     hint="this is not a chat export, or it has been damaged; export it again")
                if cut:
                    out = text[:cut]
                    lines_before += out.count("\n")
                    yield out
        self.line_endings = (crlf, lines_before, odd)
        if digest is not None:
            self._sha = digest.hexdigest()

    def _decode(self, decoder: Any, raw: bytes, final: bool, lines_before: int, tail: str) -> str:
        try:
            return decoder.decode(raw, final)
        except UnicodeDecodeError as e:
            # Rare path. The decoder kept its state (the exception leaves its buffer alone): name the line of
            # the first bad byte, then decode this block with replacement characters.
            pending = decoder.getstate()
            data = pending[0] + raw
            good = data[:e.start].decode(self._codec, "replace")
            line = lines_before + tail.count("\n") + good.count("\n") + 1
            if final and e.end >= len(data):
                if self.truncated_at is None:     # once, however often the chat is read
                    self.truncated_at = line
                    self.notes.append(f"{self.path}:{line}: the file ends part-way through a character: it may have "
                                      "been cut short (the last bytes were replaced with \ufffd)")
            # Every pass over the file meets the same bytes: report each line once. Only the first few lines
            # are remembered, so a file that is invalid throughout costs no memory per line.
            elif line not in self._bad_lines:
                if len(self._bad_lines) < MAX_DECODE_NOTES:
                    self._bad_lines.add(line)
                    self.notes.append(f"{self.path}:{line}: bytes that are not valid {self._codec.upper()} "
                                      f"were replaced with \ufffd")
                elif not self._more_bad and line > max(self._bad_lines):
                    self._more_bad = True
                    self.notes.append(f"{self.path}: more invalid bytes later in the file were replaced too")
            lenient = codecs.getincrementaldecoder(self._codec)("replace")
            lenient.setstate(pending)
            text = lenient.decode(raw, final)
            decoder.setstate(lenient.getstate())
            return text

    @property
    def bad_lines(self) -> list[int]:
        """Lines where invalid bytes were replaced (the first few), for the integrity section."""
        return sorted(self._bad_lines)

    @property
    def more_bad_lines(self) -> bool:
        return self._more_bad


def _endings(text: str, style: str, lines_before: int) -> tuple[str, int | None]:
    """(how line 1 ends, the first line in `text` that ends otherwise, or None). `text` is a joined chunk
    before CRLF is replaced; only called until a first odd line is found, so it costs nothing per line."""
    if not style:
        nl = text.find("\n")
        style = "\r\n" if nl > 0 and text[nl - 1] == "\r" else "\n"
    if style == "\n":
        pos = text.find("\r\n")
    else:
        import re

        m = re.search(r"(?<!\r)\n", text)
        pos = m.start() if m is not None else -1
    if pos < 0:
        return style, None
    return style, lines_before + text.count("\n", 0, pos) + 1


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
