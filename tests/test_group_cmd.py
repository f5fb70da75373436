"""`wa-audit group init` (draft a roster from a chat) and `wa-audit group check`."""

from __future__ import annotations

import pytest
import yaml

from whatsapp_audit.cli import main
from whatsapp_audit.model import Message
from whatsapp_audit.roster.draft import draft_group, yaml_str
from whatsapp_audit.roster.load import load_group


def m(i: int, when: str, author: str | None, text: str, kind: str = "text", **kw) -> Message:
    return Message(index=i, line=i + 1, timestamp=when, author=author, text=text, kind=kind, **kw)


def sys_(i: int, when: str, text: str, event: str, actor: str | None = None, target: str | None = None) -> Message:
    return m(i, when, None, text, "system", event=event, actor=actor, target=target)


CHAT = [
    sys_(0, "2023-09-04T08:00:00", 'Jane Smith created group "Year 4 Oak Class Parents"', "created", "Jane Smith"),
    sys_(1, "2023-09-04T08:01:00", "Jane Smith added Tom Baker", "added", "Jane Smith", "Tom Baker"),
    sys_(2, "2023-09-04T08:01:00", "Jane Smith added +44 7700 900456 and Priya Patel", "added", "Jane Smith",
         "+44 7700 900456 and Priya Patel"),
    m(3, "2023-09-04T08:12:00", "Jane Smith", "Morning all! Mrs Diver says water bottles too."),
    m(4, "2023-09-04T08:15:00", "Tom Baker", "Sophie forgot her kit again, Mr Okafor was not impressed"),
    m(5, "2023-09-05T09:00:00", "+44 7700 900456", "Well done Sophie! Mrs Diver said it was great"),
    sys_(6, "2023-09-06T09:00:00", "Sam Hill joined using this group's invite link", "joined", "Sam Hill"),
    m(7, "2024-02-03T09:00:00", "Tom Baker", "Still here, just lurking"),
    sys_(8, "2024-02-03T09:05:00", "Jane Smith removed Tom Baker", "removed", "Jane Smith", "Tom Baker"),
    sys_(9, "2024-02-04T10:00:00", "Priya Patel left", "left", "Priya Patel"),
    sys_(10, "2024-02-05T10:00:00", 'Jane Smith changed the subject to "Y4 Oak: Yes: No"', "subject", "Jane Smith"),
]


def test_draft_lists_members_in_the_group_and_comments_out_those_gone(tmp_path):
    text = draft_group(CHAT, source="chat.txt")
    p = tmp_path / "group.yaml"
    p.write_text(text, encoding="utf-8")
    g = load_group(str(p))                        # the draft is a valid group file as it stands
    assert g.name == "Y4 Oak: Yes: No"
    assert [x.name for x in g.members] == ["Jane Smith", "+44 7700 900456", "Sam Hill"]
    jane, number, _ = g.members
    assert jane.role == "class-rep"
    assert number.phone == "+44 7700 900456"
    assert g.staff[:2] == ["Mrs Diver", "Mr Okafor"]
    assert g.pupils == [] and g.investigations == []
    # Tom was removed and Priya left: listed commented out, with the date to use as `left:`
    assert "# - name: Tom Baker    # removed by Jane Smith on 2024-02-03" in text
    assert "#   left: 2024-02-03" in text
    assert "# - name: Priya Patel    # left the group on 2024-02-04" in text
    # children the chat names are suggested, in a comment only
    assert "Sophie" in text and "pupils: []" in text
    assert "joined with the invite link on 2023-09-06" in text


def test_draft_uncommented_is_still_valid(tmp_path):
    text = draft_group(CHAT, source="chat.txt").replace("  # - name: Tom Baker", "  - name: Tom Baker") \
        .replace("  #   left: 2024-02-03", "    left: 2024-02-03")
    p = tmp_path / "group.yaml"
    p.write_text(text, encoding="utf-8")
    g = load_group(str(p))
    tom = next(x for x in g.members if x.name == "Tom Baker")
    assert str(tom.left) == "2024-02-03"


def test_draft_of_an_empty_chat_is_valid(tmp_path):
    p = tmp_path / "group.yaml"
    p.write_text(draft_group([], source="empty.txt"), encoding="utf-8")
    assert load_group(str(p)).members == []


@pytest.mark.parametrize("value", ["Jane Smith", "+44 7700 900123", "yes", "Mrs O'Neill", "a: b", "x #y", "Zoë",
                                   "Year 1 Willow 24/25", "null"])
def test_yaml_str_round_trips(value):
    assert yaml.safe_load(f"k: {yaml_str(value)}")["k"] == value


CHAT_TXT = """\
04/09/2023, 08:00 - Jane Smith created group "Year 4 Oak Class Parents"
04/09/2023, 08:01 - Jane Smith added Tom Baker
04/09/2023, 08:12 - Jane Smith: Morning all! Mrs Diver says water bottles too.
04/09/2023, 08:15 - Tom Baker: Jack forgot his kit again
03/02/2024, 09:05 - Jane Smith removed Tom Baker
"""


def test_cli_group_init_prints_a_draft(tmp_path, capsys):
    pytest.importorskip("whatsapp_audit.parse")
    chat = tmp_path / "chat.txt"
    chat.write_text(CHAT_TXT, encoding="utf-8")
    assert main(["group", "init", str(chat)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# group.yaml for wa-audit")
    p = tmp_path / "group.yaml"
    p.write_text(out, encoding="utf-8")
    g = load_group(str(p))
    assert [x.name for x in g.members] == ["Jane Smith"] and g.name == "Year 4 Oak Class Parents"
    assert main(["group", "check", str(p)]) == 0
    assert "ok: Year 4 Oak Class Parents: 1 members" in capsys.readouterr().out


def test_cli_group_init_unreadable_chat_exits_2(tmp_path, capsys):
    pytest.importorskip("whatsapp_audit.parse")
    assert main(["group", "init", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err


def test_cli_group_check_reports_file_line(tmp_path, capsys):
    p = tmp_path / "group.yaml"
    p.write_text("group: x\nmembers:\n  - {name: A, left: 2024-13-01}\n", encoding="utf-8")
    assert main(["group", "check", str(p)]) == 2
    err = capsys.readouterr().err
    assert f"{p}:3:" in err and "not a real date" in err
