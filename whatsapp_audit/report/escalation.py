"""The policy's escalation pathway, worded with the school's own names from group.yaml (`school:`).

Policy, "Safe Space of Groups and Escalation Pathway": a concern goes first to the PTA class rep for local
resolution; otherwise the deputy head investigates within two weeks and feeds back to all parties
(outcomes include a caution or exclusion from the group); parties to an open investigation must not post,
or the class rep removes them while it is investigated; an appeal goes to the Head Teacher.
"""

from __future__ import annotations

from dataclasses import dataclass

from whatsapp_audit.model import Finding, Severity
from whatsapp_audit.roster.group import Group, School

LOCAL, INVESTIGATE, REMOVE = "local resolution", "investigation", "removal"


@dataclass(frozen=True, slots=True)
class Step:
    stage: str      # LOCAL | INVESTIGATE | REMOVE
    text: str


@dataclass(frozen=True, slots=True)
class Pathway:
    school: School
    rep: str        # who resolves locally: the class rep(s) named in group.yaml, or "the PTA class rep"

    @classmethod
    def from_group(cls, group: Group | None) -> Pathway:
        if group is None:
            return cls(School(), "the PTA class rep")
        reps = [m.name for m in group.members if m.role == "class-rep"]
        rep = "the PTA class rep" if not reps else "the PTA class rep (" + ", ".join(reps) + ")"
        return cls(group.school, rep)

    @property
    def investigation(self) -> str:
        who = self.school.escalation + ("," if "," in self.school.escalation else "")
        return (f"{who} investigates within two weeks and feeds back to all parties "
                f"(outcomes include a caution, or temporary or indefinite exclusion from the group)")

    def stages(self) -> list[tuple[str, str]]:
        """The whole pathway, in order, for the report's overview."""
        s = self.school
        return [
            ("Local resolution", f"A concern is raised first with {self.rep}, who resolves it informally and "
                                 "quickly with the member (for example by asking for the post to be deleted)."),
            ("Investigation", f"If local resolution does not settle it, {self.investigation}."),
            ("During an investigation", "Parties to an open investigation must not post in the group; "
                                        f"if they do, {self.rep} removes them while it is investigated."),
            ("Removal", f"Following the investigation {self.rep} may be required to exclude a party from the "
                        "group temporarily or indefinitely (an indefinite exclusion extends beyond the "
                        "academic year)."),
            ("Appeal", f"A party still dissatisfied may appeal to {s.appeal}, whose decision is final."),
        ]

    @property
    def escalate(self) -> str:
        return f"if that does not resolve it, escalate to {self.school.escalation} (investigates within two weeks)"

    def next_step(self, f: Finding) -> Step:
        """The next step on the pathway for one finding."""
        who = f.member or "the member"
        if f.category == "investigation-posting":
            return Step(REMOVE, f"{who} is a party to an open investigation and must not post: {self.rep} "
                                f"removes them from the group while it is investigated, and informs "
                                f"{self.school.escalation}.")
        if f.category == "membership":
            return Step(REMOVE, f"The group must include only current class parents: {self.rep} removes "
                                f"{who} from the group (or confirms with {self.school.name} that they belong).")
        if f.category == "media":
            return Step(LOCAL, f"{self.rep} checks the posted media with {who} and has it deleted if it shows "
                               f"pupils; {self.escalate}.")
        if f.severity >= Severity.breach:
            return Step(INVESTIGATE, f"Report to {self.school.escalation}, who investigates within two weeks and "
                                     f"feeds back to all parties (possible outcomes: a caution, or exclusion from "
                                     f"the group); appeal to {self.school.appeal}.")
        return Step(LOCAL, f"{self.rep} resolves it locally with {who}, for example by asking for the post to be "
                           f"deleted; {self.escalate}.")
