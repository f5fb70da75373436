"""`wa-audit parse`'s output: an export's records as JSON lines or a table, and the parser's notes.

Used by the typer command (cli/parse_cmd.py) and by the fast path in __main__.py, which skips importing
typer and click (a fifth of the whole run on a 100,000-message export)."""

from __future__ import annotations

import sys

FORMATS = ("jsonl", "table")


def print_records(chat: str, fmt: str = "jsonl", date_order: str = "auto") -> int:
    """Print the export's records (`jsonl` or `table`) and the parser's notes; UserError on bad input."""
    from whatsapp_audit.parse import open_chat

    with open_chat(chat, date_order) as c:
        if fmt == "jsonl":
            _write_jsonl(c)
        else:
            _print_table(c)
        for note in c.notes:
            print(f"wa-audit: note: {note}", file=sys.stderr)
    return 0


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
