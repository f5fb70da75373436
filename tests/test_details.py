"""personal-details: phone numbers, e-mail, postcodes and addresses, dates of birth, vehicles, health details."""

from __future__ import annotations

import pytest
from rulekit import msgs, scan

from whatsapp_audit.nlp import details as dt
from whatsapp_audit.roster.group import Group, Member
from whatsapp_audit.rules.pack import default_pack_dir, load_pack


@pytest.mark.parametrize("text, number", [
    ("Call me on 07700 900123", "07700 900123"),
    ("text me 07700900123 x", "07700900123"),
    ("my number is +44 7700 900123", "+44 7700 900123"),
    ("+44 (0)7700 900 123 after 6", "+44 (0)7700 900 123"),
    ("0044 7700 900123", "0044 7700 900123"),
    ("+447700900123", "+447700900123"),
    ("ring 07700-900-123", "07700-900-123"),
    ("07700.900.123 is mine", "07700.900.123"),
    ("office (01632) 960123", "(01632) 960123"),
    ("landline 0161 496 0000", "0161 496 0000"),
    ("London 020 7946 0000", "020 7946 0000"),
    ("Tel:07700900123", "07700900123"),
    ("It's 01632 960415, ask for Debbie", "01632 960415"),
])
def test_uk_phone_numbers_in_every_common_writing(text, number):
    assert [t for _, _, t in dt.phones(text)] == [number]


@pytest.mark.parametrize("text", [
    "Trip is on 07/11/2024, back by 15:30", "Cost is £4.50 each, due 01.02.2024", "Drop-off 8:45, pick-up 15:15",
    "meet 07:00 09:30", "Fridays 8.45-9.15, £2 each", "14/09/2023 19:02", "01.02.20 09.30", "£0770 0900 123",
    "account 12345678", "Order ref 0123456789", "PGL 10–14 June £385, £50 deposit", "raised £1,234.56",
    "070 1234 5678", "2023-09-01 10:00:00", "ages 5-11, 9.30-3.30",
])
def test_dates_prices_times_and_references_are_not_phone_numbers(text):
    assert dt.phones(text) == []


def test_emails_postcodes_addresses():
    assert [t for *_, t in dt.emails("My email is tunde.bakare@example.com.")] == ["tunde.bakare@example.com"]
    assert [t for *_, t in dt.postcodes("our new address is 22 Heron Way, Leeds LS6 0XX")] == ["LS6 0XX"]
    assert [t for *_, t in dt.postcodes("sw1a 1aa and B1 1AA")] == ["sw1a 1aa", "B1 1AA"]
    assert dt.postcodes("KS2 3RD results and Y6 5PM") == []
    assert [t for *_, t in dt.addresses("our new address is 22 Heron Way, Leeds")] == ["22 Heron Way"]
    assert [t for *_, t in dt.addresses("Party at ours, flat 2, 14 Oak Road")] == ["flat 2, 14 Oak Road"]
    assert [t for *_, t in dt.addresses("the family in the flat above the chippy on Chapel Lane")] == \
        ["flat above the chippy on Chapel Lane"]
    assert [t for *_, t in dt.addresses("they live on Moss Lane")] == ["live on Moss Lane"]
    for clean in ("Parking on Chapel Lane is bad", "Schoolwear place on Market St", "park on Grange Rd",
                  "rats by the bins on Moss Lane", "Year 4 Willow Class", "2 Stations of the Cross"):
        assert dt.addresses(clean) == [], clean


def test_dates_of_birth_and_vehicles():
    assert [t for *_, t in dt.dates_of_birth("his DOB is 12/03/2016")] == ["DOB is 12/03/2016"]
    assert [t for *_, t in dt.dates_of_birth("born on 3rd May 2016")] == ["born on 3rd May 2016"]
    assert [t for *_, t in dt.dates_of_birth("her birthday is the 14th March")] == ["birthday is the 14th March"]
    assert dt.dates_of_birth("born in 2016, so she's 8") == []
    assert dt.dates_of_birth("Harvey's birthday Saturday at 2") == []
    assert [t for *_, t in dt.vehicles("reg starts FL19 something")] == ["FL19"]
    assert [t for *_, t in dt.vehicles("the car AB12 CDE again")] == ["AB12 CDE"]
    assert dt.vehicles("Y6 SATs on the 13th") == []


