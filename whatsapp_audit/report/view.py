"""What every report format shows, computed once: the `Report` view of a ScanResult.

Filtering (--member, --since, --until) and redaction happen here, before any format sees the data; the
per-member table is `ScanResult.summary()` (the one summary computation), and the per-member and
per-category groupings, context lookup and next steps are built here so no format repeats them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from whatsapp_audit.categories import CATEGORIES, Category
from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Finding, Message, Severity
from whatsapp_audit.report.escalation import Pathway, Step
from whatsapp_audit.report.highlight import segments
from whatsapp_audit.report.redact import is_phone, redact_result, redactor_for
from whatsapp_audit.results import MemberSummary, ScanResult
from whatsapp_audit.roster.group import Group

CONTEXT = 2   # messages shown before and after each finding (audit.CONTEXT keeps this many)

MEDIA_NOUN = {"image": "an image", "video": "a video", "audio": "an audio message", "sticker": "a sticker",
              "gif": "a GIF", "document": "a document", "unknown": "a media file"}


@dataclass(slots=True)
class ReportOptions:
    member: str | None = None
    since: str | None = None        # ISO date/datetime prefix, inclusive
    until: str | None = None        # inclusive: a date covers the whole day
    redact: bool = False
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    generated: datetime | None = None   # default: now (or $SOURCE_DATE_EPOCH, for reproducible output)


@dataclass(slots=True)
class Shown:
    """A message as a report shows it (already redacted when the report is)."""

    index: int
    line: int                        # 1-based line in the export
    timestamp: str                   # ISO, as in the export
    when: str                        # "2023-10-03 19:30"
    author: str
    kind: str
    text: str
    media: str | None
    segments: list[tuple[str, bool]]   # text split into plain / evidence chunks

    @property
    def placeholder(self) -> str | None:
        """What stands in for content the export does not have (media, deleted messages)."""
        if self.kind == "media":
            return f"<{self.media or 'media'} omitted from the export>"
        if self.kind == "deleted":
            return "<this message was deleted>"
        return None


@dataclass(slots=True)
class Item:
    """One finding with everything shown around it."""

    number: int                      # F1, F2, ... in report order
    finding: Finding
    category: Category
    member: str
    message: Shown | None            # None for roster findings about a member rather than a message
    before: list[Shown]
    after: list[Shown]
    next_step: Step
    media_note: str | None = None
    seq: int = 0                     # position in the scan's findings (file order)

    @property
    def ref(self) -> str:
        return f"F{self.number}"

    @property
    def anchor(self) -> str:
        return f"f{self.number}"

    @property
    def when(self) -> str:
        return self.message.when if self.message else ""

    @property
    def clause(self) -> str:
        return self.finding.policy or self.category.clause


@dataclass(slots=True)
class Section:
    key: str                         # member name or category id
    title: str
    items: list[Item]
    anchor: str

    @property
    def worst(self) -> Severity:
        return max(i.finding.severity for i in self.items)


@dataclass(slots=True)
class Report:
    result: ScanResult               # filtered and (with --redact) redacted: what every format renders
    opts: ReportOptions
    group_name: str
    pathway: Pathway
    generated: str                   # ISO 8601 with offset
    summary: list[MemberSummary]     # result.summary(), limited to --member when given
    columns: list[str]               # categories with findings, in CATEGORIES order
    items: list[Item]
    by_member: list[Section]
    by_category: list[Section]
    roster_size: int

    @property
    def redacted(self) -> bool:
        return self.opts.redact

    @property
    def period(self) -> tuple[str, str]:
        c = self.result.chat
        return (_when(c.first) if c.first else "", _when(c.last) if c.last else "")

    @property
    def filters(self) -> list[str]:
        o = self.opts
        out = []
        if o.member:
            out.append(f"member: {o.member}")
        if o.since:
            out.append(f"since {o.since}")
        if o.until:
            out.append(f"until {o.until}")
        if o.only:
            out.append("only " + ", ".join(o.only))
        if o.skip:
            out.append("skipping " + ", ".join(o.skip))
        return out

    @property
    def clean_members(self) -> list[str]:
        return [s.member for s in self.summary if not s.total]


def _when(ts: str) -> str:
    return ts.replace("T", " ")[:16]


def long_when(ts: str) -> str:
    """"Tue 3 Oct 2023, 19:30" (English names, whatever the machine's locale)."""
    try:
        d = datetime.fromisoformat(ts)
    except ValueError:
        return ts
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{days[d.weekday()]} {d.day} {months[d.month - 1]} {d.year}, {d:%H:%M}"


def _generated(opts: ReportOptions) -> str:
    if opts.generated is not None:
        return opts.generated.isoformat(timespec="seconds")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).isoformat(timespec="seconds")
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _norm(name: str) -> str:
    if is_phone(name):
        return re.sub(r"\D", "", name)
    return " ".join(name.split()).casefold()


