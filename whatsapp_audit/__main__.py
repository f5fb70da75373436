"""`wa-audit` and `python -m whatsapp_audit`: the console entry point.

Kept free of imports until it runs, so Ctrl-C while the command line is still loading (typer, click: a
fifth of a second) ends quietly like Ctrl-C anywhere later, instead of with a traceback.

`wa-audit parse CHAT [--format jsonl|table] [--date-order auto|dmy|mdy]` - the command other tools run
on whole exports, where start-up shows - goes straight to parse/output.py without typer; any other
arguments (help, a typo, another spelling of an option) take the full command line, which says what is wrong.
"""

import sys


def plain_parse(args: list[str]) -> tuple[str, str, str] | None:
    """(chat, format, date order) when `args` is a simple `parse` command line, else None."""
    if len(args) < 2 or args[0] != "parse":
        return None
    from whatsapp_audit.parse.dialect import ORDERS
    from whatsapp_audit.parse.output import FORMATS

    choices = {"--format": FORMATS, "-f": FORMATS, "--date-order": ORDERS}
    chat: str | None = None
    opts = {"--format": "jsonl", "--date-order": "auto"}
    rest = args[1:]
    i = 0
    while i < len(rest):
        a = rest[i]
        if a in choices:
            if i + 1 >= len(rest) or rest[i + 1] not in choices[a]:
                return None
            opts["--format" if a == "-f" else a] = rest[i + 1]
            i += 2
        elif chat is None and (a == "-" or not a.startswith("-")):
            chat = a
            i += 1
        else:
            return None
    return (chat, opts["--format"], opts["--date-order"]) if chat is not None else None


def _terminated(signum: int, frame: object) -> None:
    # `kill` / a closed terminal: unwind like Ctrl-C, so temporary files and half-written output are
    # removed by the code that made them (the default handler exits on the spot).
    raise SystemExit(128 + signum)


def _unraisable(u: object) -> None:
    # Python drops an exception raised where it cannot propagate - a __del__, a weakref callback - and a
    # signal's exception (Ctrl-C's KeyboardInterrupt, the SystemExit above) can land there (seen: in the
    # regex module's Group.__del__), so the scan would carry on to the end. Raise it again a moment later
    # from a timer, when this frame is gone (raised from here, it would only be dropped again).
    import signal

    value = getattr(u, "exc_value", None)
    code = value.code if isinstance(value, SystemExit) else None
    ours = isinstance(value, KeyboardInterrupt) or (isinstance(code, int) and code - 128 in _HANDLED)
    if ours and hasattr(signal, "setitimer"):
        def again(signum: int, frame: object) -> None:
            raise KeyboardInterrupt if isinstance(value, KeyboardInterrupt) else SystemExit(code)

        signal.signal(signal.SIGALRM, again)
        signal.setitimer(signal.ITIMER_REAL, 0.005)
        return
    sys.__unraisablehook__(u)  # type: ignore[arg-type]


_HANDLED: set[int] = set()


def main() -> int:
    import signal

    signal.signal(signal.SIGTERM, _terminated)
    _HANDLED.add(signal.SIGTERM)
    sys.unraisablehook = _unraisable
    fast = plain_parse(sys.argv[1:])
    try:
        if fast is not None:
            from whatsapp_audit.console import failure, flushed
            from whatsapp_audit.parse.output import print_records
        else:
            from whatsapp_audit.cli import main as full
    except KeyboardInterrupt:
        print("wa-audit: interrupted", file=sys.stderr)
        return 130
    if fast is None:
        return full()
    try:
        return flushed(print_records(*fast), debug=False)
    except (Exception, KeyboardInterrupt) as e:
        return failure(e, debug=False)


if __name__ == "__main__":
    sys.exit(main())
