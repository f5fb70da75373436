"""Output formats. Each module renders a ScanResult (scan) or a Report view (report) to text; `--format`
choices come from these enums."""

from __future__ import annotations

import io
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from whatsapp_audit.report.view import Report


class ScanFormat(StrEnum):
    text = "text"
    json = "json"


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    csv = "csv"
    json = "json"

    @property
    def module(self) -> str:
        return {"html": "html", "md": "markdown", "csv": "csv_format", "json": "json_format"}[self.value]

    @classmethod
    def from_suffix(cls, path: str) -> ReportFormat | None:
        """The format a file name asks for (`-o report.md`), or None."""
        ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        return {"html": cls.html, "htm": cls.html, "md": cls.md, "markdown": cls.md, "csv": cls.csv,
                "json": cls.json}.get(ext)


def render_report(report: Report, fmt: ReportFormat) -> str:
    """The report in one format, as text."""
    buf = io.StringIO()
    write_report(report, fmt, buf)
    return buf.getvalue()


def write_report(report: Report, fmt: ReportFormat, out: TextIO) -> None:
    """The report written to `out` a piece at a time: every format module exposes `write_report(report, out)`
    (a 25,000-finding report built as one string took several copies of it, at 4 bytes a character once it
    holds an emoji)."""
    import_module(f"{__name__}.{fmt.module}").write_report(report, out)
