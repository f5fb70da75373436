"""`wa-audit rules test`: every rule's own examples must (breach) or must not (clean) make it fire.

An example is a string, or a mapping {text, kind, media, author, before: [...]} where `before` lists the
messages just before it (for conversation rules). Roster-aware rules see `EXAMPLE_GROUP`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from whatsapp_audit.model import Message
from whatsapp_audit.roster.group import EXAMPLE_GROUP
from whatsapp_audit.rules.engine import Engine
from whatsapp_audit.rules.interface import Context, Rule
from whatsapp_audit.rules.pack import RulePack

_START = datetime(2024, 3, 4, 19, 0)


@dataclass(slots=True)
class ExampleFailure:
    rule: Rule
    expected: str        # "breach" | "clean"
    example: Any

    def __str__(self) -> str:
        text = self.example.get("text", "") if isinstance(self.example, dict) else self.example
        verb = "did not flag" if self.expected == "breach" else "flagged"
        where = f"{self.rule.source}:{self.rule.line}"
        return f"{where}: rule '{self.rule.id}' {verb} its {self.expected} example: {text!r}"


def _message(spec: Any, index: int, default_author: str) -> Message:
    d = spec if isinstance(spec, dict) else {"text": spec}
    return Message(index=index, line=index + 1,
                   timestamp=(_START + timedelta(minutes=2 * index)).isoformat(),
                   author=d.get("author", default_author), text=str(d.get("text", "") or ""),
                   kind=d.get("kind", "text"), media=d.get("media"))


def example_messages(spec: Any) -> list[Message]:
    """The example as the message list the engine sees: `before` messages, then the example itself."""
    before = spec.get("before", []) if isinstance(spec, dict) else []
    msgs = [_message(b, i, "Tom Baker" if i % 2 == 0 else "Priya Patel") for i, b in enumerate(before)]
    msgs.append(_message(spec, len(msgs), "Example Parent"))
    return msgs


def fires(pack: RulePack, rule: Rule, spec: Any) -> bool:
    one = RulePack(name=pack.name, version=pack.version, rules=[rule], checkers={rule.id: pack.checkers[rule.id]})
    engine = Engine(one, Context(group=EXAMPLE_GROUP))
    msgs = example_messages(spec)
    target = msgs[-1]
    return any(f.message is target for f in engine.scan(msgs))


def run(pack: RulePack) -> Iterator[tuple[Rule, int, ExampleFailure | None]]:
    """For each enabled rule: (rule, examples run, failure or None) — one row per example. Rules a pack
    switched off are not run, so they are not tested either."""
    for rule in pack.enabled:
        for expected, examples in (("breach", rule.examples_breach), ("clean", rule.examples_clean)):
            for spec in examples:
                ok = fires(pack, rule, spec) == (expected == "breach")
                yield rule, 1, None if ok else ExampleFailure(rule, expected, spec)
