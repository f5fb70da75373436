"""`scan --format text`: a per-member summary table, then each finding with its evidence highlighted."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import Finding, Severity
from whatsapp_audit.report.highlight import segments
from whatsapp_audit.results import ScanResult

STYLE = {Severity.breach: "bold red", Severity.warning: "yellow", Severity.info: "cyan"}
# Severity is also written as a word/letter, never shown by colour alone.
MARK = {Severity.breach: "B", Severity.warning: "W", Severity.info: "i"}

# Chat text is hostile input: terminal control characters (ESC sequences can clear the screen, fake
# output or set the clipboard) become visible symbols, one character for one so evidence offsets hold.
# Rich markup in names ("[/]", "[bold]") is never parsed: every chat string goes in as Text.
_CONTROLS = {c: 0x2400 + c for c in range(32) if c not in (9, 10)} | {127: 0x2421} | \
            dict.fromkeys(range(0x80, 0xA0), 0xFFFD)


SHOW_SIGNS = 10   # integrity signs listed on the terminal


def clean(s: str) -> str:
    """`s` safe to print on a terminal (same length)."""
    return s.translate(_CONTROLS)


def _summary_table(result: ScanResult, console: Console) -> Table:
    """Members x categories when the terminal is wide enough, else one line of categories per member
    (15 narrow columns of truncated names help nobody)."""
    cats = result.categories_used()
    rows = [s for s in result.summary() if s.total]
    title = "Findings per member (count and worst severity: B breach, W warning, i info)"
    wide = console.width >= 24 + 8 * len(cats) + sum(len(c) for c in cats)
    t = Table(title=title, title_justify="left")
    t.add_column("Member", style="bold", no_wrap=True)
    t.add_column("Worst", no_wrap=True)
    t.add_column("Total", justify="right")
    if wide:
        for c in cats:
            t.add_column(c, justify="right", no_wrap=True)
    else:
        t.add_column("Findings by category")
    for s in rows:
        worst = s.worst_overall
        row: list[Text | str] = [Text(clean(s.member)), Text(worst.name if worst else "", style=STYLE.get(worst, "")),
                                 str(s.total)]
        if wide:
            for c in cats:
                n = s.counts.get(c, 0)
                row.append(Text(f"{n} {MARK[s.worst[c]]}", style=STYLE[s.worst[c]]) if n
                           else Text("·", style="dim"))
        else:
            cell = Text()
            for c in cats:
                if s.counts.get(c):
                    if cell:
                        cell.append("  ")
                    cell.append(f"{c} {s.counts[c]} {MARK[s.worst[c]]}", style=STYLE[s.worst[c]])
            row.append(cell)
        t.add_row(*row)
    return t


def _finding(f: Finding) -> Text:
    t = Text()
    t.append(f"[{f.severity.name.upper()}] ", style=STYLE[f.severity])
    t.append(f"{f.category}", style="bold")
    if f.message is not None:
        m = f.message
        t.append(f"  {m.timestamp.replace('T', ' ')[:16]}  line {m.line}  {clean(m.author or '(system)')}\n")
        if m.text:
            body = m.text
        elif m.kind == "media":
            kind = "" if m.media in (None, "unknown") else f"{m.media} "
            body = f"<{kind}media: not included in the export>"
        else:
            body = f"<{m.kind}>"
        t.append("    ")
        for chunk, hot in segments(clean(body), f.evidence if m.text else []):
            t.append(chunk.replace("\n", "\n    "), style="reverse bold" if hot else None)
        t.append("\n")
    else:
        t.append(f"  {clean(f.subject or '')}\n")
    t.append(f"    why: {clean(f.explanation)}\n", style="dim")
    t.append(f"    policy: \"{f.policy or CATEGORIES[f.category].clause}\"  (rule {f.rule})\n", style="dim")
    return t


def _integrity(console: Console, result: ScanResult) -> None:
    """The export's SHA-256, and any signs that it was edited (these are not findings)."""
    console.print(Text(f"export SHA-256: {result.chat.sha256}", style="dim"))
    signs = result.integrity
    if not signs:
        return
    t = Text(f"Integrity: {len(signs)} sign{'s' if len(signs) != 1 else ''} that the export may have been edited "
             "(not findings; check against the group on a phone):\n", style="yellow")
    for sg in signs[:SHOW_SIGNS]:
        where = f"line {sg.line}" if sg.line else "file"
        t.append(f"    {where}: {sg.title}: {clean(sg.detail)}\n")
    if len(signs) > SHOW_SIGNS:
        t.append(f"    ... {len(signs) - SHOW_SIGNS} more in --format json and in `wa-audit report`\n")
    console.print(t)


def render_to(console: Console, result: ScanResult, findings: bool = True) -> None:
    c = result.chat
    head = Text(clean(result.group_name or c.name), style="bold")
    head.append(f"  {c.messages} messages from {len(c.members)} members, {(c.first or '')[:10]} to "
                f"{(c.last or '')[:10]} ({c.dialect})  rules: {clean(result.pack_name)} {clean(result.pack_version)}")
    console.print(head)
    _integrity(console, result)
    if not result.findings:
        left_out = (result.baseline or {}).get("suppressed", 0)
        if left_out:
            console.print(Text(f"No new findings: all {left_out} finding{'s' if left_out != 1 else ''} in this chat "
                               f"were reviewed before ({clean(str(result.baseline.get('file', '')))}).",
                               style="green"))
        else:
            console.print("[green]No findings: nothing in this chat breaks the policy rules.[/]")
        return
    console.print(_summary_table(result, console))
    quiet = [clean(s.member) for s in result.summary() if not s.total]
    if quiet:
        console.print(Text(f"No findings for: {', '.join(quiet)}", style="dim"))
    if findings:
        console.print()
        for f in result.findings:
            console.print(_finding(f))
    worst = result.worst()
    console.print(f"{len(result.findings)} findings; worst severity: {worst.name if worst else 'none'}.")
