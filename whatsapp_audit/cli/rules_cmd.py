"""`wa-audit rules lint|test|list|types`: for the people who edit rule files, and for their CI."""

from __future__ import annotations

from enum import StrEnum

import typer

from whatsapp_audit.cli import app

rules_app = typer.Typer(help="Check, test and list the policy rules (YAML rule packs).", no_args_is_help=True)
app.add_typer(rules_app, name="rules")

PATHS = typer.Argument(None, help="Rule files or folders; default: the built-in pack.")


class LintFormat(StrEnum):
    text = "text"
    github = "github"


@rules_app.command("lint")
def lint_cmd(paths: list[str] | None = PATHS,
             fmt: LintFormat = typer.Option(LintFormat.text, "--format", "-f",
                                            help="text, or github for GitHub Actions annotations.")) -> None:
    """Validate rule files: schema, categories, types, duplicate ids, regexes, examples."""
    from whatsapp_audit.rules.lint import github, lint
    from whatsapp_audit.rules.pack import load_pack

    pack = load_pack(paths or None, strict=False)
    issues = lint(pack)
    for i in issues:
        typer.echo(github(i) if fmt is LintFormat.github else str(i))
    if issues:
        typer.echo(f"{len(issues)} problem(s) in {len(pack.files)} file(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{pack.name} {pack.version}: {len(pack.rules)} rules in {len(pack.files)} files, no problems",
               err=True)


@rules_app.command("test")
def test_cmd(paths: list[str] | None = PATHS) -> None:
    """Run every rule's examples: breach examples must fire, clean ones must not."""
    from whatsapp_audit.rules import selftest
    from whatsapp_audit.rules.pack import load_pack

    pack = load_pack(paths or None)
    total = failed = 0
    for _rule, n, failure in selftest.run(pack):
        total += n
        if failure is not None:
            failed += 1
            typer.echo(str(failure))
    typer.echo(f"{total - failed}/{total} rule examples pass ({len(pack.rules)} rules)", err=True)
    if failed:
        raise typer.Exit(1)


@rules_app.command("list")
def list_cmd(paths: list[str] | None = PATHS) -> None:
    """The rules with their category, severity and what they say."""
    from rich.console import Console
    from rich.table import Table

    from whatsapp_audit.rules.pack import load_pack

    pack = load_pack(paths or None)
    t = Table(title=f"{pack.name} {pack.version}", title_justify="left")
    for col in ("rule", "category", "severity", "type", "message"):
        t.add_column(col)
    for r in sorted(pack.rules, key=lambda r: (r.category, r.id)):
        t.add_row(r.id + ("" if r.enabled else " (off)"), r.category, r.severity.name, r.type, r.message)
    Console().print(t)


@rules_app.command("types")
def types_cmd() -> None:
    """The rule types a rule file can use, with their options."""
    from whatsapp_audit.rules.types import REGISTRY

    for name, cls in REGISTRY.items():
        typer.echo(f"{name}: {cls.description}")
        for opt, spec in cls.options.items():
            req = " (required)" if spec.required else ""
            typer.echo(f"    {opt}: {spec.kind}{req}  {spec.doc}")
