"""The `wa-audit` command line. One module per sub-command; this module only wires them together
and turns user errors into one line on stderr with exit code 2 (a traceback only with --debug)."""

from __future__ import annotations

import os
import sys

import click
import typer

from whatsapp_audit import __version__
from whatsapp_audit.errors import UserError

app = typer.Typer(
    name="wa-audit",
    help="Audit an exported WhatsApp class-group chat against the school's parents' group policy. "
         "Runs entirely offline: nothing is ever sent anywhere.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wa-audit {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors (for bug reports)."),
) -> None:
    if debug:
        os.environ["WA_AUDIT_DEBUG"] = "1"


def _register() -> None:
    # Imported here so each command module can register itself on `app` without import cycles.
    from whatsapp_audit.cli import group_cmd, parse_cmd, report_cmd, rules_cmd, scan_cmd  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    _register()
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        rc = app(args=argv, standalone_mode=False, prog_name="wa-audit")
    except UserError as e:
        if debug:
            raise
        print(f"wa-audit: error: {e}", file=sys.stderr)
        return e.exit_code
    except typer.Exit as e:
        return e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("wa-audit: interrupted", file=sys.stderr)
        return 130
    except click.ClickException as e:  # usage errors: bad option, missing argument
        e.show()
        return 2
    except Exception as e:
        if debug:
            raise
        print(f"wa-audit: internal error: {e.__class__.__name__}: {e} (run with --debug for details)",
              file=sys.stderr)
        return 3
    return rc if isinstance(rc, int) else 0
