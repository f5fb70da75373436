"""What a file that is not text is, from its first bytes: for one clear line when someone passes a photo, a
database or an archive where a chat export or a YAML file belongs. Kept apart so the YAML loader can use it
without importing the parser."""

from __future__ import annotations

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
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def sniff(head: bytes) -> str | None:
    """What a non-text file is, from its first bytes (None: could be text)."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "a video or HEIC image (MP4/MOV/HEIC)"
    return None
