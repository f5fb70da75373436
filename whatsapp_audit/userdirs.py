"""The per-user cache folder (results of earlier scans, derived data files), and writing into it privately."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/wa-audit, else ~/.cache/wa-audit (a relative XDG_CACHE_HOME is ignored, per the spec)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "wa-audit"


@contextlib.contextmanager
def private() -> Iterator[None]:
    """Files created meanwhile (the database, SQLite's journal) are readable by their owner only."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def write_private(name: str, data: bytes) -> None:
    """Put a file in the cache folder (0700) atomically, readable by its owner only. Errors are the
    caller's: a cache that cannot be written only costs time."""
    folder = cache_dir()
    with private():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = folder / f".{name}.{os.getpid()}.tmp"
        try:
            tmp.write_bytes(data)
            os.replace(tmp, folder / name)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
