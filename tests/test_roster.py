"""The roster: group.yaml loading and its errors, name/phone matching, membership and investigation checks."""

from __future__ import annotations

import textwrap
from datetime import date

import pytest
from rulekit import msgs, scan

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Message
from whatsapp_audit.roster.group import Group, Investigation, Member
from whatsapp_audit.roster.load import load_group
from whatsapp_audit.roster.match import RosterIndex, active, norm_name, norm_phone
from whatsapp_audit.rules.pack import default_pack_dir, load_pack

GOOD = """\
group: Year 4 Oak Class Parents
members:
  - name: Jane Smith
    phone: "+44 7700 900123"
    role: class-rep
  - {name: Tom Baker, left: 2024-02-01}
  - "+44 7700 900456"
  - Priya Patel
staff: [Mrs Diver, Mr Okafor]
pupils: [Sophie, Jack]
investigations:
  - {parties: [Tom Baker], opened: 2024-01-10, closed: 2024-01-24}
  - {parties: ["07700 900456"], opened: 2024-03-01}
school:
  name: St Elizabeth's
"""


def write(tmp_path, text: str) -> str:
    p = tmp_path / "group.yaml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(p)


def test_loads_the_contract_shape(tmp_path):
    g = load_group(write(tmp_path, GOOD))
    assert g.name == "Year 4 Oak Class Parents"
    assert [m.name for m in g.members] == ["Jane Smith", "Tom Baker", "+44 7700 900456", "Priya Patel"]
    assert g.members[0].role == "class-rep" and g.members[1].left == date(2024, 2, 1)
    assert g.investigations[0].closed == date(2024, 1, 24) and g.investigations[1].closed is None
    assert g.staff == ["Mrs Diver", "Mr Okafor"] and g.pupils == ["Sophie", "Jack"]
    assert g.school.name == "St Elizabeth's"


@pytest.mark.parametrize("text, line, words", [
    ("group: x\nmembres: []\n", 2, "unknown key 'membres'"),
    ("members:\n  - {name: A, left: 2024-02-30}\n", 2, "not a real date"),
    ("members:\n  - {name: A, left: 01/02/2024}\n", 2, "not a real date"),
    ("members:\n  - {name: Jack}\npupils: [Sophie, jack]\n", 3, "pupil 'jack' is also listed as a member"),
    ("members:\n  - {name: A}\n  - {name: B}\n  - {name: a}\n", 4, "listed twice"),
    ("members:\n  - {name: A, phone: call me}\n", 2, "not a phone number"),
    ("members:\n  - {name: A, phone: '07700 900123'}\n  - {name: '+447700900123'}\n", 3, "phone number"),
    ("members:\n  - {name: A, role: admin}\n", 2, "unknown role"),
    ("members:\n  - {name: A, colour: red}\n", 2, "unknown key 'colour' in member"),
    ("members:\n  - {name: A}\ninvestigations:\n  - {parties: [B], opened: 2024-01-01}\n", 4, "not a member"),
    ("members:\n  - {name: A}\ninvestigations:\n  - {parties: [A], closed: 2024-01-01}\n", 4, "missing 'opened'"),
    ("members:\n  - {name: A}\ninvestigations:\n  - {parties: [A], opened: 2024-02-01, closed: 2024-01-01}\n",
     4, "'closed' is before 'opened'"),
    ("staff: Mrs Diver\n", 1, "must be a list of names"),
    ("members: Jane\n", 1, "'members' must be a list"),
])
def test_errors_name_the_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(UserError) as e:
        load_group(path)
    assert words in str(e.value)
    assert str(e.value).startswith(f"{path}:{line}:")


def test_datetimes_become_dates(tmp_path):
    g = load_group(write(tmp_path, "members:\n  - {name: A, left: 2024-02-01 10:00:00}\n"))
    assert g.members[0].left == date(2024, 2, 1)


@pytest.mark.parametrize("raw, want", [
    ("+44 7700 900123", "07700900123"), ("07700 900123", "07700900123"), ("+447700900123", "07700900123"),
    ("+44 (0)7700 900 123", "07700900123"), ("0044 7700 900123", "07700900123"), ("447700900123", "07700900123"),
    ("\u202a+44 7700 900123\u202c", "07700900123"), ("+1 555 010 0000", "+15550100000"), ("Jane", None),
    ("12", None),
])
def test_phone_normalisation(raw, want):
    assert norm_phone(raw) == want


def test_roster_index_matches_names_and_numbers():
    g = Group(members=[Member("Jane Smith", "+44 7700 900123"), Member("+44 7700 900456"), Member("Zoë Ní Bhriain")],
              staff=["Mrs Diver", "Jo Adams"], pupils=["Sophie B", "Jack"])
    idx = RosterIndex.build(g)
    assert idx.member("jane  smith").name == "Jane Smith"
    assert idx.member("07700 900123").name == "Jane Smith"
    assert idx.member("\u202a+44 7700 900 456\u202c").name == "+44 7700 900456"
    assert idx.member("Zoe Ni Bhriain") is not None
    assert idx.member("Tom Baker") is None
    assert {"jane", "smith", "zoe"} <= idx.member_words
    assert {"diver", "jo", "adams"} <= idx.staff_words and idx.staff_initials == {"d"}
    assert idx.pupils == {"sophie": "Sophie B", "jack": "Jack"}
    assert norm_name(" Jane\u200e  SMITH ") == "jane smith"


