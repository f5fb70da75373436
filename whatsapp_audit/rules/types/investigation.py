"""`type: investigation` - while an investigation is in progress, its parties must not post (needs --group).

A post by a party (matched by name or phone number) between the investigation's `opened` and `closed`
dates, both inclusive; an investigation without `closed` is still open.
"""

from __future__ import annotations

from collections.abc import Iterator

from whatsapp_audit.model import Message
from whatsapp_audit.roster.match import active
from whatsapp_audit.roster.presence import roster_index
from whatsapp_audit.rules.interface import Context, Hit, RuleType
from whatsapp_audit.rules.types.membership import POSTS


class InvestigationRule(RuleType):
    type = "investigation"
    description = "fires on posts by a party to an investigation while it is in progress (needs --group)"
    default_kinds = POSTS
    options = {}

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if ctx.group is None or not msg.author or not ctx.group.investigations:
            return
        idx = roster_index(ctx)
        day = msg.when.date()
        for inv in ctx.group.investigations:
            if active(inv, day) and idx.is_party(inv, msg.author):
                until = f"closed {inv.closed.isoformat()}" if inv.closed else "still open"
                yield Hit([], f"{msg.author} is a party to the investigation opened {inv.opened.isoformat()} "
                              f"({until}) and posted on {day.isoformat()}")
                return
