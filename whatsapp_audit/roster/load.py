"""Read and validate `group.yaml`; every problem is reported as `file:line:col: message`."""

from __future__ import annotations

from datetime import date
from typing import Any

from whatsapp_audit.errors import UserError
from whatsapp_audit.roster.group import Group, Investigation, Member, School
from whatsapp_audit.yamlpos import load_yaml, pos_of

TOP = {"group", "members", "staff", "pupils", "investigations", "school"}
MEMBER = {"name", "phone", "role", "left"}
INVESTIGATION = {"parties", "opened", "closed"}
SCHOOL = {"name", "escalation", "appeal"}
ROLES = {"class-rep", "parent"}


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, container: Any, key: Any, message: str) -> UserError:
        line, col = pos_of(container, key)
        return UserError(message, path=self.path, line=line, col=col)

    def mapping(self, data: Any, allowed: set[str], what: str, parent: Any = None, key: Any = None) -> dict:
        if not isinstance(data, dict):
            raise self.fail(parent if parent is not None else data, key, f"{what} must be a mapping")
        for k in data:
            if k not in allowed:
                line, col = getattr(data, "key_pos", {}).get(k, pos_of(data))
                raise UserError(f"unknown key '{k}' in {what} (allowed: {', '.join(sorted(allowed))})",
                                path=self.path, line=line, col=col)
        return data

    def strs(self, data: dict, key: str) -> list[str]:
        v = data.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str | int) for x in v):
            raise self.fail(data, key, f"'{key}' must be a list of names")
        return [str(x).strip() for x in v]

    def date(self, data: dict, key: str, required: bool = False) -> date | None:
        v = data.get(key)
        if v is None:
            if required:
                raise self.fail(data, None, f"missing '{key}' date (YYYY-MM-DD)")
            return None
        if isinstance(v, date):
            return v
        try:
            return date.fromisoformat(str(v))
        except ValueError:
            raise self.fail(data, key, f"'{key}' is not a real date: {v!r} (use YYYY-MM-DD)") from None


def load_group(path: str) -> Group:
    doc = load_yaml(path)
    c = _Checker(path)
    doc = c.mapping(doc if doc is not None else {}, TOP, "group file")
    members = []
    raw_members = doc.get("members") or []
    if not isinstance(raw_members, list):
        raise c.fail(doc, "members", "'members' must be a list")
    for i, m in enumerate(raw_members):
        if isinstance(m, str):
            members.append(Member(m.strip()))
            continue
        m = c.mapping(m, MEMBER, "member", raw_members, i)
        if not m.get("name"):
            raise c.fail(raw_members, i, "member without a 'name'")
        role = m.get("role", "parent")
        if role not in ROLES:
            raise c.fail(m, "role", f"unknown role {role!r} (class-rep or parent)")
        phone = m.get("phone")
        members.append(Member(str(m["name"]).strip(), str(phone) if phone is not None else None, role,
                              c.date(m, "left")))
    pupils = c.strs(doc, "pupils")
    member_names = {m.name.lower() for m in members}
    for i, p in enumerate(pupils):
        if p.lower() in member_names:
            raise c.fail(doc["pupils"], i, f"pupil {p!r} is also listed as a member; pupils are never members")
    invs = []
    raw_inv = doc.get("investigations") or []
    if not isinstance(raw_inv, list):
        raise c.fail(doc, "investigations", "'investigations' must be a list")
    for i, inv in enumerate(raw_inv):
        inv = c.mapping(inv, INVESTIGATION, "investigation", raw_inv, i)
        parties = c.strs(inv, "parties")
        if not parties:
            raise c.fail(raw_inv, i, "investigation without 'parties'")
        opened = c.date(inv, "opened", required=True)
        closed = c.date(inv, "closed")
        if opened and closed and closed < opened:
            raise c.fail(inv, "closed", "'closed' is before 'opened'")
        invs.append(Investigation(parties, opened, closed))  # type: ignore[arg-type]
    school = School()
    if doc.get("school") is not None:
        s = c.mapping(doc["school"], SCHOOL, "school", doc, "school")
        school = School(**{k: str(v) for k, v in s.items()})
    return Group(name=str(doc.get("group") or ""), members=members, staff=c.strs(doc, "staff"), pupils=pupils,
                 investigations=invs, school=school, path=path)
