"""`report --format md`: the report as Markdown, to paste into an e-mail or a case file.

Chat text is escaped so it stays text: Markdown punctuation is backslash-escaped (so `<script>` cannot
become HTML and `[x](url)` cannot become a link); the redaction placeholders ([child], [phone], ...)
are left readable. Evidence is **bold**.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.report.redact import PLACEHOLDERS
from whatsapp_audit.report.view import Item, Report, Shown, long_when, severity_word

# Characters that can start markup anywhere in a line, an entity reference, and what only matters at the
# start of a line (headings, lists, setext underlines, numbered lists).
_SPECIAL = re.compile(r"[\\`*_\[\]<>|~]|&(?=#?\w+;)|^(?:[ \t]*)[#=+-]|(?<=^\d)[.)]|(?<=^\d\d)[.)]",
                      re.MULTILINE)
_PLACEHOLDER = re.compile(r"\[(?:" + "|".join(p[1:-1] for p in PLACEHOLDERS) + r")(?: \d+)?\](?![(\[:])")


def _sub(m: re.Match[str]) -> str:
    s = m.group()
    return s[:-1] + "\\" + s[-1]


def esc(text: str) -> str:
    """Backslash-escape Markdown punctuation in chat text, keeping redaction placeholders as they are."""
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(text):
        out.append(_SPECIAL.sub(_sub, text[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_SPECIAL.sub(_sub, text[pos:]))
    return "".join(out)


def cell(text: str) -> str:
    """Escaped for a table cell: one line."""
    return esc(" ".join(text.split()))


def _bold(chunk: str) -> str:
    """**chunk**, with surrounding spaces kept outside the markers (CommonMark needs that)."""
    core = chunk.strip()
    if not core:
        return esc(chunk)
    lead = chunk[: len(chunk) - len(chunk.lstrip())]
    trail = chunk[len(chunk.rstrip()):]
    return f"{esc(lead)}**{esc(core)}**{esc(trail)}"


def _text(segs: list[tuple[str, bool]]) -> str:
    return "".join(_bold(c) if hot else esc(c) for c, hot in segs)


def _quote(m: Shown, label: str) -> list[str]:
    head = f"*{label}* — **{esc(m.author)}**, {long_when(m.timestamp)}:"
    body = []
    if m.placeholder:
        body.append(f"*{esc(m.placeholder)}*")
    if m.text:
        body.extend(_text(m.segments).split("\n") if m.kind != "system" else [f"*{esc(m.text)}*"])
    lines = [f"> {head}", *(f"> {b}" if b.strip() else ">" for b in body)]
    return lines


def _finding(it: Item) -> list[str]:
    f = it.finding
    when = long_when(it.message.timestamp) if it.message else "whole chat"
    out = [f"#### {it.ref} · {severity_word(f.severity).upper()} · {it.category.title} · {when}", ""]
    if it.message is not None:
        for m in it.before:
            out += [*_quote(m, "before"), ">"]
        out += [*_quote(it.message, "REPORTED"), ">"]
        for m in it.after:
            out += [*_quote(m, "after"), ">"]
        out.pop()
        out.append("")
    if it.media_note:
        out += [f"*{esc(it.media_note)}*", ""]
    out.append(f"- **Why:** {esc(f.explanation)}")
    ev = [e.text for e in f.evidence if e.text.strip()]
    if ev:
        out.append("- **Evidence:** " + ", ".join(_bold(t) for t in ev))
    out.append(f"- **Policy:** “{esc(it.clause)}”")
    out.append(f"- **Next step ({it.next_step.stage}):** {esc(it.next_step.text)}")
    ref = f"rule `{f.rule}`, category `{f.category}`"
    if it.message is not None:
        ref += f", line {it.message.line} of the export"
    out += [f"- **Reference:** {ref}", ""]
    return out


class _Lines:
    """Lines written to a stream as they come, with what "\n".join(lines) would put between them: a big
    report never sits in memory whole."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.first = stream, True

    def append(self, line: str) -> None:
        self.stream.write(line if self.first else "\n" + line)
        self.first = False

    def __iadd__(self, lines: Iterable[str]) -> _Lines:
        for line in lines:
            self.append(line)
        return self


