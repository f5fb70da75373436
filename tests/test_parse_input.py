"""Export parser inputs: encodings, line endings, .zip exports, stdin, and every kind of bad input.

The CLI is run in-process through `whatsapp_audit.cli.main([...])`; bad input must give exit 2 and one line
on stderr that names the file, with no traceback.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

import pytest

from whatsapp_audit.cli import main
from whatsapp_audit.errors import UserError
from whatsapp_audit.parse import open_chat, source

FIXTURES = Path(__file__).parent / "fixtures" / "parse"


def expected(name: str) -> list[dict]:
    return [json.loads(x) for x in (FIXTURES / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]


def records(path: str | Path) -> list[dict]:
    with open_chat(str(path)) as chat:
        return [m.to_dict() for m in chat.messages()]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


# ------------------------------------------------------------------------------ encodings, endings

@pytest.mark.parametrize("name", ["android-gb", "ios-gb", "android-us"])
@pytest.mark.parametrize(("encoding", "bom", "crlf"), [
    ("utf-8", b"", True),
    ("utf-8", codecs.BOM_UTF8, False),
    ("utf-8", codecs.BOM_UTF8, True),
    ("utf-16-le", codecs.BOM_UTF16_LE, False),
    ("utf-16-le", codecs.BOM_UTF16_LE, True),
    ("utf-16-be", codecs.BOM_UTF16_BE, False),
    ("utf-16-le", b"", False),   # no BOM: recognised from the NUL pattern
])
def test_encodings_and_line_endings(tmp_path: Path, name: str, encoding: str, bom: bytes, crlf: bool) -> None:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    if crlf:
        text = text.replace("\n", "\r\n")
    p = tmp_path / "WhatsApp Chat with Year 4.txt"
    raw = bom + text.encode(encoding)
    p.write_bytes(raw)
    with open_chat(str(p)) as chat:
        assert [m.to_dict() for m in chat.messages()] == expected(name)
        assert chat.sha256 == hashlib.sha256(raw).hexdigest()
        assert chat.notes == []


@pytest.mark.parametrize("block", [1, 2, 3, 5])
def test_boms_and_crlf_with_tiny_read_blocks(tmp_path: Path, block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (FIXTURES / "ios-gb.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    monkeypatch.setattr(source, "BLOCK", block)
    for i, (bom, encoding) in enumerate(((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                                         (codecs.BOM_UTF16_BE, "utf-16-be"))):
        p = tmp_path / f"chat{i}.txt"
        p.write_bytes(bom + text.encode(encoding))
        with open_chat(str(p)) as chat:
            assert [m.to_dict() for m in chat.messages()] == expected("ios-gb")
            assert chat.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_invalid_utf8_is_replaced_with_a_note_naming_the_line(tmp_path: Path) -> None:
    p = tmp_path / "chat.txt"
    p.write_bytes(b"14/09/2023, 19:02 - Jane: fine\n14/09/2023, 19:03 - Tom: caf\xe9 \xff\n"
                  b"14/09/2023, 19:04 - Jane: fine again\n")
    with open_chat(str(p)) as chat:
        got = list(chat.messages())
        assert [m.text for m in got] == ["fine", "caf\ufffd \ufffd", "fine again"]
        assert len(chat.notes) == 1 and f"{p}:2:" in chat.notes[0] and "replaced" in chat.notes[0]


def test_sha256_before_reading_and_for_a_zip(tmp_path: Path) -> None:
    p = FIXTURES / "ios-gb.txt"
    with open_chat(str(p)) as chat:
        assert chat.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_text_before_the_first_message_is_skipped_with_a_note(tmp_path: Path) -> None:
    p = tmp_path / "chat.txt"
    p.write_text("Exported from my phone\n\n14/09/2023, 19:02 - Jane: hi\n", encoding="utf-8")
    with open_chat(str(p)) as chat:
        got = list(chat.messages())
        assert [(m.line, m.text) for m in got] == [(3, "hi")]
        assert chat.notes == [f"{p}: lines 1-2 come before the first message and were skipped"]


# ------------------------------------------------------------------------------------------ zip

def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_zip_export_with_media(tmp_path: Path) -> None:
    chat_bytes = (FIXTURES / "ios-gb.txt").read_bytes()
    z = make_zip(tmp_path / "WhatsApp Chat - Year 4 Oak.zip", {
        "_chat.txt": chat_bytes,
        "00000012-PHOTO-2023-09-14-19-03-01.jpg": b"\xff\xd8\xff fake jpeg",
        "00000013-VIDEO-2023-09-14-19-03-40.mp4": b"fake video",
        "__MACOSX/._00000012-PHOTO-2023-09-14-19-03-01.jpg": b"resource fork",
    })
    with open_chat(str(z)) as chat:
        assert chat.name == "WhatsApp Chat - Year 4 Oak.zip:_chat.txt"
        assert chat.media_files == 2
        assert chat.dialect == "ios-dmy-24h"
        assert chat.sha256 == hashlib.sha256(z.read_bytes()).hexdigest()
        assert [m.to_dict() for m in chat.messages()] == expected("ios-gb")


def test_android_zip_picks_the_chat_text(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "export.zip", {
        "IMG-20230914-WA0001.jpg": b"\xff\xd8\xff",
        "WhatsApp Chat with Year 4 Oak.txt": (FIXTURES / "android-gb.txt").read_bytes(),
        "notes.txt": b"not the chat",
    })
    with open_chat(str(z)) as chat:
        assert chat.name == "export.zip:WhatsApp Chat with Year 4 Oak.txt"
        assert chat.media_files == 2
        assert [m.to_dict() for m in chat.messages()] == expected("android-gb")


# ----------------------------------------------------------------------------------------- stdin

class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = (FIXTURES / "android-us.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    with open_chat("-") as chat:
        assert chat.name == "stdin" and chat.path == "-"
        assert chat.sha256 == hashlib.sha256(data).hexdigest()
        assert [m.to_dict() for m in chat.messages()] == expected("android-us")
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    rc, out, err = run(["parse", "-"], capsys)
    assert rc == 0 and err == ""
    assert out == (FIXTURES / "android-us.jsonl").read_text(encoding="utf-8")


def test_zip_on_stdin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    z = make_zip(tmp_path / "x.zip", {"_chat.txt": (FIXTURES / "ios-us.txt").read_bytes(), "a.jpg": b"x"})
    monkeypatch.setattr(sys, "stdin", _Stdin(z.read_bytes()))
    with open_chat("-") as chat:
        assert chat.media_files == 1
        assert [m.to_dict() for m in chat.messages()] == expected("ios-us")


# ------------------------------------------------------------------------------------------- CLI

@pytest.mark.parametrize("name", ["android-gb", "ios-gb", "android-de"])
def test_cli_jsonl_is_exactly_the_contract(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = run(["parse", str(FIXTURES / f"{name}.txt"), "--format", "jsonl"], capsys)
    assert rc == 0 and err == ""
    assert out == (FIXTURES / f"{name}.jsonl").read_text(encoding="utf-8")


def test_cli_default_format_is_jsonl_and_notes_go_to_stderr(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "chat.txt"
    p.write_text("01/02/2024, 10:00 - Jane: a\n", encoding="utf-8")
    rc, out, err = run(["parse", str(p)], capsys)
    assert rc == 0
    assert json.loads(out)["timestamp"] == "2024-02-01T10:00:00"
    assert err.startswith("wa-audit: note: ") and "day-first" in err
    rc, out, err = run(["parse", str(p), "--date-order", "mdy"], capsys)
    assert rc == 0 and err == "" and json.loads(out)["timestamp"] == "2024-01-02T10:00:00"


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _err = run(["parse", str(FIXTURES / "ios-gb.txt"), "--format", "table"], capsys)
    assert rc == 0
    assert "Jane Smith" in out and "media:image" in out and "system:added" in out and "ios-dmy-24h" in out


def test_cli_rejects_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _out, _err = run(["parse", str(FIXTURES / "ios-gb.txt"), "--format", "xml"], capsys)
    assert rc == 2


# ------------------------------------------------------------------------------------- bad input

def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    d = tmp_path
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_text("\n\n  \n", encoding="utf-8")
    (d / "binary.txt").write_bytes(b"14\x00\x01\x02\x00\xff" * 100)
    (d / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (d / "photo.jpg.txt").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    (d / "notes.txt").write_text("Shopping list\n- milk\n- bread\n", encoding="utf-8")
    (d / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 20)
    make_zip(d / "photos.zip", {"IMG-20230914-WA0001.jpg": b"\xff\xd8\xff"})
    (d / "folder").mkdir()
    return {
        "empty": (d / "empty.txt", "empty"),
        "blank": (d / "blank.txt", "no messages"),
        "binary": (d / "binary.txt", "binary"),
        "png": (d / "photo.txt", "PNG image"),
        "jpeg": (d / "photo.jpg.txt", "JPEG image"),
        "not-an-export": (d / "notes.txt", "does not look like a WhatsApp chat export"),
        "corrupt-zip": (d / "broken.zip", "zip"),
        "zip-without-txt": (d / "photos.zip", "no chat .txt"),
        "folder": (d / "folder", "folder"),
        "missing": (d / "nope.txt", "no such file"),
    }


@pytest.mark.parametrize("case", ["empty", "blank", "binary", "png", "jpeg", "not-an-export", "corrupt-zip",
                                  "zip-without-txt", "folder", "missing"])
def test_bad_input_exits_2_with_one_line_naming_the_file(case: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    path, words = _bad_inputs(tmp_path)[case]
    rc, out, err = run(["parse", str(path)], capsys)
    assert rc == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("wa-audit: error: ")
    assert str(path) in err and words in err
    assert "Traceback" not in err
    with pytest.raises(UserError):
        open_chat(str(path))


def test_corrupt_zip_member_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    z = make_zip(tmp_path / "chat.zip", {"_chat.txt": (FIXTURES / "android-gb.txt").read_bytes() * 50})
    raw = bytearray(z.read_bytes())
    raw[60:80] = b"\x00" * 20          # damage the compressed data, keep the directory intact
    z.write_bytes(bytes(raw))
    rc, _out, err = run(["parse", str(z)], capsys)
    assert rc == 2 and str(z) in err and "Traceback" not in err and err.count("\n") == 1
