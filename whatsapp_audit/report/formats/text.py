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


def _summary_table(result: ScanResult) -> Table:
    cats = result.categories_used()
    t = Table(title="Findings per member (count, worst severity: B breach, W warning, i info)",
              title_justify="left", show_lines=False)
    t.add_column("Member", style="bold")
    for c in cats:
        t.add_column(c, justify="right")
    t.add_column("Total", justify="right")
    for s in result.summary():
        if not s.total:
            continue
        row = [s.member]
        for c in cats:
            n = s.counts.get(c, 0)
            row.append(Text(f"{n} {MARK[s.worst[c]]}", style=STYLE[s.worst[c]]) if n else Text("·", style="dim"))
        row.append(str(s.total))
        t.add_row(*row)
    return t


def _finding(f: Finding) -> Text:
    t = Text()
    t.append(f"[{f.severity.name.upper()}] ", style=STYLE[f.severity])
    t.append(f"{f.category}", style="bold")
    if f.message is not None:
        m = f.message
        t.append(f"  {m.timestamp.replace('T', ' ')[:16]}  line {m.line}  {m.author or '(system)'}\n")
        body = m.text if m.text else f"<{m.media or m.kind}>"
        t.append("    ")
        for chunk, hot in segments(body, f.evidence if m.text else []):
            t.append(chunk.replace("\n", "\n    "), style="reverse bold" if hot else None)
        t.append("\n")
    else:
        t.append(f"  {f.subject or ''}\n")
    t.append(f"    why: {f.explanation}\n", style="dim")
    t.append(f"    policy: \"{f.policy or CATEGORIES[f.category].clause}\"  (rule {f.rule})\n", style="dim")
    return t


def render_to(console: Console, result: ScanResult, findings: bool = True) -> None:
    c = result.chat
    console.print(f"[bold]{result.group_name or c.name}[/]  {c.messages} messages from {len(c.members)} "
                  f"members, {(c.first or '')[:10]} to {(c.last or '')[:10]} ({c.dialect})  "
                  f"rules: {result.pack_name} {result.pack_version}")
    if not result.findings:
        console.print("[green]No findings: nothing in this chat breaks the policy rules.[/]")
        return
    console.print(_summary_table(result))
    clean = [s.member for s in result.summary() if not s.total]
    if clean:
        console.print(f"No findings for: {', '.join(clean)}", style="dim")
    if findings:
        console.print()
        for f in result.findings:
            console.print(_finding(f))
    worst = result.worst()
    console.print(f"{len(result.findings)} findings; worst severity: {worst.name if worst else 'none'}.")
