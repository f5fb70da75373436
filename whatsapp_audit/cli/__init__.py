"""The `wa-audit` command line. One module per sub-command; this module only wires them together
and turns user errors into one line on stderr with exit code 2 (a traceback only with --debug)."""

from __future__ import annotations

import os
import sys

import click
import typer

from whatsapp_audit import __version__
from whatsapp_audit.console import failure, flushed

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


# command -> the module that registers it on `app` (imported in _register, so no import cycles)
COMMANDS = {"parse": "parse_cmd", "scan": "scan_cmd", "report": "report_cmd", "review": "review_cmd",
            "rules": "rules_cmd", "group": "group_cmd", "cache": "cache_cmd"}


def _register(args: list[str]) -> None:
    """Import the module of the command being run - or every one, for --help and mistyped commands. The
    root options are flags, so the command is the first argument not starting with '-'. Each module costs
    start-up time (`wa-audit parse` on 100k messages takes 0.7 s, so it shows)."""
    import importlib

    name = next((a for a in args if not a.startswith("-")), None)
    for module in [COMMANDS[name]] if name in COMMANDS else COMMANDS.values():
        importlib.import_module(f"whatsapp_audit.cli.{module}")


def main(argv: list[str] | None = None) -> int:
    _register(argv if argv is not None else sys.argv[1:])
    debug = "--debug" in (argv if argv is not None else sys.argv)
    try:
        rc = app(args=argv, standalone_mode=False, prog_name="wa-audit")
        sys.stdout.flush()       # a full disk or a closed pipe shows here, not as a message at exit
    except typer.Exit as e:
        return flushed(e.exit_code, debug)
    except typer.Abort:
        print("wa-audit: interrupted", file=sys.stderr)
        return 130
    except click.ClickException as e:  # usage errors: bad option, missing argument
        e.show()
        return 2
    except (Exception, KeyboardInterrupt) as e:
        return failure(e, debug)
    if rc == 130:   # typer turns Ctrl-C into a silent return of 130 (commands themselves return None)
        print("wa-audit: interrupted", file=sys.stderr)
    return rc if isinstance(rc, int) else 0