def test_investigation_dates_are_inclusive_and_open_ended():
    inv = Investigation(["A"], date(2024, 1, 10), date(2024, 1, 24))
    assert not active(inv, date(2024, 1, 9))
    assert active(inv, date(2024, 1, 10)) and active(inv, date(2024, 1, 24))
    assert not active(inv, date(2024, 1, 25))
    assert active(Investigation(["A"], date(2024, 1, 10)), date(2030, 1, 1))


# --- membership and investigation rules ---------------------------------------------------------------

GROUP = Group(
    name="Year 4 Oak",
    members=[Member("Jane Smith", "+44 7700 900123", "class-rep"), Member("Tom Baker", left=date(2024, 3, 1)),
             Member("+44 7700 900456"), Member("Priya Patel", left=date(2024, 3, 10))],
    investigations=[Investigation(["Jane Smith"], date(2024, 3, 4), date(2024, 3, 4)),
                    Investigation(["+44 7700 900456"], date(2024, 3, 1))],
)


@pytest.fixture(scope="module")
def pack():
    return load_pack([str(default_pack_dir() / "membership.yaml"),
                      str(default_pack_dir() / "investigation-posting.yaml")])


def system(event: str, actor: str | None = None, target: str | None = None) -> dict:
    text = {"added": f"{actor} added {target}", "removed": f"{actor} removed {target}", "left": f"{actor} left",
            "joined": f"{actor} joined using this group's invite link"}[event]
    return {"kind": "system", "author": None, "text": text, "event": event, "actor": actor, "target": target}


def findings(pack, *items, group=GROUP):
    return [(f.rule, f.message.index if f.message is not None else None, f.subject)
            for f in scan(pack, msgs(*items), group)]


def test_posts_by_people_not_on_the_roster(pack):
    got = findings(pack, ("Jane Smith", "hi"), ("jane smith", "hi"), ("07700 900123", "hi"),
                   ("+44 7700 900 456", "hi"), ("Mick Fletcher", "Grace's grandad here"),
                   {"author": "Mick Fletcher", "kind": "deleted", "text": ""})
    assert [g for g in got if g[0] == "membership-not-on-roster"] == \
        [("membership-not-on-roster", 4, None), ("membership-not-on-roster", 5, None)]


def test_posts_after_leaving_and_members_left_in_the_group(pack):
    # msgs() dates every message 2024-03-04: Tom left the class on 03-01, Priya leaves on 03-10.
    got = findings(pack, system("added", "Jane Smith", "Tom Baker"), system("added", "Jane Smith", "Priya Patel"),
                   ("Tom Baker", "still here"), ("Priya Patel", "hello"))
    left = [g for g in got if g[0] == "membership-left-class"]
    assert ("membership-left-class", 2, None) in left
    assert ("membership-left-class", 3, None) not in left
    # At the end Tom (left 03-01) is still in the group: a finding with no message, about him.
    assert ("membership-left-class", None, "Tom Baker") in left
    # Priya is marked as left too (later): still in the group at the end is still a finding.
    assert ("membership-left-class", None, "Priya Patel") in left


def test_members_removed_or_gone_are_not_still_in_the_group(pack):
    got = findings(pack, system("added", "Jane Smith", "Tom Baker"), ("Tom Baker", "bye"),
                   system("removed", "Jane Smith", "Tom Baker"), system("left", "Priya Patel"))
    assert [g for g in got if g[1] is None] == []
    # added again after being removed: in the group again
    got = findings(pack, system("removed", "Jane Smith", "Tom Baker"), system("added", "Jane Smith", "Tom Baker"))
    assert ("membership-left-class", None, "Tom Baker") in got


def test_silent_people_not_on_the_roster_left_in_the_group(pack):
    got = findings(pack, system("added", "Jane Smith", "Dave Rooney, Sam Hill and +44 7700 900999"),
                   ("Sam Hill", "hi"), system("removed", "Jane Smith", "+44 7700 900999"))
    ends = [g for g in got if g[1] is None]
    # Sam posted (a finding per post already); the number was removed; Dave is silently still there.
    assert ends == [("membership-not-on-roster", None, "Dave Rooney")]


def test_investigation_parties_must_not_post_while_it_is_open(pack):
    got = findings(pack, ("Jane Smith", "hi"), ("07700900456", "anyone?"),
                   {"author": "+44 7700 900456", "kind": "media", "media": "image", "text": ""},
                   ("Tom Baker", "hi"))
    inv = [g[1] for g in got if g[0] == "investigation-posting"]
    assert inv == [0, 1, 2]


def test_investigation_outside_its_dates(pack):
    g = Group(members=[Member("Jane Smith")],
              investigations=[Investigation(["Jane Smith"], date(2024, 1, 1), date(2024, 3, 3))])
    assert [x for x in findings(pack, ("Jane Smith", "hi"), group=g) if x[0] == "investigation-posting"] == []


def test_without_a_group_the_roster_checks_are_skipped(pack):
    assert findings(pack, ("Mick Fletcher", "hi"), system("added", "A", "B"), group=None) == []


def test_membership_explanations(pack):
    out = scan(pack, msgs(("Mick Fletcher", "hi"), ("Tom Baker", "hi")), GROUP)
    text = {f.rule: f.explanation for f in out if f.message is not None}
    assert "Mick Fletcher is not on the class roster" in text["membership-not-on-roster"]
    assert "left the class on 2024-03-01 but posted on 2024-03-04" in text["membership-left-class"]
    assert all(isinstance(f.message, Message | None) for f in out)
