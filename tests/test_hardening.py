"""Never crash, never leak, never lose: every bad input gets one line naming the file and exit 2.

The table in docs/bad-inputs.md is this file's `CHAT_CASES` and `OTHER_CASES`: keep them in step. Commands run
in-process through `cli.main`; a few run as real processes (Ctrl-C, --debug). Synthetic data only.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from whatsapp_audit.cli import common, main
from whatsapp_audit.errors import UserError
from whatsapp_audit.parse import open_chat, parser, source

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "year4-oak-android.txt"
IOS = ROOT / "examples" / "year4-oak-ios.txt"
GROUP = ROOT / "examples" / "group.yaml"
WA = [sys.executable, "-m", "whatsapp_audit"]


@pytest.fixture(autouse=True)
def _pack_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load each rule pack once for the whole file: these tests are about inputs, not about rule loading."""
    monkeypatch.setattr(common, "rules", _cached_rules)


@functools.lru_cache(maxsize=8)
def _load(paths: tuple[str, ...]) -> object:
    from whatsapp_audit.rules.pack import load_pack

    return load_pack(list(paths) or None)


def _cached_rules(paths: list[str] | None) -> object:
    return _load(tuple(paths or ()))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def one_error_line(err: str, *words: str) -> None:
    """Exactly one line on stderr, the error, with the words it must contain; no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("wa-audit: error: "), err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], (w, err)


def make_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


# ------------------------------------------------------------------------------------------ bad chats

def _chat_cases(d: Path) -> dict[str, tuple[Path, list[str]]]:
    """Case -> (file, words the one error line must contain besides the file name)."""
    ex = EXAMPLE.read_bytes()
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_bytes(b"\n \n\t\n")
    (d / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (d / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (d / "IMG-20230914-WA0001.jpg.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(200))
    (d / "msgstore.txt").write_bytes(b"SQLite format 3\x00" + bytes(100))
    (d / "notes.txt").write_text("Shopping list\n- milk\n- bread\n", encoding="utf-8")
    (d / "dates.txt").write_text("31/02/2023, 08:00 - Jane Smith: hello\n30/02/2023, 09:00 - Tom Baker: hi\n",
                                 encoding="utf-8")
    (d / "folder").mkdir()
    (d / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 20)
    make_zip(d / "photos.zip", {"IMG-20230914-WA0001.jpg": b"\xff\xd8\xff" + bytes(50)})
    make_zip(d / "bomb.zip", {"_chat.txt": b"04/09/2023, 08:00 - Jane Smith: " + b"a" * (20 << 20)})
    make_zip(d / "slip.zip", {"../../x.txt": ex, "/etc/cron.d/x.txt": ex})
    (d / "oneline.txt").write_bytes(b"04/09/2023, 08:00 - Jane Smith: " + b"x" * (source.MAX_LINE + 10))
    return {
        "missing file": (d / "nope.txt", ["no such file"]),
        "a folder": (d / "folder", ["folder"]),
        "empty file": (d / "empty.txt", ["is empty"]),
        "only blank lines": (d / "blank.txt", ["no messages"]),
        "binary file": (d / "binary.txt", ["binary file"]),
        "PNG renamed .txt": (d / "photo.txt", ["PNG image"]),
        "JPEG renamed .txt": (d / "IMG-20230914-WA0001.jpg.txt", ["JPEG image"]),
        "WhatsApp database": (d / "msgstore.txt", ["SQLite database"]),
        "text that is no export": (d / "notes.txt", ["does not look like a WhatsApp chat export"]),
        "only dates that do not exist": (d / "dates.txt", [":1:", "date that does not exist"]),
        "damaged zip": (d / "broken.zip", ["not a readable zip"]),
        "zip with no text file": (d / "photos.zip", ["no chat .txt"]),
        "zip bomb (ratio)": (d / "bomb.zip", ["zip bomb", "times"]),
        "zip member ../../x only": (d / "slip.zip", ["../../x.txt", "not a zip WhatsApp made"]),
        "a line over 1 MB": (d / "oneline.txt", [":1:", "longer than"]),
    }


CHAT_CASES = ["missing file", "a folder", "empty file", "only blank lines", "binary file", "PNG renamed .txt",
              "JPEG renamed .txt", "WhatsApp database", "text that is no export", "only dates that do not exist",
              "damaged zip", "zip with no text file", "zip bomb (ratio)", "zip member ../../x only",
              "a line over 1 MB"]
COMMANDS = {
    "parse": ["parse"],
    "parse-table": ["parse", "--format", "table"],
    "group-init": ["group", "init"],
    "scan": ["scan", "--no-ner", "--no-cache"],
    "scan-json": ["scan", "--no-ner", "--no-cache", "--format", "json"],
    "report": ["report", "--no-ner", "--no-cache", "--format", "html"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", CHAT_CASES)
def test_bad_chat_one_line_exit_2(case: str, command: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path, words = _chat_cases(tmp_path)[case]
    rc, out, err = run([*COMMANDS[command], str(path)], capsys)
    assert rc == 2, err
    assert out == ""
    one_error_line(err, str(path), *words)


def test_case_table_is_complete(tmp_path: Path) -> None:
    assert sorted(_chat_cases(tmp_path)) == sorted(CHAT_CASES)
    doc = (ROOT / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    for case in CHAT_CASES:
        assert case in doc, f"docs/bad-inputs.md does not list {case!r}"


def test_zip_bomb_refused_by_declared_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    z = make_zip(tmp_path / "big.zip", {"_chat.txt": EXAMPLE.read_bytes()}, zipfile.ZIP_STORED)
    monkeypatch.setattr(source, "MAX_ZIP_TEXT", 1000)
    rc, _out, err = run(["parse", str(z)], capsys)
    assert rc == 2
    one_error_line(err, str(z), "would inflate to", "zip bomb")


def test_zip_bomb_is_refused_before_inflating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    z = make_zip(tmp_path / "bomb.zip", {"_chat.txt": b"04/09/2023, 08:00 - A: " + b"a" * (20 << 20)})
    opened = []
    real = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or real(self, *a, **k))
    with pytest.raises(UserError):
        open_chat(str(z))
    assert opened == []


def test_unsafe_zip_entries_are_never_read_but_listed(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "chat.zip", {"_chat.txt": EXAMPLE.read_bytes(), "../../evil.txt": b"x",
                                         "C:/evil.txt": b"x"})
    with open_chat(str(z)) as chat:
        assert chat.name.endswith(":_chat.txt")
        assert len(list(chat.messages())) == 36
        signs = [s for s in chat.integrity if s.check == "zip-entry"]
        assert {s.detail.split("'")[1] for s in signs} == {"../../evil.txt", "C:/evil.txt"}
    assert not (tmp_path.parent.parent / "evil.txt").exists()


def test_zip_with_a_password_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    z = make_zip(tmp_path / "chat.zip", {"_chat.txt": EXAMPLE.read_bytes()})
    raw = bytearray(z.read_bytes())
    raw[6] |= 1                                 # the "encrypted" flag of the local header ...
    i = raw.find(b"PK\x01\x02")
    raw[i + 8] |= 1                             # ... and of the central directory entry
    z.write_bytes(bytes(raw))
    rc, _out, err = run(["parse", str(z)], capsys)
    assert rc == 2
    one_error_line(err, str(z))


def test_huge_message_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(parser, "MAX_MESSAGE", 5000)
    monkeypatch.setattr(source, "BLOCK", 1024)
    p = tmp_path / "chat.txt"
    p.write_text("04/09/2023, 08:00 - Jane Smith: hi\n04/09/2023, 08:01 - Tom Baker: start\n"
                 + "more text on another line\n" * 400 + "04/09/2023, 08:02 - Jane Smith: bye\n", encoding="utf-8")
    rc, _out, err = run(["parse", str(p)], capsys)
    assert rc == 2
    one_error_line(err, f"{p}:2:", "longer than 5,000 characters")


def test_truncated_utf16_decodes_what_it_can(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = codecs.BOM_UTF16_LE + EXAMPLE.read_text(encoding="utf-8").encode("utf-16-le")
    p = tmp_path / "chat.txt"
    p.write_bytes(raw[: len(raw) // 2 + 1])            # cut mid-file, mid-character
    rc, out, err = run(["parse", str(p)], capsys)
    assert rc == 0
    assert len(out.splitlines()) >= 15
    assert f"{p}:" in err and "cut short" in err and "Traceback" not in err
    with open_chat(str(p)) as chat:
        list(chat.messages())
        assert [s.check for s in chat.integrity] == ["truncated"]


def test_invalid_utf8_in_the_middle_decodes_the_rest_and_says_where(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    lines = EXAMPLE.read_bytes().split(b"\n")
    lines[19] = lines[19] + b" \xff\xfe\xc3"
    p = tmp_path / "chat.txt"
    p.write_bytes(b"\n".join(lines))
    rc, out, err = run(["parse", str(p)], capsys)
    assert rc == 0
    assert len(out.splitlines()) == 36                 # every message still there
    assert f"{p}:20: bytes that are not valid UTF-8 were replaced" in err


def test_invalid_bytes_on_every_line_keep_notes_and_memory_bounded(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "BLOCK", 4096)        # one "invalid bytes" note at most per block read
    p = tmp_path / "chat.txt"
    p.write_bytes(b"".join(b"04/09/2023, 08:%02d - Jane Smith: caf\xe9\n" % (i % 60) for i in range(5000)))
    with open_chat(str(p)) as chat:
        for _ in range(2):                             # a second pass adds nothing
            assert sum(1 for _ in chat.messages()) == 5000
        assert len([n for n in chat.notes if "replaced" in n]) == source.MAX_DECODE_NOTES + 1
        assert len(chat._source._bad_lines) <= source.MAX_DECODE_NOTES


def test_mixed_dialects_keep_every_line_and_are_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    android = EXAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    ios = IOS.read_text(encoding="utf-8").splitlines(keepends=True)
    p = tmp_path / "mixed.txt"
    p.write_text("".join(android[:20] + ios[10:15] + android[20:]), encoding="utf-8")
    with open_chat(str(p)) as chat:
        msgs = list(chat.messages())
        signs = chat.integrity
    assert len(msgs) == 36
    assert msgs[18].text.count("\n") == 5               # the pasted lines stay inside the message before them
    assert [s.check for s in signs] == ["line-in-message"] and signs[0].line == 21
    assert "lines look like the start of a message" in signs[0].detail
    assert "not in this export's format" in signs[0].detail


# ------------------------------------------------------------------------------------ other bad inputs

LAUGHS = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]
"""
EVIL_RULES = """name: evil
version: "1"
extends: default
rules:
  - id: evil-regex
    category: political
    severity: warning
    type: regex
    message: evil
    policy: "x"
    patterns: ["(a+)+$"]
    examples:
      breach: ["aaa"]
      clean: ["bbb"]
"""
UNKNOWN_CATEGORY = EVIL_RULES.replace("category: political", "category: gossip").replace("(a+)+$", "foo") \
    .replace('"aaa"', '"foo"')


