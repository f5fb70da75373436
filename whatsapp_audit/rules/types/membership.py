"""`type: membership` - the group must include only current class parents (needs --group).

- `check: not-on-roster`: a post from a sender who is not on the roster (matched by name, or by phone number
  in any spacing); at the end, anyone not on the roster whom the system events leave in the group and who
  never posted (those who posted already have a finding per post).
- `check: left`: a post by a member after the `left` date the roster gives; at the end, a member marked as
  left whom the system events still show in the group (a finding with no message).

Without a group file the checks are skipped (`scan` says so once on stderr).
"""

from __future__ import annotations

from collections.abc import Iterator

from whatsapp_audit.model import Message
from whatsapp_audit.roster.match import norm_name, norm_phone
from whatsapp_audit.roster.presence import presence, roster_index
from whatsapp_audit.rules.interface import Context, Hit, Opt, RuleType

POSTS = ("text", "media", "deleted", "poll", "location", "contact")


class MembershipRule(RuleType):
    type = "membership"
    description = "fires on posts by people not on the roster or who left the class, and on such people " \
                  "still in the group at the end (needs --group)"
    default_kinds = POSTS
    options = {
        "check": Opt("str", required=True, choices=("not-on-roster", "left"),
                     doc="not-on-roster | left (posted after their `left` date, or still in the group)"),
    }

    def prepare(self, batch: list[Message], ctx: Context) -> None:
        if ctx.group is not None:
            presence(ctx).see(batch, roster_index(ctx))

    def check(self, msg: Message, ctx: Context) -> Iterator[Hit]:
        if ctx.group is None or not msg.author:
            return
        idx = roster_index(ctx)
        member = idx.member(msg.author)
        if self.rule.options["check"] == "not-on-roster":
            if member is None:
                shown = "number" if norm_phone(msg.author) else "name"
                yield Hit([], f"{msg.author} is not on the class roster (no member with that {shown})")
            return
        if member is not None and member.left is not None and msg.when.date() > member.left:
            yield Hit([], f"{member.name} left the class on {member.left.isoformat()} "
                          f"but posted on {msg.when.date().isoformat()}")

    @staticmethod
    def _posted(ctx: Context, name: str) -> bool:
        return norm_name(name) in presence(ctx).posters

    def finish(self, ctx: Context) -> Iterator[Hit]:
        if ctx.group is None:
            return
        idx = roster_index(ctx)
        for seen in presence(ctx).people.values():
            if not seen.inside:
                continue
            member = idx.member(seen.name)
            how = "first posted" if seen.how == "posted" else seen.how
            since = f" ({how} on {seen.when[:10]}, never removed)" if seen.when else ""
            if self.rule.options["check"] == "not-on-roster":
                # someone who posted already has a finding per post; this catches the silent ones
                if member is None and seen.how != "posted" and not self._posted(ctx, seen.name):
                    yield Hit([], f"{seen.name} is still in the group at the end of the export but is not "
                                  f"on the class roster{since}", subject=seen.name)
            elif member is not None and member.left is not None:
                yield Hit([], f"{member.name} left the class on {member.left.isoformat()} but is still in "
                              f"the group at the end of the export{since}", subject=member.name)
