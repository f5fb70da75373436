"""`wa-audit group init|check`: draft a group.yaml (the roster) from an export, and validate one."""

from __future__ import annotations

import sys

import typer

from whatsapp_audit.cli import app
from whatsapp_audit.cli.options import DateOrder

group_app = typer.Typer(help="The class roster (group.yaml): draft one from a chat, or check one.",
                        no_args_is_help=True)
app.add_typer(group_app, name="group")


@group_app.command("init")
def init_cmd(
    chat: str = typer.Argument(..., help="The exported chat: .txt, the .zip from 'Export chat', or - for stdin."),
    date_order: DateOrder = typer.Option(DateOrder.auto, "--date-order", help="When the file cannot tell."),
) -> None:
    """Draft a group.yaml from the chat's senders and system events: wa-audit group init CHAT > group.yaml"""
    from whatsapp_audit.parse import open_chat
    from whatsapp_audit.roster.draft import draft_group

    with open_chat(chat, date_order=date_order.value) as c:
        text = draft_group(c.messages(), source=c.name or chat)
        notes = list(c.notes)
    sys.stdout.write(text)
    for n in notes:
        print(f"wa-audit: note: {n}", file=sys.stderr)
    if sys.stdout.isatty():
        print("wa-audit: note: redirect this into a file and edit it: wa-audit group init CHAT > group.yaml",
              file=sys.stderr)


@group_app.command("check")
def check_cmd(path: str = typer.Argument(..., help="The group.yaml to validate.")) -> None:
    """Validate a group.yaml: problems are printed as file:line:col and exit with 2."""
    from whatsapp_audit.roster.load import load_group

    g = load_group(path)
    left = sum(1 for m in g.members if m.left)
    still = sum(1 for i in g.investigations if i.closed is None)
    typer.echo(f"{path}: ok: {g.name or '(no group name)'}: {len(g.members)} members ({left} marked as left), "
               f"{len(g.staff)} staff, {len(g.pupils)} pupils, {len(g.investigations)} investigations "
               f"({still} open)")
