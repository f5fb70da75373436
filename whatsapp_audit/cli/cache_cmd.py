"""`wa-audit cache info|clear`: the re-scan cache (whatsapp_audit.cache) in the user's cache folder."""

from __future__ import annotations

import typer

from whatsapp_audit.cli import app, common

cache_app = typer.Typer(help="The re-scan cache: rule results kept so a re-export of a chat scans only its new "
                             "messages. It holds children's data; it lives in your user cache folder, readable by "
                             "you only.", no_args_is_help=True)
app.add_typer(cache_app, name="cache")


@cache_app.command("info")
def info_cmd() -> None:
    """Where the cache is and how big it is."""
    from whatsapp_audit.cache import info

    i = info()
    if not i["exists"]:
        typer.echo(f"{i['path']}: no cache yet")
        return
    typer.echo(f"{i['path']}: {i['bytes'] / 1e6:.1f} MB, {i['results']:,} stored segments, "
               f"{i['snapshots']:,} rule-state snapshots, {i['checkpoints']:,} chat checkpoints")


@cache_app.command("clear")
def clear_cmd() -> None:
    """Delete the cache (the next scan of each chat computes everything again)."""
    from whatsapp_audit.cache import cache_dir, clear

    removed = clear()
    common.note(f"removed {len(removed)} cache file(s) from {cache_dir()}" if removed
                else f"no cache to remove in {cache_dir()}")
