"""`wa-audit scan`: what in this chat breaks the policy, per member, and why."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer

from whatsapp_audit.cli import app, common
from whatsapp_audit.cli.options import DateOrder, FailOn
from whatsapp_audit.report.formats import ScanFormat


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A message counter on stderr, only when a person is watching (stderr is a terminal)."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("scanning: {task.completed:,} messages"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as p:
        task = p.add_task("scan", total=None)
        yield lambda n: p.update(task, completed=n)


@app.command("scan")
def scan_cmd(
    chat: list[str] = typer.Argument(..., help="The exported chat: .txt, the .zip from 'Export chat', or - for stdin. "
                                     "Several chats or folders of them (one per class): a summary per group and a "
                                     "combined one, scanned in parallel."),
    group: str | None = typer.Option(None, "--group", "-g", help="group.yaml: roster, staff, pupils, investigations. "
                                     "With several chats: one file for all, or a folder with <chat name>.yaml or "
                                     "group.yaml."),
    rules: list[str] | None = typer.Option(None, "--rules", "-r", help="Rule file or folder (repeatable)."),
    only: list[str] | None = typer.Option(None, "--only", help="Only these categories."),
    skip: list[str] | None = typer.Option(None, "--skip", help="Skip these categories."),
    since: str | None = typer.Option(None, "--since", help="Only messages on or after this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Only messages on or before this date (YYYY-MM-DD)."),
    fmt: ScanFormat = typer.Option(ScanFormat.text, "--format", "-f", help="text for people, json for tools."),
    fail_on: FailOn = typer.Option(FailOn.breach, "--fail-on", help="Exit 1 on findings at or above this severity."),
    no_ner: bool = typer.Option(False, "--no-ner", help="No spaCy name model: names from roster and patterns only."),
    date_order: DateOrder = typer.Option(DateOrder.auto, "--date-order", help="When the file cannot tell."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither use nor update the re-scan cache "
                                  "(see `wa-audit cache`)."),
    baseline: str | None = typer.Option(None, "--baseline", help="Show only findings not yet reviewed in this file "
                                        "(reviewed.json); says how many were left out."),
    write_baseline: str | None = typer.Option(None, "--write-baseline", help="Record all current findings as reviewed "
                                              "in this file (added to it if it exists)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Processes for several chats, or for one big chat "
                             "(its rules shared out by category); default: one per CPU."),
) -> None:
    """Scan a chat and show, per member, what breaks the policy and why."""
    from whatsapp_audit.audit import ScanOptions
    from whatsapp_audit.batch import expand, single_group
    from whatsapp_audit.split import audit_split

    opts = ScanOptions(only=common.categories(only, "--only"), skip=common.categories(skip, "--skip"),
                       since=common.iso_date(since, "--since"), until=common.iso_date(until, "--until"),
                       use_ner=not no_ner, date_order=date_order.value, cache=not no_cache,
                       context=False)
    chats, several = expand(chat)
    pack = common.rules(rules)
    if several:
        from whatsapp_audit.batch import scan_many

        raise typer.Exit(scan_many(chats, pack, rules, group, opts, fmt.value, fail_on.value, baseline,
                                   write_baseline, jobs))
    grp = common.group(single_group(chats[0], group))
    with progress_bar(fmt is ScanFormat.text) as progress:
        result = audit_split(chats[0], pack, rules, grp, opts, jobs, progress)
    if grp is None:   # after the scan: bad input gets its one error line alone
        common.note("no --group file: membership and investigation checks are skipped")
    for n in result.notes:
        common.note(n)
    if baseline or write_baseline:
        from whatsapp_audit.baseline import use

        for n in use([result], baseline, write_baseline):
            common.note(n)
    if fmt is ScanFormat.json:
        from whatsapp_audit.report.formats import json_format

        json_format.write(result, sys.stdout)
    else:
        from rich.console import Console

        from whatsapp_audit.report.formats import text

        text.render_to(Console(), result)
    raise typer.Exit(common.exit_code(result, fail_on.value))
