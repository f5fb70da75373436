"""Errors the user can act on. The CLI prints them as one line and exits 2; never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad usage or unreadable input: names the file (and line where it helps) and what to do."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 col: int | None = None, hint: str | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}" + (f":{self.col}" if self.col is not None else "")
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text
