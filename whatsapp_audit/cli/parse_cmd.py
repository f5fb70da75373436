"""`wa-audit parse CHAT`: print an export's message records (JSON lines per CONTRACT.md, or a table)."""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import Annotated

import typer

from whatsapp_audit.cli import app
from whatsapp_audit.cli.options import DateOrder


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    table = "table"




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
    # Imported here so that other commands (and --help) do not pay for the parser.
    from whatsapp_audit.parse import open_chat

    with open_chat(chat, date_order.value) as c:
        try:
            if fmt is OutputFormat.jsonl:
                _write_jsonl(c)
            else:
                _print_table(c)
        except BrokenPipeError:
            # `wa-audit parse chat.txt | head`: the reader went away; stop quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        for note in c.notes:
            print(f"wa-audit: note: {note}", file=sys.stderr)


def _write_jsonl(c: object) -> None:
    from whatsapp_audit.parse.jsonl import write_lines

    out = getattr(sys.stdout, "buffer", None)
    if out is None:                    # stdout replaced by a text-only stream
        import io

        out = io.BytesIO()
        write_lines(c.json_batches(), out)  # type: ignore[attr-defined]
        sys.stdout.write(out.getvalue().decode("utf-8"))
        return
    sys.stdout.flush()
    write_lines(c.json_batches(), out)  # type: ignore[attr-defined]
    out.flush()


def _print_table(c: object) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from whatsapp_audit.parse import Chat
    from whatsapp_audit.report.formats.text import clean

    assert isinstance(c, Chat)
    table = Table(title=Text(clean(f"{c.name} ({c.dialect})")), show_lines=False, expand=False)
    for col, kw in (("#", {"justify": "right", "no_wrap": True}), ("line", {"justify": "right", "no_wrap": True}),
                    ("time", {"no_wrap": True}), ("author", {}), ("kind", {"no_wrap": True}),
                    ("text", {"overflow": "fold", "min_width": 20})):
        table.add_column(col, **kw)  # type: ignore[arg-type]
    for m in c.messages():
        kind = m.kind
        if m.media:
            kind += f":{m.media}"
        if m.event:
            kind += f":{m.event}"
        if m.edited:
            kind += " (edited)"
        # Chat text as Text, never as Rich markup ("[/]" in a name), with control characters made visible.
        table.add_row(str(m.index), str(m.line), m.timestamp.replace("T", " "), Text(clean(m.author or "")),
                      kind, Text(clean(m.text)), style="dim" if m.author is None else None)
    Console().print(table)