def _other_cases(d: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Case -> (argv, words the error line must contain)."""
    ex = str(EXAMPLE)
    (d / "laughs.yaml").write_text(LAUGHS, encoding="utf-8")
    (d / "deep.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    (d / "evil.yaml").write_text(EVIL_RULES, encoding="utf-8")
    (d / "gossip.yaml").write_text(UNKNOWN_CATEGORY, encoding="utf-8")
    (d / "group.yaml").write_text("group: Year 4\nmembers:\n  - name: Jane Smith\n    left: 2024-02-30\n",
                                  encoding="utf-8")
    (d / "photo.yaml").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    evil_chat = d / "aaa.txt"
    evil_chat.write_text("04/09/2023, 08:00 - Jane Smith: " + "a" * 5000 + "!\n", encoding="utf-8")
    return {
        "group file: YAML aliases expanding hugely": (["scan", "--no-ner", ex, "--group", str(d / "laughs.yaml")],
                                                      [f"{d / 'laughs.yaml'}:2:", "aliases"]),
        "rules file: YAML aliases expanding hugely": (["scan", "--no-ner", ex, "--rules", str(d / "laughs.yaml")],
                                                      [f"{d / 'laughs.yaml'}:2:", "aliases"]),
        "group file: YAML nested 5,000 deep": (["group", "check", str(d / "deep.yaml")], ["nested more than"]),
        "rules file: catastrophic regex": (["scan", "--no-ner", str(evil_chat), "--rules", str(d / "evil.yaml")],
                                           [str(d / "evil.yaml"), "evil-regex", "took longer than"]),
        "rules file: unknown category": (["scan", "--no-ner", ex, "--rules", str(d / "gossip.yaml")],
                                         [f"{d / 'gossip.yaml'}:6:", "unknown category 'gossip'"]),
        "--only: unknown category": (["scan", "--no-ner", ex, "--only", "gossip"], ["unknown category 'gossip'"]),
        "group file: date that does not exist": (["scan", "--no-ner", ex, "--group", str(d / "group.yaml")],
                                                 [f"{d / 'group.yaml'}:4:", "2024-02-30"]),
        "--since: date that does not exist": (["report", "--no-ner", ex, "--since", "2024-02-30"], ["2024-02-30"]),
        "group file missing": (["scan", "--no-ner", ex, "--group", str(d / "nope.yaml")], ["not found"]),
        "group file is a folder": (["group", "check", str(d)], ["is a folder"]),
        "group file is an image": (["scan", "--no-ner", ex, "--group", str(d / "photo.yaml")], ["image"]),
        "rules file missing": (["rules", "test", str(d / "nope.yaml")], ["not found"]),
        "-o is the chat": (["report", "--no-ner", ex, "-o", ex], ["refusing to overwrite an input"]),
        "-o is the rules file": (["report", "--no-ner", ex, "--rules", str(d / "gossip.yaml"),
                                  "-o", str(d / "gossip.yaml")], ["refusing to overwrite an input"]),
        "-o is a folder": (["report", "--no-ner", ex, "-o", str(d)], ["is a folder"]),
    }


OTHER_CASES = ["group file: YAML aliases expanding hugely", "rules file: YAML aliases expanding hugely",
               "group file: YAML nested 5,000 deep", "rules file: catastrophic regex", "rules file: unknown category",
               "--only: unknown category", "group file: date that does not exist",
               "--since: date that does not exist", "group file missing", "group file is a folder",
               "group file is an image", "rules file missing", "-o is the chat", "-o is the rules file",
               "-o is a folder"]


@pytest.mark.parametrize("case", OTHER_CASES)
def test_bad_settings_one_line_exit_2(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv, words = _other_cases(tmp_path)[case]
    before = {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    rc, out, err = run(argv, capsys)
    assert rc == 2, err
    assert out == ""
    one_error_line(err, *words)
    assert {p: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_other_case_table_is_complete(tmp_path: Path) -> None:
    assert sorted(_other_cases(tmp_path)) == sorted(OTHER_CASES)
    doc = (ROOT / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    for case in OTHER_CASES:
        assert case in doc, f"docs/bad-inputs.md does not list {case!r}"


def test_rules_lint_finds_the_catastrophic_regex(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "evil.yaml"
    p.write_text(EVIL_RULES, encoding="utf-8")
    rc, out, _err = run(["rules", "lint", str(p)], capsys)
    assert rc == 1
    assert f"{p}:5:5: rule 'evil-regex'" in out and "backtracks catastrophically" in out


@pytest.mark.parametrize("what", ["group", "rules"])
def test_unreadable_settings_file(what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "locked.yaml"
    p.write_text("group: x\n", encoding="utf-8")
    real = Path.read_bytes

    def locked(self: Path) -> bytes:
        if self.name == "locked.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    argv = ["group", "check", str(p)] if what == "group" else ["rules", "test", str(p)]
    rc, _out, err = run(argv, capsys)
    assert rc == 2
    one_error_line(err, str(p), "Permission denied")


def test_unreadable_chat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "chat.txt"
    p.write_bytes(EXAMPLE.read_bytes())
    import builtins

    real = builtins.open

    def locked(file: object, *a: object, **k: object) -> object:
        if str(file) == str(p):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *a, **k)

    monkeypatch.setattr(builtins, "open", locked)
    rc, _out, err = run(["parse", str(p)], capsys)
    assert rc == 2
    one_error_line(err, str(p), "permission denied")


def test_output_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _out, err = run(["report", "--no-ner", "--no-cache", str(EXAMPLE), "-o", str(tmp_path / "no" / "r.html")],
                        capsys)
    assert rc == 2
    assert err.splitlines()[-1].startswith("wa-audit: error: ") and "does not exist" in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_full_disk_on_stdout_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        r = subprocess.run([*WA, "parse", str(EXAMPLE)], stdout=full, stderr=subprocess.PIPE, text=True)
    assert r.returncode == 2
    one_error_line(r.stderr, "No space left")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    r = subprocess.run([*WA, "--debug", "parse", str(tmp_path / "nope.txt")], capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" in r.stderr and "UserError" in r.stderr
    r = subprocess.run([*WA, "parse", str(tmp_path / "nope.txt")], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    one_error_line(r.stderr, "no such file")


# --------------------------------------------------------------------------- nothing given is modified

def test_no_command_modifies_its_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_bytes(EXAMPLE.read_bytes())
    z = make_zip(tmp_path / "chat.zip", {"_chat.txt": IOS.read_bytes()})
    group = tmp_path / "group.yaml"
    group.write_bytes(GROUP.read_bytes())
    rules = tmp_path / "rules.yaml"
    rules.write_text(EVIL_RULES.replace("(a+)+$", "shambles").replace('"aaa"', '"shambles"'), encoding="utf-8")
    inputs = [chat, z, group, rules]
    for p in inputs:
        os.utime(p, (1_600_000_000, 1_600_000_000))
    state = {p: (p.read_bytes(), p.stat().st_mtime, p.stat().st_mode) for p in inputs}
    out = tmp_path / "out"
    out.mkdir()
    for argv in (["parse", str(chat)], ["parse", str(z), "-f", "table"], ["group", "init", str(z)],
                 ["group", "check", str(group)], ["rules", "lint", str(rules)], ["rules", "test", str(rules)],
                 ["scan", "--no-ner", str(chat), "-g", str(group), "-r", str(rules), "--fail-on", "never"],
                 ["scan", "--no-ner", str(z), "-g", str(group), "-f", "json", "--fail-on", "never"],
                 ["report", "--no-ner", str(chat), "-g", str(group), "-o", str(out / "r.html"), "--fail-on", "never"],
                 ["report", "--no-ner", str(z), "-g", str(group), "-o", str(out / "r.csv"), "--redact",
                  "--fail-on", "never"]):
        assert main(argv) in (0, 1), argv
        capsys.readouterr()
    assert {p: (p.read_bytes(), p.stat().st_mtime, p.stat().st_mode) for p in inputs} == state
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chat.txt", "chat.zip", "group.yaml", "out", "rules.yaml"]
    assert sorted(p.name for p in out.iterdir()) == ["r.csv", "r.html"]
    assert all(p.stat().st_mode & 0o077 == 0 for p in out.iterdir())     # reports: owner only


# ------------------------------------------------------------------------- atomic writes and Ctrl-C

@pytest.mark.parametrize("name", ["report.html", "report.csv", "report.json"])   # csv, json: written streaming
def test_failed_render_leaves_the_old_report_and_no_temp_file(name: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / name
    out.write_text("the earlier report", encoding="utf-8")
    import whatsapp_audit.cli.report_cmd as rc_mod

    real_fdopen = os.fdopen

    class Boom(KeyboardInterrupt):
        pass

    def half(fd: int, *a: object, **k: object) -> object:
        f = real_fdopen(fd, *a, **k)
        write = f.write

        def write_half(text: str) -> int:
            write(text[: len(text) // 2])
            raise Boom()
        f.write = write_half  # type: ignore[method-assign]
        return f

    monkeypatch.setattr(rc_mod.os, "fdopen", half)
    rc = main(["report", "--no-ner", "--no-cache", str(EXAMPLE), "-o", str(out)])
    capsys.readouterr()
    assert rc == 130
    assert out.read_text(encoding="utf-8") == "the earlier report"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def _big_chat(path: Path, messages: int) -> Path:
    lines = []
    for i in range(messages):
        day, minute = 1 + (i // 1440) % 28, i % 1440
        lines.append(f"{day:02d}/09/2023, {minute // 60:02d}:{minute % 60:02d} - Jane Smith: message {i} "
                     "about the school trip on Friday and the PE kit\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _wait_for_cpu(pid: int, seconds: float, limit: float = 90) -> None:
    """Until process `pid` has used `seconds` of CPU (Linux /proc), or a plain sleep elsewhere."""
    stat = Path(f"/proc/{pid}/stat")
    if not stat.exists():
        time.sleep(seconds + 2)
        return
    tick = os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + limit
    while time.monotonic() < end:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        if (int(fields[11]) + int(fields[12])) / tick >= seconds:
            return
        time.sleep(0.2)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("command", ["report", "scan"])
def test_ctrl_c_leaves_no_half_written_report(command: str, tmp_path: Path) -> None:
    chat = _big_chat(tmp_path / "chat.txt", 60_000)
    out = tmp_path / ("report.html" if command == "report" else "scan.json")
    argv = [*WA, command, "--no-ner", "--no-cache", str(chat)]
    if command == "report":
        argv += ["-o", str(out)]
        stdout = subprocess.DEVNULL
    else:
        argv += ["--format", "json"]
        stdout = open(out, "w")  # noqa: SIM115 - the shell's `> scan.json`
    p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, text=True)
    _wait_for_cpu(p.pid, 4.0)                      # past start-up (about 2 s of CPU), into the scan
    assert p.poll() is None, "the scan finished before it could be interrupted: make the chat bigger"
    p.send_signal(signal.SIGINT)
    _out, err = p.communicate(timeout=60)
    if command == "scan":
        stdout.close()  # type: ignore[union-attr]
    assert p.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    if command == "report":
        assert sorted(x.name for x in tmp_path.iterdir()) == ["chat.txt"]    # no report, no temp file
    else:
        assert out.read_text(encoding="utf-8") == ""                        # nothing half-written


# ----------------------------------------------------------------------------------- hostile text

HOSTILE = ("04/09/2023, 08:00 - Tom [/]: vote tory \x1b[2J\x1b[31mred\x1b]52;c;ZXZpbA==\x07 and \x9b31m\n"
           "04/09/2023, 08:01 - [bold]Jane[/bold]: hi <script>alert(1)</script> =HYPERLINK(\"http://x\")\n"
           "14/09/2023, 08:02 - Priya Patel: fine\n")


def test_terminal_output_never_passes_control_codes_or_markup(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "chat[red].txt"
    p.write_text(HOSTILE, encoding="utf-8")
    for argv in (["scan", "--no-ner", "--no-cache", str(p), "--fail-on", "never"],
                 ["parse", "-f", "table", str(p)]):
        rc, out, err = run(argv, capsys)
        assert rc == 0, err
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
        assert "Traceback" not in err
    rc, out, _err = run(["scan", "--no-ner", "--no-cache", str(p), "--fail-on", "never"], capsys)
    assert "Tom [/]" in out and "[bold]Jane[/bold]" in out and "chat[red].txt" in out


def test_sha256_in_every_report_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sha = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    for argv in (["scan"], ["scan", "-f", "json"], ["report", "-f", "html"], ["report", "-f", "md"],
                 ["report", "-f", "csv"], ["report", "-f", "json"], ["report", "-f", "html", "--redact"]):
        rc, out, _err = run([*argv, "--no-ner", "--no-cache", str(EXAMPLE), "-g", str(GROUP), "--fail-on", "never"],
                            capsys)
        assert rc == 0
        assert sha in out, argv


def test_ctrl_c_while_the_command_line_is_still_loading_is_quiet(monkeypatch, capsys):
    import builtins

    import whatsapp_audit.__main__ as entry

    real = builtins.__import__

    def interrupted(name, *args, **kwargs):
        if name == "whatsapp_audit.cli":
            raise KeyboardInterrupt
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", interrupted)
    assert entry.main() == 130
    err = capsys.readouterr().err
    assert err == "wa-audit: interrupted\n"


def test_only_the_command_being_run_is_loaded_but_help_lists_every_command():
    import subprocess
    import sys

    probe = ("import sys; from whatsapp_audit.cli import _register; _register(sys.argv[1:]); "
             "print(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('whatsapp_audit.cli.') "
             "and m.endswith('_cmd')))")
    run = lambda *a: subprocess.run([sys.executable, "-c", probe, *a], capture_output=True, text=True,  # noqa: E731
                                    check=True).stdout.strip()
    assert run("--debug", "parse", "chat.txt") == "['parse_cmd']"
    every = run("--help")
    assert all(m in every for m in ("parse_cmd", "scan_cmd", "report_cmd", "rules_cmd", "group_cmd", "cache_cmd"))
    assert run("scna") == every          # a mistyped command gets click's "did you mean" over all of them


def test_kill_unwinds_a_big_scan_leaving_no_temporary_files(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    text = EXAMPLE.read_text(encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text(text * (3_000_000 // len(text) + 1), encoding="utf-8")     # over split.py's 2 MB
    private = tmp_path / "tmp"
    private.mkdir()
    env = dict(os.environ, TMPDIR=str(private))
    p = subprocess.Popen([sys.executable, "-m", "whatsapp_audit", "scan", str(big), "--no-cache", "--no-ner",
                          "-f", "json", "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.time() + 60
    while not any(private.iterdir()) and time.time() < deadline and p.poll() is None:
        time.sleep(0.05)                 # the split's temporary folder exists: the scan is under way
    assert p.poll() is None, p.stderr.read() if p.stderr else ""
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=60)
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    assert rc == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert list(private.iterdir()) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(("sig", "expected"),
                         [(signal.SIGTERM, "SystemExit 143"), (signal.SIGINT, "KeyboardInterrupt")])
def test_a_stop_landing_in_a_destructor_still_stops_the_run(sig: int, expected: str) -> None:
    # Python drops an exception raised inside __del__; Ctrl-C's KeyboardInterrupt or the SIGTERM handler's
    # SystemExit must not be lost there (it was, in the regex module's Group.__del__: the scan ran to the end).
    code = f"""
import os, signal, sys, time
import whatsapp_audit.__main__ as entry
signal.signal(signal.SIGTERM, entry._terminated)
entry._HANDLED.add(signal.SIGTERM)
sys.unraisablehook = entry._unraisable
class Victim:
    def __del__(self):
        os.kill(os.getpid(), {int(sig)})
try:
    Victim()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        sum(range(1000))
    print("ran on")
except SystemExit as e:
    print("SystemExit", e.code)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == expected, out.stderr


def test_interrupted_pool_start_kills_its_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stop that lands while the pool is starting (workers forked, its manager thread not yet started)
    # used to end as "internal error: cannot join thread before it is started" and could leave a worker.
    import multiprocessing
    from concurrent.futures import process

    from whatsapp_audit import batch
    from whatsapp_audit.rules.pack import load_pack

    def stopped(self: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(process._ExecutorManagerThread, "start", stopped)
    with pytest.raises(KeyboardInterrupt), batch.pool(2, load_pack(None), None) as ex:
        ex.submit(sum, [1, 2])
    assert multiprocessing.active_children() == []
    assert batch._PACK is None
