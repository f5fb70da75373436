"""`--format json`: the scan contract (../shared/CONTRACT.md) plus the pack and tool versions."""

from __future__ import annotations

import json

from whatsapp_audit.results import ScanResult


def render(result: ScanResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n"
