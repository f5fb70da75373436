"""`wa-audit parse CHAT`: print an export's message records (JSON lines per CONTRACT.md, or a table)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from whatsapp_audit.cli import app
from whatsapp_audit.cli.options import DateOrder
from whatsapp_audit.parse.output import FORMATS

OutputFormat = StrEnum("OutputFormat", {f: f for f in FORMATS})   # parse/output.py's formats


@app.command("parse")
def parse_cmd(
    chat: Annotated[str, typer.Argument(metavar="CHAT",
                                        help="The export: a .txt, the .zip WhatsApp makes, or - for stdin.")],
    fmt: Annotated[OutputFormat, typer.Option("--format", "-f", case_sensitive=False,
                                              help="jsonl: one record per line (see CONTRACT.md); "
                                                   "table: for reading.")] = OutputFormat.jsonl,
    date_order: Annotated[DateOrder, typer.Option(
        "--date-order", case_sensitive=False,
        help="Day-first (dmy) or month-first (mdy) dates; auto decides from the file.")] = DateOrder.auto,
) -> None:
    """Parse an export into message records."""
    from whatsapp_audit.parse.output import print_records

    raise typer.Exit(print_records(chat, fmt.value, date_order.value))
