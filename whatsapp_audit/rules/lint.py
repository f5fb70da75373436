"""`wa-audit rules lint`: every problem in a pack, with positions, without running a chat."""

from __future__ import annotations

from whatsapp_audit.rules.interface import LintIssue
from whatsapp_audit.rules.pack import FileIssue, RulePack


def lint(pack: RulePack) -> list[FileIssue]:
    """Schema problems found while loading, plus each rule type's own checks (e.g. catastrophic regexes)."""
    issues = list(pack.issues)
    for rule in pack.rules:
        checker = pack.checkers.get(rule.id)
        if checker is None:
            continue
        for issue in checker.lint():
            issues.append(FileIssue(rule.source, LintIssue(issue.message, issue.line or rule.line,
                                                           issue.col or rule.col)))
    return sorted(issues, key=lambda i: (i.path, i.issue.line, i.issue.col))


def github(issue: FileIssue) -> str:
    """A GitHub Actions annotation."""
    msg = issue.issue.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::error file={issue.path},line={issue.issue.line},col={issue.issue.col}::{msg}"