def write_report(r: Report, stream: TextIO) -> None:
    res, c = r.result, r.result.chat
    first, last = r.period
    out = _Lines(stream)
    out += [f"# WhatsApp group breach report: {cell(r.group_name)}", ""]
    if r.redacted:
        out += ["> **Redacted report.** Children's and third-party names, phone numbers, e-mail addresses and "
                "addresses are replaced by [child], [name], [phone], [email], [address] and [detail]; members' "
                "names are kept.", ""]
    else:
        out += ["> **Contains children's personal data — store securely.** Do not forward or post this report; "
                "keep it only as long as the case needs it.", ""]
    rows = [
        ("School", cell(r.pathway.school.name)),
        ("Group", cell(r.group_name)),
        ("Export file", cell(c.name)),
        ("SHA-256", f"`{c.sha256}`"),
        ("Integrity", f"{len(res.integrity)} sign{'s' if len(res.integrity) != 1 else ''} of editing (see below)"
                      if res.integrity else "no signs of editing"),
        ("Period covered", f"{first} to {last}" if first else "no messages"),
        ("Messages", f"{c.messages:,}"),
        ("Members", f"{len(c.members)} posted" + (f", {r.roster_size} on the roster" if r.roster_size else "")),
        ("Findings", f"{len(r.items)} (worst: {severity_word(res.worst())})"),
        ("Rules", f"{cell(res.pack_name)} {cell(res.pack_version)}"),
        ("Generated", f"{r.generated} by wa-audit {res.tool_version}"),
    ]
    if r.filters:
        rows.append(("Filters", cell("; ".join(r.filters))))
    if r.redacted:
        rows.append(("Redacted", "yes"))
    out += ["| | |", "|---|---|", *(f"| **{k}** | {v} |" for k, v in rows), ""]
    for n in res.notes:
        out.append(f"- Note: {esc(n)}")
    if res.notes:
        out.append("")

    out += ["## Integrity of the export", "",
            f"The file checked has SHA-256 `{c.sha256}`; any change to it gives a different value. An export is "
            "plain text anyone can edit: these checks look for traces an editor leaves and WhatsApp never does. "
            "They are not findings, and a careful edit in the export's own format leaves none: before acting on a "
            "disputed message, see it in the group on a phone.", ""]
    if res.integrity:
        out += [f"**{len(res.integrity)} sign{'s' if len(res.integrity) != 1 else ''} that the export may have "
                "been edited:**", "", "| Line | Check | What was seen |", "|---:|---|---|"]
        out += [f"| {sg.line or '–'} | {cell(sg.title)} | {cell(sg.detail)} |" for sg in res.integrity]
    else:
        out.append("**No signs of editing were found.**")
    out.append("")

    out += ["## Breach summary per member", "",
            "Count and worst severity per category (B breach, W warning, i info); members with no findings "
            "are listed too, to show who was checked.", ""]
    letter = {"breach": "B", "warning": "W", "info": "i"}
    out.append("| Member | " + " | ".join(r.columns) + " | Total | Worst |")
    out.append("|---|" + "---:|" * len(r.columns) + "---:|---|")
    for s in r.summary:
        cells = [f"{s.counts[col]} {letter[severity_word(s.worst[col])]}" if s.counts.get(col) else "–"
                 for col in r.columns]
        worst = severity_word(s.worst_overall)
        out.append(f"| {cell(s.member)} | " + " | ".join(cells) + f" | {s.total} | {worst} |")
    out.append("")

    out += ["## Escalation pathway", ""]
    out += [f"{i}. **{k}.** {esc(v)}" for i, (k, v) in enumerate(r.pathway.stages(), 1)]
    out.append("")

    out += ["## Findings by member", ""]
    if not r.by_member:
        out += ["No findings.", ""]
    by = {s.member: s for s in r.summary}
    for sec in r.by_member:
        s = by[sec.key]
        cats = ", ".join(f"{CATEGORIES[k].title} {n}" for k, n in s.counts.items() if n)
        out += [f"### {cell(sec.title)}", "",
                f"{s.total} finding{'s' if s.total != 1 else ''}, worst {severity_word(sec.worst)}: {cats}", ""]
        for it in sec.items:
            out += _finding(it)

    out += ["## Findings by category", ""]
    if not r.by_category:
        out += ["No findings.", ""]
    for sec in r.by_category:
        cat = CATEGORIES[sec.key]
        out += [f"### {cat.title} (`{cat.id}`): {len(sec.items)}", "", f"Policy: “{esc(cat.clause)}”", "",
                "| # | When | Member | Message (evidence in bold) | Severity | Next step |",
                "|---|---|---|---|---|---|"]
        for it in sec.items:
            if it.message is None:
                msg = f"*{cell(it.finding.explanation)}*"
            else:
                msg = ((f"*{cell(it.message.placeholder)}* " if it.message.placeholder else "")
                       + _text([(re.sub(r"\s+", " ", ch), hot) for ch, hot in it.message.segments]))
            out.append(f"| {it.ref} | {it.when or '–'} | {cell(it.member)} | {msg} | "
                       f"{severity_word(it.finding.severity)} | {it.next_step.stage} |")
        out.append("")

    out += ["---", "",
            f"Made offline by wa-audit {res.tool_version}. Findings are automated suggestions against the policy: "
            "a person must read each one in context before any action is taken.", ""]
