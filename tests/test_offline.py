"""Chats hold children's data: no code path may open a network connection.

Socket creation is blocked for the whole test session (not just connect; tests/conftest.py), then the CLI is
driven end to end on the bundled example: parse, scan with names (spaCy), report, in-process and as a real
process.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from whatsapp_audit.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHAT = str(ROOT / "examples" / "year4-oak-android.txt")
GROUP = str(ROOT / "examples" / "group.yaml")


@pytest.fixture
def no_network():
    """The session-wide guard (tests/conftest.py, tests/netguard.py) blocks internet sockets and name lookups
    for every test and fails any test that tries; here it is only checked to be in place."""
    import netguard

    assert socket.socket is netguard.GuardedSocket
    assert socket.create_connection.__name__ == "refuse" and socket.getaddrinfo.__name__ == "refuse"


@pytest.mark.parametrize("argv", [
    ["parse", CHAT, "--format", "jsonl"],
    ["scan", CHAT, "--group", GROUP, "--format", "json", "--fail-on", "never"],
    ["scan", CHAT, "--group", GROUP, "--fail-on", "never"],
    ["report", CHAT, "--group", GROUP, "--format", "html", "--fail-on", "never"],
    ["report", CHAT, "--group", GROUP, "--format", "csv", "--redact", "--fail-on", "never"],
    ["group", "init", CHAT],
    ["rules", "lint"],
    ["parse", CHAT, "--format", "table"],
    ["report", CHAT, "--group", GROUP, "--format", "md", "--fail-on", "never"],
    ["report", CHAT, "--group", GROUP, "--format", "json", "--fail-on", "never"],
    ["group", "check", GROUP],
    ["rules", "test"],
    ["rules", "list"],
])
def test_commands_never_touch_the_network(no_network, capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "network access attempted" not in out.err


# ------------------------------------------------------------------------------------------------------
# Session-wide: tests/conftest.py installs tests/netguard.py for every test and, through PYTHONPATH, in every
# Python subprocess, so any test that touches the network fails. Here: the guard itself is live, and the CLI
# as a real process (a fresh interpreter, so import-time network use would show too) runs end to end.

def test_the_guard_is_live_here_and_in_subprocesses(tmp_path):
    import subprocess
    import sys

    import netguard

    with pytest.raises(netguard.NetworkUsed):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)
    with pytest.raises(netguard.NetworkUsed):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    del netguard.attempts[-2:]              # the two attempts above were made on purpose
    _forget_log()
    code = "import socket\ntry:\n    socket.socket()\nexcept Exception as e:\n    print(type(e).__name__)\n"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "NetworkUsed"
    _forget_log()


def _forget_log():
    import os

    import conftest
    import netguard

    log = os.environ[netguard.ENV]
    conftest._checked["log"] = os.path.getsize(log) if os.path.exists(log) else 0
    conftest._checked["attempts"] = len(netguard.attempts)


@pytest.mark.parametrize("argv", [
    ["scan", CHAT, "--group", GROUP, "--format", "json", "--fail-on", "never"],          # with spaCy names
    ["report", str(ROOT / "examples" / "year4-oak-ios.txt"), "--group", GROUP, "--format", "md", "--redact",
     "--fail-on", "never"],
    ["rules", "test"],
])
def test_cli_as_a_real_process_never_touches_the_network(argv):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "whatsapp_audit", *argv], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "network access attempted" not in r.stderr and "NetworkUsed" not in r.stderr
    # (the autouse guard in conftest.py fails this test if the subprocess made any attempt)
