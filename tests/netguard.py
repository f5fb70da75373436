"""Make any network use fail the test that caused it: chats hold children's data and wa-audit is offline.

Installed by conftest.py when pytest starts (before any test module imports wa-audit, so import-time use
is caught too) and, through `netguard_site/sitecustomize.py` on PYTHONPATH, in every Python subprocess a
test starts (the CLI run as a real process). Blocked: creating an internet socket (AF_INET/AF_INET6, any
type) and name lookups. Local AF_UNIX sockets (process pools, socketpair) are not network and stay allowed.

Code may catch the error it gets, so every attempt is also recorded (in `attempts`, and in the file named
by $WA_AUDIT_NETGUARD_LOG for subprocesses); conftest fails the test if any attempt was recorded.
"""

from __future__ import annotations

import os
import socket
import traceback

ENV = "WA_AUDIT_NETGUARD_LOG"
attempts: list[str] = []
_LOCAL = {getattr(socket, "AF_UNIX", None)} - {None}
_installed = False


class NetworkUsed(RuntimeError):
    """Not an OSError, so `except OSError` around a download attempt cannot hide it."""


def _record(what: str) -> None:
    where = "".join(traceback.format_stack(limit=8)[:-2])
    attempts.append(f"{what}\n{where}")
    path = os.environ.get(ENV)
    if path:
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"pid {os.getpid()}: {what}\n{where}\n")
        except OSError:
            pass
    raise NetworkUsed(f"network access attempted: {what}")


_Real = socket.socket


# The one known probe: urllib3 (imported by spaCy through `requests`) asks at import time whether the machine
# has IPv6 by binding a socket to ::1. It is refused like any other (urllib3 then assumes no IPv6, as on a
# machine without it), but not counted as network use: nothing can be sent, and it is not wa-audit's code.
_PROBES = (("urllib3", "_has_ipv6"),)


def _is_probe() -> bool:
    import sys

    f = sys._getframe(2)
    for _ in range(4):
        if f is None:
            return False
        if any(mod in f.f_code.co_filename and f.f_code.co_name == fn for mod, fn in _PROBES):
            return True
        f = f.f_back
    return False


class GuardedSocket(_Real):
    def __init__(self, family: int = -1, type: int = -1, proto: int = -1, fileno: int | None = None) -> None:
        if fileno is None and (socket.AF_INET if family == -1 else family) not in _LOCAL:
            if _is_probe():
                raise NetworkUsed("internet sockets are blocked during the tests")
            _record(f"socket(family={family}, type={type})")
        super().__init__(family, type, proto, fileno)


def _lookup(name: str):  # type: ignore[no-untyped-def]
    def refuse(*args: object, **kwargs: object) -> object:
        _record(f"{name}{args}")
        return None
    return refuse


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    socket.socket = GuardedSocket  # type: ignore[misc]
    socket.SocketType = GuardedSocket  # type: ignore[misc]
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
                 "create_server"):
        setattr(socket, name, _lookup(name))
