"""What kind of message a body is: text, media (and which), deleted, poll, location, contact or call.

The parser calls `classify` only for bodies that `SPECIAL` or the edited marker flags (a few percent), so
plain text never pays for the checks below. Bodies arrive with invisible marks already removed.
English and German placeholders; Android and iOS wording; "without media" and "with media" exports.
"""

from __future__ import annotations

import re

# Cheap gate at the start of a body: anything that might be a placeholder. False positives only cost time.
SPECIAL = re.compile(
    r"<|POLL:|UMFRAGE:|[Ll]ocation: |Standort: |[Ll]ive location|Live-Standort|This message was deleted|"
    r"You deleted this message|Diese Nachricht wurde gelöscht|Du hast diese Nachricht gelöscht|"
    r"Missed |Silenced |Verpasste|[Vv]oice call|[Vv]ideo call|Sprachanruf|Videoanruf|Gruppenanruf|"
    r"Contact card omitted|Kontaktkarte|(?:image|video|video note|audio|sticker|GIF|document|Bild|Dokument) "
    r"(?:omitted|weggelassen)|[^\n]*(?: document omitted| Dokument weggelassen| \((?:file attached|Datei angehängt)\))"
)
EDITED = re.compile(r"\s*<(?:This message was edited|Diese Nachricht wurde bearbeitet)>\Z")

_MEDIA_OMITTED = re.compile(r"<(?:Media omitted|Medien ausgeschlossen|Medien weggelassen)>")
# Only a document has text before its placeholder (its file name and page count: "Trip.pdf • 3 pages
# document omitted"); "the video omitted" typed by a member stays text.
_IOS_OMITTED = re.compile(
    r"(?P<w>image|video|video note|audio|sticker|GIF|document|Bild|Video|Audio|Sticker|Dokument) "
    r"(?:omitted|weggelassen)|.+ (?P<d>document omitted|Dokument weggelassen)")
_IOS_WORD = {"image": "image", "video": "video", "video note": "video", "audio": "audio", "sticker": "sticker",
             "GIF": "gif",
             "document": "document", "Bild": "image", "Video": "video", "Audio": "audio",
             "Sticker": "sticker", "Dokument": "document"}
_ATTACHED = re.compile(r"(?P<f>.+?) \((?:file attached|Datei angehängt)\)|<(?:attached|Anhang): (?P<g>[^>]+)>")
_DELETED = re.compile(r"(?:This message was deleted|You deleted this message|Diese Nachricht wurde gelöscht|"
                      r"Du hast diese Nachricht gelöscht)\.?")
_POLL = re.compile(r"(?:POLL|UMFRAGE):")
_LOCATION = re.compile(r"(?:[Ll]ocation|Standort): https?://|[Ll]ive location shared|Live-Standort geteilt")
_CONTACT = re.compile(r"Contact card omitted|Kontaktkarte (?:weggelassen|ausgelassen)")
_CALL = re.compile(
    r"(?:(?:Missed|Silenced|Declined) (?:group )?(?:voice|video) call|(?:Voice|Video|Group voice|Group video) "
    r"call|Verpasster (?:Sprach|Video|Gruppen)anruf|(?:Sprach|Video|Gruppen)anruf)\b")

# Android "with media" file names (IMG-20230914-WA0001.jpg) and iOS ones (00000012-PHOTO-2023-...jpg).
_NAME_HINTS = (("STK-", "sticker"), ("-STICKER-", "sticker"), ("IMG-", "image"), ("-PHOTO-", "image"),
               ("VID-", "video"), ("-VIDEO-", "video"), ("-GIF-", "gif"), ("PTT-", "audio"), ("AUD-", "audio"),
               ("-AUDIO-", "audio"), ("DOC-", "document"))
_EXT = {
    **dict.fromkeys(("jpg", "jpeg", "png", "heic", "heif", "bmp", "tif", "tiff"), "image"),
    **dict.fromkeys(("webp",), "sticker"),
    **dict.fromkeys(("gif",), "gif"),
    **dict.fromkeys(("mp4", "mov", "3gp", "mkv", "avi", "webm", "m4v"), "video"),
    **dict.fromkeys(("opus", "ogg", "m4a", "mp3", "aac", "amr", "wav", "oga"), "audio"),
}

Classified = tuple[str, str, str | None, bool]   # kind, text, media type, edited


def media_type(filename: str) -> str:
    """Media type of an attached file from its name; unknown extensions are documents (pdf, docx, ...)."""
    for hint, kind in _NAME_HINTS:
        if hint in filename:
            return kind
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return _EXT.get(ext, "document")


def classify(body: str) -> Classified:
    """(kind, text, media, edited) of a message body (continuation lines included, marks removed)."""
    edited = False
    if body[-1:] == ">" and (m := EDITED.search(body, max(0, len(body) - 60))) is not None:
        body = body[:m.start()]
        edited = True
    nl = body.find("\n")
    first, caption = (body, "") if nl < 0 else (body[:nl], body[nl + 1:])

    if _MEDIA_OMITTED.fullmatch(first):
        return "media", caption, "unknown", edited
    if (m := _IOS_OMITTED.fullmatch(first)) is not None:
        return "media", caption, "document" if m.group("d") else _IOS_WORD[m.group("w")], edited
    if (m := _ATTACHED.fullmatch(first)) is not None:
        name = m.group("f") or m.group("g")
        if name.lower().endswith(".vcf"):
            return "contact", body, None, edited
        return "media", caption, media_type(name), edited
    if _DELETED.fullmatch(first) and not caption:   # with lines after it, it is text: keep them
        return "deleted", "", None, edited
    if _POLL.fullmatch(first):
        return "poll", body, None, edited
    if _LOCATION.match(first):
        return "location", body, None, edited
    if _CONTACT.fullmatch(first):
        return "contact", body, None, edited
    if _CALL.match(first):
        return "call", body, None, edited
    return "text", body, None, edited


def is_call(line: str) -> bool:
    """A call notice ("Missed voice call") that WhatsApp wrote without an author."""
    return _CALL.match(line) is not None
