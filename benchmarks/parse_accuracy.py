#!/usr/bin/env python3
"""Parser accuracy against the labelled corpus: render every script into every dialect (LF and CRLF) with
../shared/tools/render_chat.py, run `wa-audit parse --format jsonl` on each export and compare with gold.jsonl.

    python benchmarks/parse_accuracy.py [--shared ../shared] [--show 5]

A record counts as correct when it equals its gold record exactly (ignoring `labels`) and, for system
records, `event`/`actor`/`target` match the script (gold.jsonl does not carry those, so they are taken
from the script through render_chat's own functions). Exit 1 if any dialect is below 100%.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_KEYS = ("event", "actor", "target")
WHO_EVENTS = {"left", "joined", "number-changed", "security-code"}   # the member is `actor` or `target`
ACTOR_EVENTS = {"created", "subject", "icon", "description"}


def load_renderer(shared: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("render_chat", shared / "tools" / "render_chat.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def expected_events(rc: ModuleType, script: Path, dialect: str) -> list[dict[str, Any] | None]:
    """Per gold record: the event/actor/target the contract asks for (None for non-system records)."""
    doc = rc.load_script(str(script))
    out: list[dict[str, Any] | None] = []
    for m in rc.expand(doc, 1):
        if rc.render_message(m, dialect, str(doc["group"])) is None:
            continue            # the renderer skips it in this dialect
        if m["kind"] != "system":
            out.append(None)
            continue
        ev = m["event"]
        actor, target = m.get("actor"), m.get("target")
        exp: dict[str, Any] = {"event": ev}
        if ev in WHO_EVENTS:
            who = actor if actor is not None else target
            if who is not None:
                exp["actor"] = rc.clean(str(who))
        elif ev in ACTOR_EVENTS:
            if actor is not None:
                exp["actor"] = rc.clean(str(actor))
        elif ev in ("added", "removed"):
            exp["actor"] = rc.clean(str(actor))
            exp["target"] = rc.clean(str(target))
        out.append(exp)
    return out


def parse(chat: Path) -> tuple[list[dict[str, Any]], str]:
    p = subprocess.run([sys.executable, "-m", "whatsapp_audit", "parse", str(chat), "--format", "jsonl"],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT)
    if p.returncode != 0:
        return [], p.stderr.strip()
    return [json.loads(x) for x in p.stdout.splitlines()], p.stderr.strip()


def compare(got: list[dict[str, Any]], gold: list[dict[str, Any]], events: list[dict[str, Any] | None]
            ) -> tuple[int, list[str]]:
    ok = 0
    diffs: list[str] = []
    for i in range(max(len(got), len(gold))):
        g = got[i] if i < len(got) else None
        want = dict(gold[i]) if i < len(gold) else None
        if want is not None:
            want.pop("labels", None)
            if i < len(events) and events[i] is not None:
                want.update(events[i])  # type: ignore[arg-type]
        if g == want:
            ok += 1
        else:
            diffs.append(f"  record {i}:\n    got  {json.dumps(g, ensure_ascii=False)}\n"
                         f"    want {json.dumps(want, ensure_ascii=False)}")
    return ok, diffs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--show", type=int, default=5, help="differences to print per export")
    a = ap.parse_args(argv)
    shared = a.shared.resolve()
    render = shared / "tools" / "render_chat.py"
    if not render.exists():
        print(f"parse_accuracy: {render} not found (pass --shared)", file=sys.stderr)
        return 2
    rc = load_renderer(shared)
    scripts = [*sorted((shared / "corpus" / "labelled").glob("*.yaml")), shared / "tools" / "example-script.yaml"]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory(prefix="wa-acc-") as tmp:
        for script in scripts:
            for crlf in (False, True):
                out = Path(tmp) / f"{script.stem}{'-crlf' if crlf else ''}"
                cmd = [sys.executable, str(render), str(script), str(out)] + (["--crlf"] if crlf else [])
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    print(f"render failed for {script}: {r.stderr.strip()}", file=sys.stderr)
                    return 2
                for ddir in sorted(p for p in out.iterdir() if p.is_dir()):
                    gold = [json.loads(x) for x in (ddir / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
                    got, err = parse(ddir / "_chat.txt")
                    ok, diffs = compare(got, gold, expected_events(rc, script, ddir.name))
                    totals[ddir.name][0] += ok
                    totals[ddir.name][1] += len(gold)
                    label = f"{script.stem} {ddir.name}{' crlf' if crlf else ''}"
                    if diffs or err:
                        print(f"{label}: {ok}/{len(gold)}" + (f"  stderr: {err}" if err else ""))
                        for d in diffs[:a.show]:
                            print(d)
    print(f"\n{'dialect':<12} {'exact':>7} {'total':>7} {'accuracy':>9}")
    worst = 100.0
    for dialect, (ok, n) in sorted(totals.items()):
        pct = 100.0 * ok / n if n else 0.0
        worst = min(worst, pct)
        print(f"{dialect:<12} {ok:>7} {n:>7} {pct:>8.2f}%")
    return 0 if worst == 100.0 else 1


if __name__ == "__main__":
    sys.exit(main())
