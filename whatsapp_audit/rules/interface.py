"""What a rule type is, and what it sees while it checks a message.

Rule *types* are code (one small module each, in `rules/types/`, registered by their YAML `type`);
rule *instances* are YAML data (the pack in `rules/`). A type declares the options it accepts, compiles
them once in `__init__`, and yields `Hit`s from `check()` for each message (and, for roster-style checks
that are about the chat as a whole, from `finish()` once the chat has been read).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from whatsapp_audit.model import Evidence, Message, Severity

if TYPE_CHECKING:
    from whatsapp_audit.roster.group import Group
    from whatsapp_audit.rules.gate import Trigger


@dataclass(frozen=True, slots=True)
class Opt:
    """One option of a rule type's schema (yamllint-style: the type module declares its options)."""

    kind: str                 # "str" | "int" | "float" | "bool" | "strs" (list of str) | "list" | "dict" | "any"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    doc: str = ""


@dataclass(slots=True)
class Rule:
    """A rule instance as written in a YAML file, after validation."""

    id: str
    category: str
    severity: Severity
    message: str
    policy: str
    type: str
    options: dict[str, Any]
    exceptions: list[str] = field(default_factory=list)
    unless: list[str] = field(default_factory=list)
    kinds: tuple[str, ...] = ("text", "media", "poll")
    window: int = 0           # scope: 0 = the message alone; N = also the N messages before it
    examples_breach: list[Any] = field(default_factory=list)
    examples_clean: list[Any] = field(default_factory=list)
    enabled: bool = True
    source: str = ""          # file the rule came from
    line: int = 0
    col: int = 0
    raw: dict[str, Any] = field(default_factory=dict)   # as written, for hashing and lint positions


@dataclass(slots=True)
class Hit:
    """One reason a rule fires on a message: the evidence spans and which cue fired."""

    evidence: list[Evidence] = field(default_factory=list)
    why: str = ""
    subject: str | None = None         # finish()-hits about a member rather than a message
    message: Message | None = None     # defaults to the message being checked


@dataclass(slots=True)
class LintIssue:
    message: str
    line: int = 0
    col: int = 0


HISTORY = 12   # messages a rule can look back on (Context.previous)


class Context:
    """What a rule sees besides the message: its neighbours, the roster, and shared NLP resources.

    The engine keeps the last few messages (never the whole chat) so conversation rules can look back.
    """

    def __init__(self, group: Group | None = None, history: int = HISTORY, use_ner: bool = True) -> None:
        self.group = group
        self.use_ner = use_ner
        self.previous: deque[Message] = deque(maxlen=history)
        self.state: dict[str, Any] = {}   # per-rule scratch space, keyed by rule id
        self.last: Message | None = None
        self._lower: tuple[int, str] | None = None

    def window(self, n: int) -> list[Message]:
        """The n messages before the current one (oldest first)."""
        if n <= 0:
            return []
        prev = list(self.previous)
        return prev[-n:]

    def lower(self, msg: Message) -> str:
        """The message text lower-cased, computed once per message for all rules."""
        if self._lower is None or self._lower[0] != msg.index:
            self._lower = (msg.index, msg.text.lower())
        return self._lower[1]


class RuleType:
    """Base class of every rule type. Subclasses set `type`, `options` and implement `check`."""

    type: ClassVar[str]
    options: ClassVar[dict[str, Opt]] = {}
    description: ClassVar[str] = ""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        raise NotImplementedError

    def prepare(self, batch: list[Message], ctx: Context) -> None:
        """Called with each batch of messages before they are checked one by one, so expensive work
        (spaCy's nlp.pipe) can be batched. Most types need nothing here."""

    def trigger(self) -> Trigger | None:
        """What a message must contain for this rule to possibly fire (rules/gate.py), or None when the
        rule must always run. It must never be narrower than what `check` matches."""
        return None

    def finish(self, ctx: Context) -> Iterator[Hit]:
        """Hits about the chat as a whole, once every message has been seen (e.g. roster checks)."""
        return iter(())

    def lint(self) -> Iterator[LintIssue]:
        """Extra checks beyond the options schema (e.g. a catastrophic regex)."""
        return iter(())

    def overrides(self, name: str) -> bool:
        """Whether this type implements `name` (e.g. "finish": it reports on the chat as a whole)."""
        return getattr(type(self), name) is not getattr(RuleType, name)


class RuleConfigError(ValueError):
    """Raised by a rule type's __init__ when its options cannot be compiled (bad regex, empty lexicon)."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key
