"""The shipped rule pack: every rule's own examples, and how the pack behaves on everyday class-group messages.

These sentences are written for the tests (synthetic, generic British class-group talk), not taken from any
labelled corpus, so they check that the rules carry over rather than that they fit one chat.
Runs without ../shared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from whatsapp_audit.model import Message
from whatsapp_audit.roster.group import EXAMPLE_GROUP
from whatsapp_audit.rules import selftest
from whatsapp_audit.rules.engine import Engine
from whatsapp_audit.rules.interface import Context
from whatsapp_audit.rules.pack import load_pack

PACK = load_pack()

# The categories this pack's text rules own (names, details and roster checks are tested elsewhere).
TEXT = ("political", "humour", "off-topic", "grievance", "policy-challenge", "family-matters", "abusive",
        "discriminatory", "threatening", "non-school-activity")


def _examples() -> list[tuple[str, str, object]]:
    out = []
    for rule in PACK.rules:
        for expected, examples in (("breach", rule.examples_breach), ("clean", rule.examples_clean)):
            out.extend((rule.id, expected, ex) for ex in examples)
    return out


@pytest.mark.parametrize(("rule_id", "expected", "example"), _examples(),
                         ids=lambda v: v if isinstance(v, str) and len(v) < 40 else None)
def test_rule_example(rule_id: str, expected: str, example: object) -> None:
    rule = next(r for r in PACK.rules if r.id == rule_id)
    assert selftest.fires(PACK, rule, example) == (expected == "breach"), (rule_id, expected, example)


def test_pack_loads_clean_and_covers_every_text_category() -> None:
    assert not PACK.issues
    cats = {r.category for r in PACK.enabled}
    assert set(TEXT) <= cats
    for r in PACK.rules:
        if r.category in ("discriminatory", "threatening", "abusive"):
            assert r.severity.name == "breach", r.id
        assert r.policy and r.message and r.examples_breach


def _scan(texts: list[str]) -> dict[int, set[str]]:
    msgs = [Message(index=i, line=i + 1, timestamp=f"2024-03-{1 + i // 60:02d}T{8 + (i % 60) // 6:02d}:"
                    f"{(i % 6) * 10:02d}:00", author=("Jane Smith", "Tom Baker", "Priya Patel")[i % 3],
                    text=t) for i, t in enumerate(texts)]
    engine = Engine(PACK, Context(group=EXAMPLE_GROUP, use_ner=False), only=TEXT)
    out: dict[int, set[str]] = {}
    for f in engine.scan(msgs):
        if f.message is not None:
            out.setdefault(f.message.index, set()).add(f.category)
    return out


# Everyday school business: reminders, dates, kit lists, PTA events, collections, lost property, thanks,
# homework questions, the class rep relaying the school, school-related parent socials.
CLEAN = [
    "Morning all! Reminder it's PE tomorrow, kit in school please",
    "Don't forget reading books back on Monday",
    "Has anyone got the spellings for this week? Ours didn't come home",
    "Spellings are on Seesaw under Homework 👍",
    "Is it non-uniform on Friday or next week?",
    "Non-uniform Friday, £1 for Children in Need 🐻",
    "Trip to the museum on the 14th, £12 on ParentPay by Weds please",
    "Packed lunch needed for the trip, school can provide one if you tick the box",
    "Lost: navy cardigan age 7-8, name label says Smith. Has anyone seen it?",
    "Found a purple water bottle by the gate, I've handed it in to the office",
    "Thank you so much Jane for organising the teacher gift ❤️",
    "Collection for Mr Okafor's leaving gift: £5 to the PTA account by Friday please, any amount is fine",
    "Cake sale after school on Thursday! Donations to the hall by 8.45 🧁",
    "Summer fair Saturday 12-3, tombola donations to the office by Weds please",
    "Raffle tickets for the summer fair £1 a strip, I'll be at the gate Thursday",
    "PTA quiz night at the Crown Fri 22nd, £5 a head, all money to the playground fund 🍻",
    "Year 4 mums' Christmas drinks, Fri 15th at the Swan 8pm, all welcome",
    "Class party next Friday afternoon, bring a bag of crisps or fruit to share, no nuts please",
    "Parents' evening bookings open on SchoolCloud tonight at 6",
    "Mrs Diver says the trip is going ahead whatever the weather, so wellies please",
    "Message from school: the gate will be locked at 8.50 from Monday, late arrivals through the office",
    "School is closed on Thursday as the hall is a polling station, breakfast club closed too",
    "School council election next week, every class votes for their rep 🗳️",
    "Nativity tickets are 2 per family, letter in book bags",
    "No filming at the nativity please, the school will sell a recording",
    "Flu spray consent form needs doing by Friday",
    "Does anyone know what time pick up is on the last day?",
    "Finish at 1.30 on the last day of term",
    "Harvest festival donations for the food bank by Friday please, tins and packets",
    "World Book Day is Thursday 7th March, any character from a book",
    "Any ideas for a World Book Day costume that doesn't cost a fortune? 😅",
    "Swimming has moved to Thursdays from next week",
    "Homework this week is a poster about the Romans, due Monday",
    "Is the maths homework on the website? Can't find it",
    "Sports day Weds 19th! Sun cream on before school and a named hat",
    "Y6 v parents relay is back at sports day, dads you have been warned 🏃",
    "Well done everyone, what a lovely assembly this morning",
    "Thank you to all the helpers on the farm trip, they had a brilliant day",
    "Happy half term all, back on Monday 3rd ☀️",
    "Welcome to the group! This is for school info, PTA news and reminders only please",
    "Please can we keep this chat for school things only, thank you",
    "Can someone check the date for the Christmas jumper day? I think it's the 7th",
    "Reports are out on Arbor, any questions the teachers are around at pick up",
    "Second hand uniform sale in the hall Friday morning, £2 each",
    "Book fair this week after school in the library 📚",
    "Has the permission slip for the swimming come home?",
    "Reminder it's inset day on Monday so no school",
    "The after school club is full this term, there's a waiting list at the office",
    "Can anyone recommend a good maths tutor for Y6?",
    "Eid Mubarak to everyone celebrating 🌙",
    "Happy Diwali to all the families celebrating ✨",
    "Ramadan Mubarak and thank you to Miss Lewis for the lovely display",
    "Anti-bullying week next week, odd socks on Monday 🧦",
    "Online safety evening for parents on Thursday at 6 in the hall",
    "Please bring a thick coat for the forest school session",
    "Mine came home starving, are they still doing toast at break?",
    "Easter bonnet parade on the playground Thursday at 2.15, parents welcome 🐣",
    "Tickets for the school disco are £3 on ParentPay",
    "School photos on Tuesday, individuals in the morning",
    "Christmas card for Miss Lewis going round in book bags this week to sign",
    "The lollipop lady is off this week so please take extra care crossing",
    "Road outside school is closed Monday for resurfacing, use the Chapel Lane gate",
    "Harvest display looks amazing 🍎",
    "Just seen the email, thanks for the heads up",
    "No idea sorry, maybe ask the office?",
    "Ok will do 👍",
    "Great, see you there",
    "Yes it's on, 3.30 in the hall",
    "Could someone forward the letter about the residential? Ours never made it out of the bag",
    "Residential deposit £50 due by 6th Oct on ParentPay",
    "The uniform policy letter is on Parentmail if anyone missed it",
    "Phones get handed in at the office at 8.45 and collected at 3.15",
    "Is it true they're not allowed phones on the residential? Just checking",
    "Thanks for the reminder about the cake sale!",
    "There's help from the school fund for the trip if anyone needs it, speak to the office in confidence",
    "If anyone's struggling with the cost of uniform the PTA has a swap rail, no questions asked",
    "Can't make the PTA meeting tonight sorry, will catch up on the minutes",
    "PTA meeting Tuesday 7pm in the staff room, all welcome",
    "PTA need 4 parents to help run the tuck shop at the disco, let me know 🙋‍♀️",
    "We raised £420 at the quiz night for the playground fund! Thank you all 🙌",
    "The Y5 class are doing a sponsored walk for the school garden, forms in bags",
    "Good luck to all the kids in their SATs this week 🍀",
    "Secondary applications close on 31st Oct on the council portal",
    "Mock SATs are the week of 22nd Jan apparently",
    "Mr Okafor is off this week, Mrs Diver is covering",
    "Parking outside school will be coned off on Friday for the fair",
    "Just a heads up, the school website is down at the moment",
    "Please can everyone label coats, there's a mountain of them in lost property",
    "Please don't park on the zigzags, the school has asked again",
    "Drop off is at the Willow door for reception, not the main gate",
    "Is it the Oak door or the main gate for pick up on half days?",
    "Hoodie order forms are due Friday, £18",
    "Yes first names on the back of the hoodies, order form comes out in October",
    "Stations of the Cross in church on Friday at 2pm, all welcome",
    "Remembrance service at church on Saturday, uniform please",
    "They did a debate in class on whether homework should be banned, apparently it got heated",
    "There's a Y6 debate on Friday about the voting age, mine needs three points for and against",
    "Please vote in the poll for the end of year gift",
    "Poll closed, donation to the school garden wins 🌱",
    "Y3 bake sale raised £186!! 🎉",
    "Thank you for a lovely year, see you all in September",
    "Happy birthday Mrs Diver from all of us 🎂",
    "So sorry to hear that, hope he feels better soon",
    "Hope everyone had a lovely Christmas, back on Monday 🎄",
    "Bring a plain white shirt for shirt signing on the last day",
    "The coach left at 9.20, updates on the school's page 🚌",
    "PE is FRIDAY this week not Thursday",
    "The office said forms can go in the red post box by the door",
    "Really useful parents' evening, thank you",
    "Does anyone have a spare book bag? His strap has snapped",
    "Leavers' disco Thursday 6-8pm, smart but not prom, please don't spend a fortune",
    "I'll bring a box of crisps for the class party",
    "Whoever found the blue hat, thank you so much! 🙏",
    "Is anyone else's child doing the football club on Tuesdays?",
    "Football club is cancelled this week because of the pitch",
    "Y6 football team won their match 3-1 against St Bede's, well done boys and girls ⚽",
    "The netball tournament is on Saturday morning at the leisure centre",
    "Is the Brownies pack still meeting at the church hall?",
    "Christmas fair raffle prizes can go to the office by Weds",
    "There's a taster session for the school choir on Monday lunchtime",
    "Has anyone used the CGP practice books? Worth getting?",
    "The reading one is good, school lent us one too if you ask",
    "Y4 trip money due Friday, £8 on ParentPay",
    "Gentle reminder the group is for school info only please x",
]


def test_clean_school_business_is_not_flagged() -> None:
    found = _scan(CLEAN)
    flagged = {CLEAN[i]: sorted(c) for i, c in found.items()}
    # "Almost never": allow at most one stray finding in the whole list.
    assert len(flagged) <= 1, flagged


BREACHES: dict[str, list[str]] = {
    "political": [
        "Tories have wrecked school funding, vote them out",
        "Starmer's no better tbh, they're all the same",
        "Anyone else sick of this government? Fourteen years of cuts",
        "Please sign the petition about the two child benefit cap",
        "Whatever you do Thursday don't vote for that lot",
    ],
    "humour": [
        "😂😂😂",
        "lol classic",
        "He told the vicar his dad is 'mostly in the shed' 🤣",
        "Asking for a friend: can I send them to school on Saturdays too?",
        "Forty minutes to find one shoe this morning. Send wine.",
    ],
    "off-topic": [
        "Anyone watching Strictly tonight?",
        "Can anyone recommend a decent plumber? Boiler's gone again",
        "Did anyone see the match last night 🙈",
        "Does anyone know a good hairdresser round here?",
        "Jake's birthday party is at the trampoline park Saturday 2-4, whole class welcome!",
    ],
    "grievance": [
        "Honestly this school is a shambles, nobody ever answers the phone",
        "Trip letter came out the night before again, absolute joke",
        "School dinners are disgusting now, mine won't eat a thing",
        "Whoever keeps sending their kid in with nits needs to sort it out",
        "Not being funny but the communication from the office is rubbish",
    ],
    "policy-challenge": [
        "The new uniform policy is ridiculous, we should all refuse to buy the blazers",
        "Fining parents for term time holidays is a money-making scam",
        "Who decided to ban birthday cake in class? Pathetic",
        "They can't stop you filming your own child's assembly",
    ],
    "family-matters": [
        "Sorry to put this on here but his dad's moved out and he's not coping",
        "My daughter is being bullied and comes home crying every night",
        "We're really struggling since I lost my job, can't afford the trip",
        "He's just been diagnosed with ADHD, any advice?",
    ],
    "abusive": [
        "That teacher is useless, she shouldn't be teaching kids",
        "Everyone knows what that family are like, scum the lot of them",
        "Her mum's a silly cow",
        "The new family are on drugs, you can tell at drop off",
        "What a tw*t, honestly",
    ],
    "discriminatory": [
        "It's always the Polish kids causing trouble",
        "Typical, their festivals get a day off and we get fined. Whose country is this?",
        "Not sending mine there, it's all kids off the Fieldway estate",
        "They let anyone in now, nobody checks who's coming over on the boats",
    ],
    "threatening": [
        "I know where you live",
        "Say that about my son again and you'll see what happens",
        "If that dad says one more word to me he'll regret it",
        "I'm going to smack her if she comes near my kid again",
    ],
    "non-school-activity": [
        "Just started selling Avon! 20% off your first order, message me 💄",
        "Anyone want raffle tickets for the bowls club? £1 a strip",
        "Protest at the town hall Saturday about the library, bring the kids and a placard",
        "Hosting a Pampered Chef party Friday, prosecco and 15% off, DM me for the address",
        "Xmas wreaths £25 each, taking orders now",
    ],
}


@pytest.mark.parametrize("category", sorted(BREACHES))
def test_general_breaches_are_flagged(category: str) -> None:
    texts = BREACHES[category]
    found = _scan(texts)
    missed = [t for i, t in enumerate(texts) if category not in found.get(i, set())]
    assert not missed, missed


def test_reaction_only_is_humour_but_thanks_is_not() -> None:
    found = _scan(["😂😂", "thanks 😊", "Thank you! 🙏"])
    assert found.get(0) == {"humour"}
    assert 1 not in found and 2 not in found


def test_one_to_one_chatter_is_off_topic() -> None:
    texts = ["Did you get to the new Italian in the end?", "We did! Lovely night out",
             "Nice, was it busy?", "Rammed, we'll have to go together next time"]
    msgs = [Message(index=i, line=i + 1, timestamp=f"2024-03-04T20:{i * 3:02d}:00",
                    author=("Tom Baker", "Priya Patel")[i % 2], text=t) for i, t in enumerate(texts)]
    engine = Engine(PACK, Context(group=EXAMPLE_GROUP, use_ner=False), only=["off-topic"])
    flagged = {f.message.index for f in engine.scan(msgs) if f.message is not None}
    assert 3 in flagged


def _classifier_rules() -> list[tuple[str, Path, Path]]:
    from whatsapp_audit.rules.pack import default_pack_dir

    root = default_pack_dir()
    pack = load_pack([])
    return [(r.id, root / "models" / Path(str(r.options["model"])).name,
             root / "training" / (Path(str(r.options["model"])).stem + ".yaml"))
            for r in pack.rules if r.type == "classifier"]


@pytest.mark.parametrize(("rule_id", "model_path", "training_path"), _classifier_rules(),
                         ids=[r for r, _, _ in _classifier_rules()])
def test_every_model_is_trained_from_the_shipped_examples(rule_id: str, model_path: Path,
                                                           training_path: Path) -> None:
    """A model must be retrained whenever its training file (or a file it takes negatives from) changes."""
    from whatsapp_audit.rules.types import classifier

    data = classifier.load_training(training_path)
    model = classifier.Model.load(model_path)
    assert model.training_sha256 == classifier._sha(data), (
        f"stale model: python -m whatsapp_audit.rules.types.classifier train {training_path} {model_path}")
    assert model_path.stat().st_size < 1_000_000


def test_negatives_from_takes_the_other_files_examples_as_negatives(tmp_path: Path) -> None:
    from whatsapp_audit.rules.types import classifier

    (tmp_path / "a.yaml").write_text("positive: [sell cakes]\nnegative: [pe kit]\nnegatives_from: [b.yaml]\n")
    (tmp_path / "b.yaml").write_text("positive: [lol joke, sell cakes]\nnegative: [trip money, pe kit]\n")
    data = classifier.load_training(tmp_path / "a.yaml")
    assert data["positive"] == ["sell cakes"]
    assert data["negative"] == ["pe kit", "lol joke", "trip money"]   # no duplicates, never its own positives


def test_classifier_training_is_deterministic_and_explains_itself() -> None:
    from whatsapp_audit.rules.types import classifier

    data = {"name": "toy", "positive": ["what a hoot, send wine", "lol he ate the homework", "classic, send help"],
            "negative": ["PE kit tomorrow please", "trip money due Friday", "thank you for the reminder"]}
    a, b = classifier.train(data), classifier.train(data)
    assert a == b
    model = classifier.Model(a)
    p, cues = model.score("send wine, he ate the homework")
    assert p > 0.5 and any(name == "w:wine" for name, _, _ in cues)
    assert model.score("PE kit due Friday please")[0] < 0.5


def test_loading_the_pack_again_reuses_its_models() -> None:
    # Every classifier's weights live in one shared table (classifier._BANK); a pack loaded again - as tests
    # and `rules test` do - must not add its models again (the table grew with every load: tests ran 3x slower).
    from whatsapp_audit.rules.types import classifier

    load_pack([])
    before = len(classifier._BANK.models)
    load_pack([])
    assert len(classifier._BANK.models) == before > 0


def test_classifier_explanations_name_content_words() -> None:
    from whatsapp_audit.rules.types import classifier

    rule = next(r for r in PACK.rules if r.id == "abusive-classifier")
    msg = Message(index=0, line=1, timestamp="2024-03-01T10:00:00", author="Tom Baker",
                  text="Some people in this group need to look at their own kids before judging mine. "
                       "Absolute state of them",
                  kind="text")
    hits = list(PACK.checkers[rule.id].check(msg, Context(group=EXAMPLE_GROUP)))
    assert hits, "the rule's own breach example must fire"
    cues = hits[0].why.split("cues: ", 1)[1].split(", ")
    assert cues and not set(cues) & classifier._FUNCTION_WORDS
