"""The rule engine's matching semantics, per rule type, and the pack mechanics around it."""

from __future__ import annotations

import pytest
from rulekit import msgs, pack_from, scan, write

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Severity
from whatsapp_audit.rules.lint import lint
from whatsapp_audit.rules.pack import load_pack

RULE = """
rules:
  - id: {id}
    category: {category}
    severity: warning
    message: test rule
    policy: "refrain from political narrative"
    type: {type}
{body}
    examples: {{breach: ["x"], clean: ["y"]}}
"""


def one_rule(tmp_path, type_: str, body: str, category: str = "political", rid: str = "r1", **kw):
    text = RULE.format(id=rid, category=category, type=type_, body=body)
    for key, value in kw.items():
        text += f"    {key}: {value}\n"
    return pack_from(tmp_path, text)


def flagged(pack, *texts):
    found = {f.message.index for f in scan(pack, msgs(*texts)) if f.message is not None}
    return [i in found for i in range(len(texts))]


# --- lexicon -----------------------------------------------------------------------------------------

def test_lexicon_whole_words_any_case_and_inflections(tmp_path):
    pack = one_rule(tmp_path, "lexicon", "    terms: [vote, tory, cost of living, party]")
    assert flagged(pack, "VOTING today", "the Tories again", "Cost-of-living crisis", "all the parties",
                   "history homework", "devote time", "votes") == [True, True, True, True, False, False, True]


def test_lexicon_evidence_offsets_point_into_text(tmp_path):
    pack = one_rule(tmp_path, "lexicon", "    terms: [labour]")
    [f] = scan(pack, msgs("I will vote Labour"))
    [ev] = f.evidence
    assert "I will vote Labour"[ev.start:ev.end] == "Labour"


def test_lexicon_emoji_and_wildcard(tmp_path):
    pack = one_rule(tmp_path, "lexicon", "    terms: ['🤡', 'politic*']")
    assert flagged(pack, "what a 🤡", "politicians!", "polite") == [True, True, False]


def test_exceptions_cancel_only_overlapping_matches(tmp_path):
    pack = one_rule(tmp_path, "lexicon", "    terms: [election, vote]",
                    exceptions="[school council election, vote for your favourite]")
    assert flagged(pack, "school council election next week", "the election is a farce",
                   "vote for your favourite book", "school council election, and vote Labour") == \
        [False, True, False, True]


def test_unless_cancels_the_whole_message(tmp_path):
    pack = one_rule(tmp_path, "lexicon", "    terms: [party]", unless="[class party]")
    assert flagged(pack, "party at mine", "class party on Friday, bring a party hat") == [True, False]


def test_kinds_limit_the_rule(tmp_path):
    pack = one_rule(tmp_path, "lexicon", "    terms: [vote]", kinds="[media]")
    ms = msgs("vote now", {"kind": "media", "media": "image", "text": "vote now"})
    assert [f.message.index for f in scan(pack, ms)] == [1]


# --- regex -------------------------------------------------------------------------------------------

def test_regex_named_group_marks_evidence(tmp_path):
    pack = one_rule(tmp_path, "regex", r"""    patterns: ['sign (?:the|my|this) (?P<hit>petition)']""")
    [f] = scan(pack, msgs("please sign the petition"))
    assert [e.text for e in f.evidence] == ["petition"]


def test_regex_invalid_pattern_is_a_lint_error_with_position(tmp_path):
    pack = pack_from(tmp_path, RULE.format(id="bad", category="political", type="regex",
                                           body="    patterns: ['(unclosed']"), strict=False)
    [issue] = pack.issues
    assert "invalid regular expression" in issue.issue.message
    assert issue.issue.line == 8   # the `patterns:` line


def test_catastrophic_regex_is_reported_by_lint(tmp_path):
    pack = one_rule(tmp_path, "regex", r"""    patterns: ['^(?:q|qq)+$', 'sign the petition']""")
    issues = lint(pack)
    bad = [i.issue.message for i in issues if "catastrophically" in i.issue.message]
    assert len(bad) == 1 and "'^(?:q|qq)+$'" in bad[0]


# --- context -----------------------------------------------------------------------------------------

def test_context_cue_needs_support_nearby(tmp_path):
    pack = one_rule(tmp_path, "context", "    cues: [disgrace, joke]\n    support: [school, teacher]\n"
                                         "    distance: 4", category="grievance")
    assert flagged(pack, "the school is a disgrace", "this weather is a disgrace",
                   "disgrace, and I have said it before many many times about the school") == [True, False, False]


def test_context_support_from_previous_messages_with_window_scope(tmp_path):
    pack = one_rule(tmp_path, "context", "    cues: [disgrace]\n    support: [teacher]", category="grievance",
                    scope="{window: 2}")
    assert flagged(pack, "did you hear what the teacher said", "honestly a disgrace") == [False, True]


# --- conversation ------------------------------------------------------------------------------------

def test_reaction_only(tmp_path):
    pack = one_rule(tmp_path, "conversation", "    pattern: reaction-only\n    reactions: ['😂', '🤣', lol, 'haha*']",
                    category="humour")
    assert flagged(pack, "😂😂😂", "lol!!", "hahahaha 🤣", "😂 see you at 3", "thanks 😊") == \
        [True, True, True, False, False]


def test_back_and_forth_between_two_members(tmp_path):
    pack = one_rule(tmp_path, "conversation", "    pattern: back-and-forth\n    min_turns: 4\n"
                                              "    school_terms: [school, homework]", category="off-topic")
    chat = msgs(("A", "watching the match?"), ("B", "yes mate"), ("A", "which pub"), ("B", "red lion"),
                ("C", "is there homework?"))
    assert [f.message.index for f in scan(pack, chat)] == [3]


