"""Helpers for engine tests: write a rule pack into a folder and run messages through it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from whatsapp_audit.model import Finding, Message
from whatsapp_audit.roster.group import Group
from whatsapp_audit.rules.engine import Engine
from whatsapp_audit.rules.interface import Context
from whatsapp_audit.rules.pack import RulePack, load_pack

CLEAN = {"clean": ["Reminder: PE kit tomorrow"]}


def write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return p


def pack_from(tmp: Path, text: str, strict: bool = True) -> RulePack:
    return load_pack([str(write(tmp, "rules.yaml", text))], strict=strict)


def msgs(*items: str | tuple[str, str] | dict, start_minute: int = 0, gap: int = 1) -> list[Message]:
    """Messages from strings, (author, text) pairs or Message field dicts, a minute apart."""
    out = []
    for i, item in enumerate(items):
        d: dict = {"author": "Jane Smith", "kind": "text"}
        if isinstance(item, str):
            d["text"] = item
        elif isinstance(item, tuple):
            d["author"], d["text"] = item
        else:
            d.update(item)
            d.setdefault("text", "")
        minute = start_minute + i * gap
        d["timestamp"] = f"2024-03-04T{19 + minute // 60:02d}:{minute % 60:02d}:00"
        out.append(Message(index=i, line=i + 1, **d))
    return out


def scan(pack: RulePack, messages: list[Message], group: Group | None = None) -> list[Finding]:
    return list(Engine(pack, Context(group=group)).scan(messages))
