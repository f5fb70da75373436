"""`type: media` - every media message (the export hides the content, so a person must check it)."""

from __future__ import annotations

from collections.abc import Iterator

from whatsapp_audit.model import MEDIA_TYPES, Message
from whatsapp_audit.rules.interface import Context, Hit, Opt, RuleType


class MediaRule(RuleType):
    type = "media"
    description = "fires on media messages (optionally only some media types)"
    default_kinds = ("media",)
    options = {
        "media": Opt("strs", default=list(MEDIA_TYPES), doc="media types: " + ", ".join(MEDIA_TYPES)),
    }

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if msg.kind == "media" and (msg.media or "unknown") in self.rule.options["media"]:
            yield Hit([], f"{msg.media or 'unknown'} media posted (the export does not include it)")
