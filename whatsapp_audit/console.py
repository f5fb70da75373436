"""How a command-line run ends: the exit code and the one line on stderr for every way a command can fail.

Shared by the typer command line (cli/__init__.py) and the typer-free fast path for `wa-audit parse`
(__main__.py), so both say the same thing; kept outside cli/ because importing that package loads typer.
"""

from __future__ import annotations

import os
import sys

from whatsapp_audit.errors import UserError


def failure(e: BaseException, debug: bool) -> int:
    """Print what went wrong (a traceback only with --debug) and return the exit code."""
    if isinstance(e, KeyboardInterrupt):
        print("wa-audit: interrupted", file=sys.stderr)
        return 130
    if isinstance(e, BrokenPipeError):   # `wa-audit scan chat.txt | head`: the reader went away; stop quietly
        drop_stdout()
        return 0
    if debug:
        raise e
    if isinstance(e, UserError):
        print(f"wa-audit: error: {e}", file=sys.stderr)
        return e.exit_code
    if isinstance(e, TimeoutError):      # a rule's pattern ran past its time limit (the rule types name it)
        print(f"wa-audit: error: a rule's pattern took too long on one message and was stopped ({e}) "
              "(run `wa-audit rules lint` on your rule files)", file=sys.stderr)
        return 2
    if isinstance(e, OSError):           # writing the output: a full disk, a closed pipe, a vanished folder
        print(f"wa-audit: error: {e.filename or 'output'}: {e.strerror or e} (check the disk and the path)",
              file=sys.stderr)
        return 2
    if isinstance(e, Exception):
        print(f"wa-audit: internal error: {e.__class__.__name__}: {e} (run with --debug for details)",
              file=sys.stderr)
        return 3
    raise e                              # SystemExit and the like: not ours to report


def drop_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def flushed(rc: int, debug: bool) -> int:
    """`rc`, once stdout is flushed: a full disk or a closed pipe shows here, not as a message at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        drop_stdout()
    except OSError as e:
        if debug:
            raise
        drop_stdout()
        print(f"wa-audit: error: output: {e.strerror or e} (check the disk and the path)", file=sys.stderr)
        return 2
    return rc
