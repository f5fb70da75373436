"""Rule packs: the YAML files a school edits, loaded, validated and merged.

A pack is a folder of `*.yaml` files (or single files). Any file may carry the pack's `name`, `version`
and `extends`; `extends: default` starts from the shipped pack, then `disable` switches rules off and
`severity` changes them, and rules with the same id as an inherited one replace it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whatsapp_audit.errors import UserError
from whatsapp_audit.model import Severity
from whatsapp_audit.rules.interface import LintIssue, Rule, RuleConfigError, RuleType
from whatsapp_audit.rules.schema import FILE_KEYS, check_mapping
from whatsapp_audit.rules.schema import build_rule as _build_rule
from whatsapp_audit.rules.types import REGISTRY
from whatsapp_audit.yamlpos import load_yaml, pos_of


@dataclass(slots=True)
class FileIssue:
    path: str
    issue: LintIssue

    def __str__(self) -> str:
        return f"{self.path}:{self.issue.line}:{self.issue.col}: {self.issue.message}"


@dataclass(slots=True)
class RulePack:
    name: str = "unnamed"
    version: str = "0"
    rules: list[Rule] = field(default_factory=list)
    checkers: dict[str, RuleType] = field(default_factory=dict)   # rule id -> compiled rule type
    files: list[str] = field(default_factory=list)
    issues: list[FileIssue] = field(default_factory=list)

    @property
    def enabled(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    @property
    def sha256(self) -> str:
        """Hash of what the enabled rules do: changes exactly when a rule's meaning changes."""
        h = hashlib.sha256()
        for r in self.enabled:
            h.update(rule_fingerprint(r).encode())
        return h.hexdigest()


def rule_fingerprint(rule: Rule) -> str:
    doc = {"id": rule.id, "category": rule.category, "severity": rule.severity.name, "type": rule.type,
           "options": rule.options, "exceptions": rule.exceptions, "unless": rule.unless,
           "kinds": list(rule.kinds), "window": rule.window}
    return json.dumps(doc, sort_keys=True, default=str)


def default_pack_dir() -> Path:
    """The shipped pack: inside the installed package (whatsapp_audit/default_rules, mapped from rules/ by
    pyproject.toml), or rules/ itself in a source checkout and an editable install."""
    installed = Path(__file__).resolve().parents[1] / "default_rules"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "rules"


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
        if not files:
            raise UserError("folder has no rule files (*.yaml)", path=str(path))
        return files
    if not path.exists():
        raise UserError("rule file or folder not found", path=str(path))
    return [path]


def _apply_file(pack: RulePack, path: Path, doc: Any, seen: set[Path]) -> None:
    name = str(path)
    pack.files.append(name)
    if doc is None:
        return
    for issue in check_mapping(doc, FILE_KEYS, "rule file"):
        pack.issues.append(FileIssue(name, issue))
    if not isinstance(doc, dict):
        return
    ext = doc.get("extends")
    if isinstance(ext, str):
        base = default_pack_dir() if ext == "default" else (path.parent / ext)
        if base.resolve() in seen:
            line, col = pos_of(doc, "extends")
            pack.issues.append(FileIssue(name, LintIssue(f"'extends' loops back to {ext}", line, col)))
        else:
            _load_into(pack, [base], seen)
    if doc.get("name") is not None:
        pack.name = str(doc["name"])
    if doc.get("version") is not None:
        pack.version = str(doc["version"])
    rules = doc.get("rules")
    if isinstance(rules, list):
        by_id = {r.id: i for i, r in enumerate(pack.rules)}
        own: set[str] = set()
        for i, data in enumerate(rules):
            rule, issues = _build_rule(data, name, REGISTRY)
            pack.issues.extend(FileIssue(name, x) for x in issues)
            if rule is None:
                continue
            if rule.id in own:
                line, col = pos_of(data, "id")
                pack.issues.append(FileIssue(name, LintIssue(f"duplicate rule id '{rule.id}'", line, col)))
                continue
            try:
                checker = REGISTRY[rule.type](rule)
            except RuleConfigError as e:
                line, col = pos_of(data, e.key) if e.key else pos_of(rules, i)
                pack.issues.append(FileIssue(name, LintIssue(f"rule '{rule.id}': {e}", line, col)))
                continue
            own.add(rule.id)
            pack.checkers[rule.id] = checker
            if rule.id in by_id:
                pack.rules[by_id[rule.id]] = rule   # a school's rule replaces the inherited one
            else:
                by_id[rule.id] = len(pack.rules)
                pack.rules.append(rule)
    known = {r.id: r for r in pack.rules}
    for key in ("disable", "severity"):
        value = doc.get(key)
        ids = list(value) if isinstance(value, list | dict) else []
        for j, rid in enumerate(ids):
            line, col = pos_of(value, j if isinstance(value, list) else rid)
            if rid not in known:
                pack.issues.append(FileIssue(name, LintIssue(f"'{key}' names unknown rule '{rid}'", line, col)))
            elif key == "disable":
                known[rid].enabled = False
            elif value[rid] not in Severity.__members__:
                pack.issues.append(FileIssue(name, LintIssue(
                    f"severity of '{rid}' must be info, warning or breach", line, col)))
            else:
                known[rid].severity = Severity[value[rid]]


def _load_into(pack: RulePack, paths: list[Path], seen: set[Path]) -> None:
    for path in paths:
        for f in _files(path):
            real = f.resolve()
            if real in seen:
                continue
            seen.add(real)
            try:
                doc = load_yaml(f)
            except UserError as e:
                pack.issues.append(FileIssue(str(f), LintIssue(e.message, e.line or 1, e.col or 1)))
                continue
            _apply_file(pack, f, doc, seen)


def load_pack(paths: list[str] | None = None, *, strict: bool = True) -> RulePack:
    """Load the default pack (no paths) or the given files/folders.

    strict: raise a UserError on the first problem (scan); otherwise collect every issue (lint).
    """
    pack = RulePack(name="wa-audit default rules")
    targets = [Path(p) for p in paths] if paths else [default_pack_dir()]
    _load_into(pack, targets, set())
    if strict and pack.issues:
        raise UserError(f"{pack.issues[0]} ({len(pack.issues)} problem(s) in the rules; "
                        "run `wa-audit rules lint` to see them all)")
    return pack
