"""Chats hold children's data: no code path may open a network connection.

Socket creation is blocked for the whole of these runs (not just connect), then the CLI is driven end to
end on the bundled example: parse, scan with names (spaCy), report in every format.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from whatsapp_audit.cli import main

ROOT = Path(__file__).resolve().parents[1]
CHAT = str(ROOT / "examples" / "year4-oak-android.txt")
GROUP = str(ROOT / "examples" / "group.yaml")


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: socket{args}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.parametrize("argv", [
    ["parse", CHAT, "--format", "jsonl"],
    ["scan", CHAT, "--group", GROUP, "--format", "json", "--fail-on", "never"],
    ["scan", CHAT, "--group", GROUP, "--fail-on", "never"],
    ["report", CHAT, "--group", GROUP, "--format", "html", "--fail-on", "never"],
    ["report", CHAT, "--group", GROUP, "--format", "csv", "--redact", "--fail-on", "never"],
    ["group", "init", CHAT],
    ["rules", "lint"],
])
def test_commands_never_touch_the_network(no_network, capsys, argv):
    assert main(argv) == 0
    out = capsys.readouterr()
    assert "network access attempted" not in out.err
