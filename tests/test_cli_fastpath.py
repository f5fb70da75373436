"""`wa-audit parse` without typer (whatsapp_audit/__main__.py) behaves exactly like the full command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from whatsapp_audit.__main__ import plain_parse

FIXTURES = Path(__file__).parent / "fixtures" / "parse"
ENTRY = "import sys; from whatsapp_audit.__main__ import main; sys.argv[0] = 'wa-audit'; sys.exit(main())"
FULL = "import sys; from whatsapp_audit.cli import main; sys.argv[0] = 'wa-audit'; sys.exit(main())"


def run(code: str, *args: str, stdin: bytes | None = None) -> tuple[int, bytes, bytes]:
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, input=stdin)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize(("args", "want"), [
    (["parse", "chat.txt"], ("chat.txt", "jsonl", "auto")),
    (["parse", "-", "--format", "table"], ("-", "table", "auto")),
    (["parse", "--date-order", "mdy", "chat.txt", "-f", "jsonl"], ("chat.txt", "jsonl", "mdy")),
    (["parse"], None),
    (["parse", "chat.txt", "--help"], None),
    (["parse", "chat.txt", "--format", "JSONL"], None),      # typer takes it, and says so if wrong
    (["parse", "a.txt", "b.txt"], None),
    (["parse", "chat.txt", "--date-order"], None),
    (["--debug", "parse", "chat.txt"], None),
    (["scan", "chat.txt"], None),
])
def test_only_plain_parse_command_lines_take_the_fast_path(args, want):
    assert plain_parse(args) == want


@pytest.mark.parametrize("args", [
    ["parse", str(FIXTURES / "android-gb.txt")],
    ["parse", str(FIXTURES / "ios-gb.txt"), "--date-order", "dmy"],
    ["parse", str(FIXTURES / "android-us.txt"), "-f", "table"],
    ["parse", str(FIXTURES / "missing.txt")],
    ["parse", str(FIXTURES)],
    ["parse", str(Path(__file__))],                          # not an export
])
def test_fast_path_prints_and_exits_like_the_full_command_line(args):
    fast = run(ENTRY, *args)
    assert fast == run(FULL, *args)
    assert fast[0] in (0, 2)


def test_stdin_and_no_typer_on_the_fast_path():
    data = (FIXTURES / "android-gb.txt").read_bytes()
    probe = ENTRY.replace("sys.exit(main())", "rc = main(); print('typer' in sys.modules, file=sys.stderr); "
                                              "sys.exit(rc)")
    rc, out, err = run(probe, "parse", "-", stdin=data)
    assert rc == 0 and out == run(FULL, "parse", "-", stdin=data)[1]
    assert err.decode().strip().endswith("False")
