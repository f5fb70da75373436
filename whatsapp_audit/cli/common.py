"""Steps several commands share: load the rules and the group file, check dates and categories."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import TYPE_CHECKING

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Severity

if TYPE_CHECKING:  # the rule engine's imports are heavy: only the commands that scan pay for them
    from whatsapp_audit.results import ScanResult
    from whatsapp_audit.roster.group import Group
    from whatsapp_audit.rules.pack import RulePack


def categories(values: list[str] | None, option: str) -> list[str]:
    out = []
    for v in values or []:
        for c in v.split(","):
            c = c.strip()
            if c and c not in CATEGORIES:
                raise UserError(f"{option}: unknown category {c!r}", hint="one of: " + ", ".join(CATEGORIES))
            if c:
                out.append(c)
    return out


def iso_date(value: str | None, option: str) -> str | None:
    """Validate a --since/--until value (YYYY-MM-DD or YYYY-MM-DDTHH:MM) and return it as an ISO prefix."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value).isoformat()
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise UserError(f"{option}: {value!r} is not a real date", hint="use YYYY-MM-DD") from None


def rules(paths: list[str] | None) -> RulePack:
    from whatsapp_audit.rules.pack import load_pack

    return load_pack(paths or None)


def group(path: str | None) -> Group | None:
    if path is None:
        return None
    from whatsapp_audit.roster.load import load_group

    return load_group(path)


def note(text: str) -> None:
    print(f"wa-audit: note: {text}", file=sys.stderr)


def exit_code(result: ScanResult, fail_on: str) -> int:
    if fail_on == "never":
        return 0
    worst = result.worst()
    return 1 if worst is not None and worst >= Severity[fail_on] else 0
