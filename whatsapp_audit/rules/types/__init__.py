"""Rule types: code. Each module holds one type; this explicit registry maps YAML `type:` to it."""

from __future__ import annotations

from whatsapp_audit.rules.interface import RuleType
from whatsapp_audit.rules.types.classifier import ClassifierRule
from whatsapp_audit.rules.types.context import ContextRule
from whatsapp_audit.rules.types.conversation import ConversationRule
from whatsapp_audit.rules.types.details import DetailsRule
from whatsapp_audit.rules.types.investigation import InvestigationRule
from whatsapp_audit.rules.types.lexicon import LexiconRule
from whatsapp_audit.rules.types.media import MediaRule
from whatsapp_audit.rules.types.membership import MembershipRule
from whatsapp_audit.rules.types.names import NamesRule
from whatsapp_audit.rules.types.regex_rule import RegexRule
from whatsapp_audit.rules.types.tokens import TokensRule

REGISTRY: dict[str, type[RuleType]] = {
    cls.type: cls
    for cls in (LexiconRule, RegexRule, TokensRule, ContextRule, ConversationRule, MediaRule)
}
REGISTRY.update({cls.type: cls for cls in (NamesRule, DetailsRule, MembershipRule, InvestigationRule)})
REGISTRY[ClassifierRule.type] = ClassifierRule
