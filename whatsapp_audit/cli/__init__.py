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
    except UserError as e:
        if debug:
            raise
        print(f"wa-audit: error: {e}", file=sys.stderr)
        return e.exit_code
    except typer.Exit as e:
        return _flushed(e.exit_code, debug)
    except (typer.Abort, KeyboardInterrupt):
        print("wa-audit: interrupted", file=sys.stderr)
        return 130
    except click.ClickException as e:  # usage errors: bad option, missing argument
        e.show()
        return 2
    except BrokenPipeError:   # `wa-audit scan chat.txt | head`: the reader went away; stop quietly
        _drop_stdout()
        return 0
    except TimeoutError as e:  # a rule's pattern ran past its time limit (regex/details rules name the rule)
        if debug:
            raise
        print(f"wa-audit: error: a rule's pattern took too long on one message and was stopped ({e}) "
              "(run `wa-audit rules lint` on your rule files)", file=sys.stderr)
        return 2
    except OSError as e:       # writing the output: a full disk, a closed pipe, a vanished folder
        if debug:
            raise
        print(f"wa-audit: error: {e.filename or 'output'}: {e.strerror or e} (check the disk and the path)",
              file=sys.stderr)
        return 2
    except Exception as e:
        if debug:
            raise
        print(f"wa-audit: internal error: {e.__class__.__name__}: {e} (run with --debug for details)",
              file=sys.stderr)
        return 3
    if rc == 130:   # typer turns Ctrl-C into a silent return of 130 (commands themselves return None)
        print("wa-audit: interrupted", file=sys.stderr)
    return rc if isinstance(rc, int) else 0


def _drop_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _flushed(rc: int, debug: bool) -> int:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()
    except OSError as e:
        if debug:
            raise
        _drop_stdout()
        print(f"wa-audit: error: output: {e.strerror or e} (check the disk and the path)", file=sys.stderr)
        return 2
    return rc
