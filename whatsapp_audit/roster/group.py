"""The group file's data model (shape in ../shared/CONTRACT.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class Member:
    name: str
    phone: str | None = None
    role: str = "parent"            # class-rep | parent
    left: date | None = None


@dataclass(slots=True)
class Investigation:
    parties: list[str]
    opened: date
    closed: date | None = None      # still open when None


@dataclass(slots=True)
class School:
    name: str = "the school"
    escalation: str = "the Deputy Headteacher"
    appeal: str = "the Head Teacher"


@dataclass(slots=True)
class Group:
    name: str = ""
    members: list[Member] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    pupils: list[str] = field(default_factory=list)
    investigations: list[Investigation] = field(default_factory=list)
    school: School = field(default_factory=School)
    path: str | None = None


# The roster rule examples (`wa-audit rules test`) are judged against: synthetic people only.
EXAMPLE_GROUP = Group(
    name="Year 4 Oak Class Parents",
    members=[Member("Jane Smith", "+44 7700 900123", "class-rep"), Member("Tom Baker"),
             Member("Priya Patel"), Member("Example Parent"),
             Member("Dan Hughes", left=date(2024, 2, 1)), Member("Lee Carter")],
    staff=["Mrs Diver", "Mr Okafor"],
    pupils=["Sophie", "Jack", "Aarav", "Summer"],
    investigations=[Investigation(["Lee Carter"], opened=date(2024, 3, 1), closed=date(2024, 3, 15))],
)
