"""Read and validate `group.yaml`; every problem is reported as `file:line:col: message`.

Checked: the shape (unknown keys, lists, mappings), real dates (YYYY-MM-DD), roles, phone numbers,
duplicate members, pupils listed as members, investigations (parties who are members, `closed` not before
`opened`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from whatsapp_audit.errors import UserError
from whatsapp_audit.roster.group import Group, Investigation, Member, School
from whatsapp_audit.roster.match import norm_name, norm_phone
from whatsapp_audit.yamlpos import load_yaml, pos_of

TOP = {"group", "members", "staff", "pupils", "investigations", "school"}
MEMBER = {"name", "phone", "role", "left"}
INVESTIGATION = {"parties", "opened", "closed"}
SCHOOL = {"name", "escalation", "appeal"}
ROLES = {"class-rep", "parent"}


class _Checker:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, container: Any, key: Any, message: str, hint: str | None = None) -> UserError:
        line, col = pos_of(container, key)
        return UserError(message, path=self.path, line=line, col=col, hint=hint)

    def mapping(self, data: Any, allowed: set[str], what: str, parent: Any = None, key: Any = None) -> dict:
        if not isinstance(data, dict):
            raise self.fail(parent if parent is not None else data, key, f"{what} must be a mapping")
        for k in data:
            if k not in allowed:
                line, col = getattr(data, "key_pos", {}).get(k, pos_of(data))
                raise UserError(f"unknown key '{k}' in {what} (allowed: {', '.join(sorted(allowed))})",
                                path=self.path, line=line, col=col)
        return data

    def text(self, data: dict, key: str, what: str) -> str | None:
        v = data.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise self.fail(data, key, f"{what} must be text")
        return str(v).strip()

    def strs(self, data: dict, key: str) -> list[str]:
        v = data.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str | int) and not isinstance(x, bool) for x in v):
            raise self.fail(data, key, f"'{key}' must be a list of names", hint=f"e.g. {key}: [Sophie, Jack]")
        out = [str(x).strip() for x in v]
        for i, x in enumerate(out):
            if not x:
                raise self.fail(v, i, f"empty name in '{key}'")
        return out

    def date(self, data: dict, key: str, required: bool = False) -> date | None:
        v = data.get(key)
        if v is None:
            if required:
                raise self.fail(data, None, f"missing '{key}' date (YYYY-MM-DD)")
            return None
        if isinstance(v, datetime):
            return v.date()
        if isinstance(v, date):
            return v
        try:
            return date.fromisoformat(str(v).strip())
        except ValueError:
            raise self.fail(data, key, f"'{key}' is not a real date: {v!r}", hint="use YYYY-MM-DD") from None


def load_group(path: str) -> Group:
    doc = load_yaml(path)
    c = _Checker(path)
    doc = c.mapping(doc if doc is not None else {}, TOP, "group file")
    members: list[Member] = []
    raw_members = doc.get("members") or []
    if not isinstance(raw_members, list):
        raise c.fail(doc, "members", "'members' must be a list", hint="members: [{name: Jane Smith}, ...]")
    seen: dict[str, int] = {}
    phones: dict[str, int] = {}
    for i, m in enumerate(raw_members):
        if isinstance(m, str | int) and not isinstance(m, bool):
            member = Member(str(m).strip())
        else:
            m = c.mapping(m, MEMBER, "member", raw_members, i)
            name = c.text(m, "name", "'name'")
            if not name:
                raise c.fail(raw_members, i, "member without a 'name'", hint="the name as the export shows it")
            role = m.get("role", "parent")
            if role not in ROLES:
                raise c.fail(m, "role", f"unknown role {role!r} (class-rep or parent)")
            phone = c.text(m, "phone", "'phone'")
            if phone is not None and norm_phone(phone) is None:
                raise c.fail(m, "phone", f"'phone' is not a phone number: {phone!r}",
                             hint='quote it, e.g. phone: "+44 7700 900123"')
            member = Member(name, phone, role, c.date(m, "left"))
        if not member.name:
            raise c.fail(raw_members, i, "member without a name")
        key = norm_name(member.name)
        if key in seen:
            raise c.fail(raw_members, i, f"member {member.name!r} is listed twice (also item {seen[key] + 1})")
        seen[key] = i
        for p in (member.phone, member.name):
            ph = norm_phone(p) if p else None
            if ph and ph in phones and phones[ph] != i:
                raise c.fail(raw_members, i, f"phone number of {member.name!r} is also member "
                                             f"{phones[ph] + 1}'s")
            if ph:
                phones[ph] = i
        members.append(member)
    pupils = c.strs(doc, "pupils")
    single = {norm_name(m.name) for m in members}
    for i, p in enumerate(pupils):
        if norm_name(p) in single:
            raise c.fail(doc["pupils"], i, f"pupil {p!r} is also listed as a member; pupils are never members",
                         hint="remove the pupil from members (list the parent as the export shows them)")
    staff = c.strs(doc, "staff")
    invs = []
    raw_inv = doc.get("investigations") or []
    if not isinstance(raw_inv, list):
        raise c.fail(doc, "investigations", "'investigations' must be a list")
    by_phone = {norm_phone(p): m for m in members for p in (m.phone, m.name) if p and norm_phone(p)}
    for i, inv in enumerate(raw_inv):
        inv = c.mapping(inv, INVESTIGATION, "investigation", raw_inv, i)
        parties = c.strs(inv, "parties")
        if not parties:
            raise c.fail(raw_inv, i, "investigation without 'parties'")
        for j, party in enumerate(parties):
            ph = norm_phone(party)
            if norm_name(party) not in seen and not (ph and ph in by_phone):
                raise c.fail(inv["parties"], j, f"investigation party {party!r} is not a member",
                             hint="write the name exactly as under members")
        opened = c.date(inv, "opened", required=True)
        closed = c.date(inv, "closed")
        if opened and closed and closed < opened:
            raise c.fail(inv, "closed", "'closed' is before 'opened'")
        invs.append(Investigation(parties, opened, closed))  # type: ignore[arg-type]
    school = School()
    if doc.get("school") is not None:
        s = c.mapping(doc["school"], SCHOOL, "school", doc, "school")
        school = School(**{k: str(v) for k, v in s.items() if v is not None})
    name = doc.get("group")
    if name is not None and not isinstance(name, str | int | float):
        raise c.fail(doc, "group", "'group' must be the group's name")
    return Group(name=str(name or "").strip(), members=members, staff=staff, pupils=pupils,
                 investigations=invs, school=school, path=path)