def resolve_member(result: ScanResult, name: str, group: Group | None = None) -> str:
    """The member --member NAME means (case and spacing ignored; a phone number matches however it is
    spaced, and a roster member's `phone` matches a sender shown by number). Bad input (exit 2) if none."""
    senders = result.chat.members
    known = list(dict.fromkeys([*senders, *result.roster, *(f.member for f in result.findings if f.member)]))
    want = _norm(name)
    for m in senders:
        if _norm(m) == want:
            return m
    if group is not None:   # a roster member whose phone is how the export shows them
        for gm in group.members:
            if gm.phone and _norm(gm.name) == want:
                for m in senders:
                    if is_phone(m) and _norm(m) == _norm(gm.phone):
                        return m
    for m in known:
        if _norm(m) == want:
            return m
    raise UserError(f"--member: nobody called {name!r} posted in this chat or is on the roster",
                    hint="members: " + ", ".join(known) if known else "the chat has no members")


def _in_period(f: Finding, since: str | None, until: str | None) -> bool:
    if f.message is None:
        return True   # roster findings are about the chat as a whole
    ts = f.message.timestamp
    if since and ts < since:
        return False
    return not (until and ts[: len(until)] > until)


def filter_result(result: ScanResult, opts: ReportOptions, member: str | None) -> ScanResult:
    kept = [f for f in result.findings
            if _in_period(f, opts.since, opts.until) and (member is None or f.member == member)]
    return replace(result, findings=kept)


def _shown(m: Message, f: Finding | None = None) -> Shown:
    evidence = f.evidence if f is not None else []
    return Shown(index=m.index, line=m.line, timestamp=m.timestamp, when=_when(m.timestamp),
                 author=m.author or "(system)", kind=m.kind,
                 text=m.text, media=m.media, segments=segments(m.text, evidence))


def context_of(result: ScanResult, msg: Message, n: int = CONTEXT) -> tuple[list[Shown], list[Shown]]:
    """Up to n messages either side of `msg`, from ScanResult.context (what audit kept around findings)."""
    ctx = result.context
    before = [_shown(ctx[i]) for i in range(msg.index - n, msg.index) if i in ctx]
    after = [_shown(ctx[i]) for i in range(msg.index + 1, msg.index + n + 1) if i in ctx]
    return before, after


def _media_note(f: Finding) -> str | None:
    m = f.message
    if m is None or m.kind != "media":
        return None
    kind = m.media or "unknown"
    return (f"Media type: {kind}. The export hides the content of {MEDIA_NOUN.get(kind, 'a media file')}, "
            "so a person must check the original in the group for pupils.")


def _order(f: Finding) -> tuple[str, int]:
    return (f.message.timestamp if f.message else "", f.message.index if f.message else -1)


def build(result: ScanResult, group: Group | None = None, opts: ReportOptions | None = None) -> Report:
    """Filter, redact and arrange a ScanResult for the report formats."""
    opts = opts or ReportOptions()
    member = resolve_member(result, opts.member, group) if opts.member else None
    shown = filter_result(result, opts, member)
    if opts.redact:
        redactor = redactor_for(result, pupils=group.pupils if group else [], keep=group.staff if group else [])
        shown = redact_result(shown, redactor)
        member = redactor.author(member)
        # Integrity details quote lines of the chat: the same replacements as everywhere else.
        shown = replace(shown, integrity=[replace(sg, detail=redactor.text(sg.detail)) for sg in shown.integrity])
    pathway = Pathway.from_group(group)
    summary = shown.summary()
    if member is not None:
        summary = [s for s in summary if s.member == member]

    rank = {s.member: i for i, s in enumerate(summary)}
    ordered = sorted(enumerate(shown.findings),
                     key=lambda sf: (rank.get(sf[1].member or "(group)", len(rank)), _order(sf[1])))
    items: list[Item] = []
    for n, (seq, f) in enumerate(ordered, 1):
        msg = _shown(f.message, f) if f.message is not None else None
        before, after = context_of(shown, f.message) if f.message is not None else ([], [])
        items.append(Item(number=n, finding=f, category=CATEGORIES[f.category], member=f.member or "(group)",
                          message=msg, before=before, after=after, next_step=pathway.next_step(f),
                          media_note=_media_note(f), seq=seq))

    by_member: list[Section] = []
    for i, s in enumerate(x for x in summary if x.total):
        mine = [it for it in items if it.member == s.member]
        by_member.append(Section(s.member, s.member, mine, f"m{i + 1}"))
    columns = shown.categories_used()
    by_category = []
    for c in columns:
        mine = sorted((it for it in items if it.finding.category == c), key=lambda it: _order(it.finding))
        by_category.append(Section(c, CATEGORIES[c].title, mine, f"c-{c}"))

    group_name = result.group_name or (group.name if group else "") or result.chat.name
    return Report(result=shown, opts=opts, group_name=group_name, pathway=pathway, generated=_generated(opts),
                  summary=summary, columns=columns, items=items, by_member=by_member, by_category=by_category,
                  roster_size=len(result.roster))


def severity_word(s: Severity | None) -> str:
    return s.name if s is not None else "none"
