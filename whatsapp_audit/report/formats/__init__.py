"""Output formats. Each module renders a ScanResult to text; `--format` choices come from these enums."""

from __future__ import annotations

from enum import StrEnum


class ScanFormat(StrEnum):
    text = "text"
    json = "json"