def test_back_and_forth_about_school_is_fine(tmp_path):
    pack = one_rule(tmp_path, "conversation", "    pattern: back-and-forth\n    min_turns: 3\n"
                                              "    school_terms: [homework]", category="off-topic")
    chat = msgs(("A", "is the homework maths?"), ("B", "yes"), ("A", "thanks"), ("B", "np"))
    assert scan(pack, chat) == []


# --- tokens ------------------------------------------------------------------------------------------

def test_token_patterns(tmp_path):
    pack = one_rule(tmp_path, "tokens", "    patterns:\n"
                                        "      - [{LOWER: vote}, {LOWER: for}, {IS_TITLE: true}]")
    assert flagged(pack, "vote for Smith", "vote for the best cake") == [True, False]


def test_invalid_token_pattern_is_a_lint_error_and_stops_a_scan_naming_the_rule(tmp_path):
    # spaCy validates token patterns; it is imported only when needed, so loading does not check them.
    pack = pack_from(tmp_path, RULE.format(id="t", category="political", type="tokens",
                                           body="    patterns:\n      - [{LOWER: x, NOPE: x}]"), strict=False)
    assert any("invalid token pattern" in i.issue.message for i in lint(pack))
    with pytest.raises(UserError, match="rule 't': invalid token pattern") as e:
        scan(pack, msgs("x marks the spot"))
    assert e.value.path and e.value.path.endswith(".yaml")


# --- merging, severity -------------------------------------------------------------------------------

def test_one_finding_per_message_and_category_most_severe_rule_wins(tmp_path):
    text = RULE.format(id="mild", category="political", type="lexicon", body="    terms: [vote]")
    text += RULE.format(id="strong", category="political", type="lexicon", body="    terms: [tory]").replace(
        "rules:\n", "").replace("severity: warning", "severity: breach")
    pack = pack_from(tmp_path, text)
    [f] = scan(pack, msgs("vote tory"))
    assert f.rule == "strong" and f.severity is Severity.breach
    assert [e.text for e in f.evidence] == ["vote", "tory"]


# --- schema and pack ---------------------------------------------------------------------------------

def test_schema_errors_keep_positions(tmp_path):
    pack = pack_from(tmp_path, """
        rules:
          - id: r
            category: gossip
            severity: loud
            message: m
            policy: p
            type: lexicon
            terms: [a]
            colour: red
            examples: {breach: [a]}
        """, strict=False)
    got = {(i.issue.line, i.issue.message.split(" ")[0]) for i in pack.issues}
    assert (3, "unknown") in got            # category gossip
    assert (4, "unknown") in got            # severity loud
    assert (9, "unknown") in got            # key colour
    assert any("clean" in i.issue.message for i in pack.issues)


def test_duplicate_ids_empty_lexicon_and_unknown_type(tmp_path):
    body = RULE.format(id="same", category="political", type="lexicon", body="    terms: [a]")
    body += RULE.format(id="same", category="political", type="lexicon", body="    terms: [b]").replace("rules:\n", "")
    body += RULE.format(id="empty", category="political", type="lexicon", body="    terms: []").replace("rules:\n", "")
    body += RULE.format(id="odd", category="political", type="magic", body="").replace("rules:\n", "")
    pack = pack_from(tmp_path, body, strict=False)
    messages = " | ".join(i.issue.message for i in pack.issues)
    assert "duplicate rule id 'same'" in messages
    assert "'terms' is empty" in messages
    assert "unknown rule type 'magic'" in messages


def test_strict_loading_names_file_and_line(tmp_path):
    write(tmp_path, "r.yaml", "rules:\n  - id: x\n    category: nope\n")
    with pytest.raises(UserError) as e:
        load_pack([str(tmp_path / "r.yaml")])
    assert "r.yaml:" in str(e.value)


def test_yaml_aliases_are_refused(tmp_path):
    write(tmp_path, "r.yaml", "a: &x [1, 2]\nb: *x\n")
    pack = load_pack([str(tmp_path / "r.yaml")], strict=False)
    assert any("aliases" in i.issue.message and i.issue.line == 2 for i in pack.issues)


def test_extends_default_disable_and_severity(tmp_path):
    default = load_pack()
    rid = default.rules[0].id
    write(tmp_path, "school.yaml", f"""
name: St Example's rules
version: "3"
extends: default
severity: {{{rid}: breach}}
""")
    pack = load_pack([str(tmp_path / "school.yaml")])
    assert pack.name == "St Example's rules" and pack.version == "3"
    assert {r.id for r in pack.rules} == {r.id for r in default.rules}
    assert next(r for r in pack.rules if r.id == rid).severity is Severity.breach
    write(tmp_path, "school.yaml", f"extends: default\ndisable: [{rid}]\n")
    pack = load_pack([str(tmp_path / "school.yaml")])
    assert rid not in {r.id for r in pack.enabled}
    assert pack.sha256 != default.sha256


def test_unknown_rule_in_disable_is_reported(tmp_path):
    write(tmp_path, "school.yaml", "extends: default\ndisable: [no-such-rule]\n")
    pack = load_pack([str(tmp_path / "school.yaml")], strict=False)
    [issue] = pack.issues
    assert issue.issue.line == 2 and "no-such-rule" in issue.issue.message


def test_rules_test_skips_rules_a_school_switched_off(tmp_path, capsys):
    from whatsapp_audit.cli import main

    rid = load_pack().rules[0].id
    write(tmp_path, "school.yaml", f"extends: default\ndisable: [{rid}]\n")
    assert main(["rules", "test", str(tmp_path / "school.yaml")]) == 0
    assert rid not in capsys.readouterr().out
