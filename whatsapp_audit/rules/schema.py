"""One schema for rule files: the keys every rule has, plus the options its type declares.

Validation never stops at the first problem: it returns every issue with the YAML position it came from,
so `wa-audit rules lint` can print them all as `file:line:col: message`.
"""

from __future__ import annotations

from typing import Any

from whatsapp_audit.categories import CATEGORIES
from whatsapp_audit.model import KINDS, Severity
from whatsapp_audit.rules.interface import LintIssue, Opt, Rule
from whatsapp_audit.yamlpos import pos_of

# Keys allowed at the top of a rule file (any file of a pack may carry the pack's settings).
FILE_KEYS: dict[str, Opt] = {
    "name": Opt("str", doc="the pack's name, shown in scans and reports"),
    "version": Opt("str", doc="the pack's version"),
    "description": Opt("str"),
    "extends": Opt("str", doc="'default' (the shipped pack) or a path to another pack"),
    "disable": Opt("strs", doc="rule ids switched off"),
    "severity": Opt("dict", doc="rule id -> info|warning|breach, overriding the rule's own"),
    "rules": Opt("list", doc="the rules"),
}

RULE_KEYS: dict[str, Opt] = {
    "id": Opt("str", required=True, doc="unique id, kebab-case"),
    "category": Opt("str", required=True, choices=tuple(CATEGORIES), doc="finding category"),
    "severity": Opt("str", required=True, choices=tuple(s.name for s in Severity)),
    "message": Opt("str", required=True, doc="what the class rep reads"),
    "policy": Opt("str", required=True, doc="the policy clause it enforces, quoted"),
    "type": Opt("str", required=True, doc="rule type (see `wa-audit rules types`)"),
    "description": Opt("str"),
    "exceptions": Opt("strs", default=[], doc="phrases that cancel a match they overlap"),
    "unless": Opt("strs", default=[], doc="phrases that cancel the rule for the whole message"),
    "kinds": Opt("strs", doc="message kinds the rule applies to"),
    "scope": Opt("any", default="message", doc="'message' or {window: N} (also the N messages before)"),
    "examples": Opt("dict", required=True, doc="{breach: [...], clean: [...]}"),
    "enabled": Opt("bool", default=True),
}

_PY = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}


def check_value(name: str, value: Any, opt: Opt) -> str | None:
    """Why `value` does not fit `opt`, or None."""
    if opt.kind == "any":
        return None
    if opt.kind == "strs":
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            return f"'{name}' must be a list of strings"
        return None
    want = _PY[opt.kind]
    if isinstance(value, bool) and opt.kind in ("int", "float"):
        return f"'{name}' must be a number"
    if opt.kind == "str" and isinstance(value, int | float) and not isinstance(value, bool):
        return None  # `version: 1.2` is fine
    if not isinstance(value, want):
        return f"'{name}' must be {'a ' + opt.kind if opt.kind != 'strs' else 'a list'}"
    if opt.choices and value not in opt.choices:
        return f"unknown {name} {value!r} (one of: {', '.join(opt.choices)})"
    return None


def check_mapping(data: Any, schema: dict[str, Opt], what: str) -> list[LintIssue]:
    issues: list[LintIssue] = []
    if not isinstance(data, dict):
        line, col = pos_of(data)
        return [LintIssue(f"{what} must be a mapping", line, col)]
    for key, value in data.items():
        line, col = getattr(data, "key_pos", {}).get(key, pos_of(data))
        if key not in schema:
            issues.append(LintIssue(f"unknown key '{key}' in {what} (allowed: {', '.join(schema)})", line, col))
            continue
        why = check_value(key, value, schema[key])
        if why:
            vline, vcol = pos_of(data, key)
            issues.append(LintIssue(why, vline, vcol))
    for key, opt in schema.items():
        if opt.required and key not in data:
            line, col = pos_of(data)
            issues.append(LintIssue(f"{what} is missing '{key}'", line, col))
    return issues


def _as_strs(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _window(scope: Any) -> int | None:
    if scope in (None, "message"):
        return 0
    if isinstance(scope, dict) and set(scope) == {"window"} and isinstance(scope["window"], int) \
            and not isinstance(scope["window"], bool) and 0 <= scope["window"] <= 10:
        return scope["window"]
    return None


def build_rule(data: Any, source: str, types: dict[str, Any]) -> tuple[Rule | None, list[LintIssue]]:
    """Validate one rule mapping against the common keys and its type's options."""
    rtype = data.get("type") if isinstance(data, dict) else None
    type_cls = types.get(rtype) if isinstance(rtype, str) else None
    schema = dict(RULE_KEYS)
    if type_cls is not None:
        schema.update(type_cls.options)
    issues = check_mapping(data, schema, f"rule '{data.get('id', '?')}'" if isinstance(data, dict) else "rule")
    if not isinstance(data, dict):
        return None, issues
    if isinstance(rtype, str) and type_cls is None:
        line, col = pos_of(data, "type")
        issues.append(LintIssue(f"unknown rule type '{rtype}' (one of: {', '.join(sorted(types))})", line, col))
    kinds = data.get("kinds")
    if isinstance(kinds, list):
        for i, k in enumerate(kinds):
            if k not in KINDS:
                line, col = pos_of(kinds, i)
                issues.append(LintIssue(f"unknown message kind '{k}' (one of: {', '.join(KINDS)})", line, col))
    window = _window(data.get("scope", "message"))
    if window is None:
        line, col = pos_of(data, "scope")
        issues.append(LintIssue("'scope' must be 'message' or {window: N} with 0 <= N <= 10", line, col))
    examples = data.get("examples")
    if isinstance(examples, dict):
        issues.extend(check_mapping(examples, {"breach": Opt("list"), "clean": Opt("list")}, "examples"))
        if not examples.get("breach"):
            line, col = pos_of(data, "examples")
            issues.append(LintIssue("examples need at least one 'breach' example the rule must flag", line, col))
        if not examples.get("clean") and data.get("type") != "media":
            line, col = pos_of(data, "examples")
            issues.append(LintIssue("examples need at least one 'clean' example the rule must not flag",
                                    line, col))
    if issues or type_cls is None:
        return None, issues
    line, col = data.pos if hasattr(data, "pos") else (0, 0)
    options = {k: data.get(k, opt.default) for k, opt in type_cls.options.items()}
    rule = Rule(
        id=str(data["id"]), category=data["category"], severity=Severity[data["severity"]],
        message=str(data["message"]).strip(), policy=str(data["policy"]).strip(), type=rtype,
        options=options,
        exceptions=_as_strs(data.get("exceptions")), unless=_as_strs(data.get("unless")),
        kinds=tuple(kinds) if isinstance(kinds, list) else getattr(type_cls, "default_kinds",
                                                                   ("text", "media", "poll")),
        window=window or 0,
        examples_breach=list(examples.get("breach") or []) if isinstance(examples, dict) else [],
        examples_clean=list(examples.get("clean") or []) if isinstance(examples, dict) else [],
        enabled=bool(data.get("enabled", True)), source=source, line=line, col=col, raw=data,
    )
    return rule, []
