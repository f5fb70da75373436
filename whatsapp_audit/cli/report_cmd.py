"""`wa-audit report`: the deputy head's breach report (HTML, Markdown, CSV or JSON).

Exit codes follow the contract for every command: 0 when nothing at or above `--fail-on` was found
(default `breach`), 1 when something was (the report is still written in full), 2 for bad usage or
unreadable input. `--fail-on never` always exits 0 after writing the report.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from typing import TextIO

import typer

from whatsapp_audit.cli import app, common
from whatsapp_audit.cli.options import DateOrder, FailOn
from whatsapp_audit.errors import UserError
from whatsapp_audit.report.formats import ReportFormat


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_not_input(path: str, inputs: list[str | None]) -> None:
    if os.path.isdir(path):
        raise UserError("is a folder, not a file", path=path, hint="give -o a file name such as report.html")
    for p in inputs:
        if p and p != "-" and os.path.exists(path) and _same_file(path, p):
            raise UserError("refusing to overwrite an input file with the report", path=path,
                            hint="choose another -o file")


def write_atomically(path: str, text: str | Callable[[TextIO], None], protect: list[str | None]) -> None:
    """Write `text` (or what the function writes into the file) to `path` via a temporary file in the same
    folder and os.replace(), so a reader never sees half a report and a failed run leaves any earlier report
    intact. Refuses to overwrite the inputs. The file is created readable by its owner only (it holds
    children's personal data)."""
    check_not_input(path, protect)
    if os.path.isdir(path):
        raise UserError("is a folder, not a file", path=path, hint="give -o a file name such as report.html")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise UserError("the folder for the report does not exist", path=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise UserError(f"cannot write the report here: {e.strerror}", path=path) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            if callable(text):
                text(fh)
            else:
                fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise UserError(f"cannot write the report: {e.strerror}", path=path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@app.command("report")
def report_cmd(
    chat: list[str] = typer.Argument(..., help="The exported chat: .txt, the .zip from 'Export chat', or - for stdin. "
                                     "Several chats or folders of them (one per class): one report file for all."),
    group: str | None = typer.Option(None, "--group", "-g",
                                     help="group.yaml: roster, staff, pupils, investigations, school. With several "
                                          "chats: one file for all, or a folder with <chat name>.yaml or group.yaml."),
    fmt: ReportFormat | None = typer.Option(None, "--format", "-f",
                                            help="html (default), md, csv or json; default from -o's suffix."),
    output: str | None = typer.Option(None, "--output", "-o", help="Write the report to this file (else stdout)."),
    since: str | None = typer.Option(None, "--since", help="Only messages on or after this date (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="Only messages on or before this date (YYYY-MM-DD)."),
    member: str | None = typer.Option(None, "--member", "-m", help="Only this member's findings."),
    redact: bool = typer.Option(False, "--redact", help="Replace children's and third-party names, phone "
                                "numbers, e-mails and addresses with placeholders (child, name, phone, ...)."),
    rules: list[str] | None = typer.Option(None, "--rules", "-r", help="Rule file or folder (repeatable)."),
    only: list[str] | None = typer.Option(None, "--only", help="Only these categories."),
    skip: list[str] | None = typer.Option(None, "--skip", help="Skip these categories."),
    no_ner: bool = typer.Option(False, "--no-ner", help="No spaCy name model: names from roster and patterns only."),
    date_order: DateOrder = typer.Option(DateOrder.auto, "--date-order", help="When the file cannot tell."),
    fail_on: FailOn = typer.Option(FailOn.breach, "--fail-on",
                                   help="Exit 1 on findings at or above this severity (never: always 0)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither use nor update the re-scan cache "
                                  "(see `wa-audit cache`)."),
    jobs: int = typer.Option(0, "--jobs", "-j", min=0, help="Processes for several chats (default: one per CPU)."),
) -> None:
    """Write the breach report: per-member summary, each finding in context with the policy clause and the
    next step on the escalation pathway."""
    from whatsapp_audit.audit import ScanOptions, audit
    from whatsapp_audit.report.formats import write_report
    from whatsapp_audit.report.view import ReportOptions, build

    if fmt is None:
        fmt = (ReportFormat.from_suffix(output) if output else None) or ReportFormat.html
    opts = ScanOptions(only=common.categories(only, "--only"), skip=common.categories(skip, "--skip"),
                       since=common.iso_date(since, "--since"), until=common.iso_date(until, "--until"),
                       use_ner=not no_ner, date_order=date_order.value, cache=not no_cache)
    if opts.since and opts.until and opts.until[: len(opts.since)] < opts.since:
        raise UserError(f"--until {until} is before --since {since}")
    from whatsapp_audit.batch import expand, single_group

    chats, several = expand(chat)
    if output and output != "-":
        check_not_input(output, [*chats, group, *(rules or [])])    # before the scan, not after it
    if redact and ({"personal-names", "personal-details"} & set(opts.skip) or
                   (opts.only and not {"personal-names", "personal-details"} <= set(opts.only))):
        common.note("--redact with personal-names/personal-details not scanned: only the roster's pupils, phone "
                    "numbers, e-mails and addresses are recognised for redaction")
    pack = common.rules(rules)
    ropts = ReportOptions(member=member, since=opts.since, until=opts.until, redact=redact, only=opts.only,
                          skip=opts.skip)
    if several:
        from whatsapp_audit.batch import report_many

        text, n, code = report_many(chats, pack, rules, group, opts, ropts, fmt.value, fail_on.value, jobs)
        if output and output != "-":
            write_atomically(output, text, [*chats, group, *(rules or [])])
            common.note(f"wrote {fmt.value} report on {len(chats)} chats to {output} ({n} findings"
                        + (", redacted" if redact else ", contains personal data: store securely") + ")")
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
        raise typer.Exit(code)
    grp = common.group(single_group(chats[0], group))
    result = audit(chats[0], pack, grp, opts)
    if grp is None:   # after the scan: bad input gets its one error line alone
        common.note("no --group file: membership and investigation checks are skipped, no pupils' names "
                    "are known for --redact, and the school's names default")
    for n in result.notes:
        common.note(n)
    report = build(result, grp, ropts)
    if output and output != "-":
        write_atomically(output, lambda fh: write_report(report, fmt, fh), [*chats, group, *(rules or [])])
        common.note(f"wrote {fmt.value} report to {output} ({len(report.items)} findings"
                    + (", redacted" if redact else ", contains personal data: store securely") + ")")
    else:
        write_report(report, fmt, sys.stdout)
        sys.stdout.flush()
    raise typer.Exit(common.exit_code(report.result, fail_on.value))
