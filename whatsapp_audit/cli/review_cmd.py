"""`wa-audit review`: mark findings as reviewed in a baseline file, so later scans with `--baseline` show
only new ones; without `--finding`, list the findings the baseline does not cover yet, with fingerprints."""

from __future__ import annotations

import typer

from whatsapp_audit.cli import app, common
from whatsapp_audit.cli.options import DateOrder
from whatsapp_audit.errors import UserError


@app.command("review")
def review_cmd(
    chat: str = typer.Argument(..., help="The exported chat (as given to `scan`)."),
    baseline: str = typer.Option(..., "--baseline", "-b", help="The baseline file (created if missing)."),
    finding: list[str] | None = typer.Option(None, "--finding", help="Fingerprint (or its first 6+ digits) of a "
                                             "finding to mark as reviewed (repeatable)."),
    reason: str | None = typer.Option(None, "--reason", help="Why it needs no further action (kept in the file)."),
    group: str | None = typer.Option(None, "--group", "-g", help="group.yaml, as for the scan."),
    rules: list[str] | None = typer.Option(None, "--rules", "-r", help="Rule file or folder, as for the scan."),
    no_ner: bool = typer.Option(False, "--no-ner", help="As for the scan."),
    date_order: DateOrder = typer.Option(DateOrder.auto, "--date-order", help="When the file cannot tell."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither use nor update the re-scan cache."),
) -> None:
    """Mark findings as reviewed in a baseline file, or list the ones not reviewed yet.

    wa-audit review CHAT --baseline reviewed.json    lists them, with fingerprints;
    wa-audit review CHAT --baseline reviewed.json --finding 3f9a0c1d --reason "spoke to the parent"
    marks one. Then `wa-audit scan CHAT --baseline reviewed.json` shows only new findings."""
    from whatsapp_audit.audit import ScanOptions, audit
    from whatsapp_audit.baseline import Baseline
    from whatsapp_audit.batch import single_group

    if finding and not (reason and reason.strip()):
        raise UserError("--reason is required with --finding (say why it needs no further action)")
    base = Baseline.load(baseline, missing_ok=True)
    result = audit(chat, common.rules(rules), common.group(single_group(chat, group)),
                   ScanOptions(use_ner=not no_ner, date_order=date_order.value, cache=not no_cache))
    if not finding:
        todo = [f for f in result.findings if f.fingerprint not in base]
        for f in todo:
            m = f.message
            where = f"{m.timestamp.replace('T', ' ')[:16]}  {m.author or '(system)'}: " \
                    f"{(m.text or '<' + (m.media or m.kind) + '>').splitlines()[0][:60]}" if m else (f.subject or "")
            typer.echo(f"{f.fingerprint}  {f.severity.name:<7} {f.category:<22} {where}")
        common.note(f"{len(todo)} of {len(result.findings)} findings not reviewed in {baseline}"
                    + ("; mark one with --finding FINGERPRINT --reason ..." if todo else ""))
        return
    picked = [base.resolve(w, result.findings) for w in finding]
    for f in picked:
        base.add(f, reason.strip() if reason else "")
    base.save()
    common.note(f"marked {len(picked)} finding(s) as reviewed in {baseline}")
