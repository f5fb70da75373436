"""`wa-audit parse`: placeholder until the parser lands."""
from whatsapp_audit.cli import app


@app.command("parse")
def parse_cmd(chat: str) -> None:
    """Parse an export into message records."""
    raise NotImplementedError