# --- the shipped rules through the engine ------------------------------------------------------------

GROUP = Group(name="Year 4 Oak", members=[Member("Jane Smith"), Member("Tom Baker")], staff=["Mrs Diver"],
              pupils=["Amir", "Summer", "Ruby"])


@pytest.fixture(scope="module")
def pack():
    return load_pack([str(default_pack_dir() / "personal-details.yaml")])


def labels(pack, *items, group=GROUP):
    out = scan(pack, msgs(*items), group)
    return {f.message.index: sorted({e.label for e in f.evidence}) for f in out if f.message is not None}


def test_contact_and_address_labels(pack):
    got = labels(pack, "Text me on 07700 900733 for numbers", "My email is tunde.bakare@example.com",
                 "our new address is 22 Heron Way, Leeds LS6 0XX", "his DOB is 12/03/2016",
                 "reg starts FL19 something", "Cost is £4.50, due 01.02.2024 at 15:15")
    assert got == {0: ["phone"], 1: ["email"], 2: ["address"], 3: ["dob"], 4: ["vehicle"]}


@pytest.mark.parametrize("text", [
    "Summer's allergic to strawberries, that's it!",
    "Amir's blue inhaler is still on our kitchen table",
    "Zofia is very anxious, the doctor says it's an anxiety disorder",
    "Is Mrs Diver coming? Heard she's having her knee op in July",
    "Oscar pushed mine off the climbing frame and split his lip open",
    "Has anyone heard Miss Hargreaves has been signed off with stress?",
    "Ours was up all night with the cough, keeping him off today",
    "That's not fair, that's her eczema",
    "Ruby has a temperature so she's off tomorrow",
    "Ivy had her tonsils out over Christmas",
    "Theo was sick in the night so we're keeping him home",
])
def test_health_details_about_an_identifiable_person(pack, text):
    assert labels(pack, text) == {0: ["health"]}


@pytest.mark.parametrize("text", [
    "Flu nasal spray is Tues 7th Nov, consent form is online",
    "Did the flu spray go ahead yesterday? Ours didn't mention it",
    "Any allergies I should know about for the party bags?",
    "Any medicines need handing to Mrs Diver in the original box",
    "Mine would need surgery to get hers out of her hand",
    "Mental health week starts Monday, wear something yellow",
    "Half the class were off on Monday. Hope he feels better soon",
    "Does anyone know a good dentist round here?",
    "No nuts please, some children have allergies",
])
def test_health_words_without_a_person_or_as_school_notices_are_clean(pack, text):
    assert labels(pack, text) == {}


def test_contact_cards(pack):
    out = scan(pack, msgs({"kind": "contact", "text": "Mr Okafor.vcf (file attached)"},
                          {"kind": "contact", "text": "Contact card omitted"}), GROUP)
    assert [f.message.index for f in out] == [0, 1]
    assert [(e.text, e.label) for e in out[0].evidence] == [("Mr Okafor", "name")]
    assert "contact card" in out[0].explanation


def test_explanations_say_what_was_found(pack):
    out = scan(pack, msgs("Amir's blue inhaler is at home", "call me on 07700 900 123"), GROUP)
    assert "inhaler" in out[0].explanation and "Amir" in out[0].explanation
    assert "phone number" in out[1].explanation


def test_details_rule_config_errors_and_lint(tmp_path):
    from rulekit import pack_from

    from whatsapp_audit.rules.lint import lint

    body = """
rules:
  - id: d1
    category: personal-details
    severity: breach
    message: m
    policy: p
    type: details
    detect: {detect}
    health_patterns: ["{pattern}"]
    examples: {{breach: ["x"], clean: ["y"]}}
"""
    bad = pack_from(tmp_path, body.format(detect="[phone, fax]", pattern="ok"), strict=False)
    assert any("'detect' must list some of" in str(i) for i in bad.issues)
    slow = pack_from(tmp_path, body.format(detect="[health]", pattern="^(a|aa)+$"), strict=False)
    assert any("backtracks catastrophically" in str(i) for i in lint(slow))
