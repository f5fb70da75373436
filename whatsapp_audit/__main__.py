"""`wa-audit` and `python -m whatsapp_audit`: the console entry point.

Kept free of imports until it runs, so Ctrl-C while the command line is still loading (typer, click: a
fifth of a second) ends quietly like Ctrl-C anywhere later, instead of with a traceback.
"""

import sys


def main() -> int:
    try:
        from whatsapp_audit.cli import main as run
    except KeyboardInterrupt:
        print("wa-audit: interrupted", file=sys.stderr)
        return 130
    return run()


if __name__ == "__main__":
    sys.exit(main())
