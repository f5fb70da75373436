"""Output formats. Each module renders a ScanResult (scan) or a Report view (report) to text; `--format`
choices come from these enums."""

from __future__ import annotations

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
    """The report in one format; every module exposes `render_report(report) -> str`."""
    module = import_module(f"{__name__}.{fmt.module}")
    return module.render_report(report)


def write_report(report: Report, fmt: ReportFormat, out: TextIO) -> None:
    """The report written to `out`: piece by piece where the format's module has `write_report(report, out)`
    (CSV and JSON: a 25,000-finding report never sits in memory as one string, which costs 4 bytes a
    character once it holds an emoji), else its rendered text."""
    module = import_module(f"{__name__}.{fmt.module}")
    if hasattr(module, "write_report"):
        module.write_report(report, out)
    else:
        out.write(module.render_report(report))
