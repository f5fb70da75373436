#!/usr/bin/env python3
"""Full-scan speed (rules + NER) on synthetic exports, and the incremental re-scan the cache makes possible.

    python benchmarks/bench_scan.py [--sizes 10k,100k] [--dialects android-gb] [--repeat 1] [--no-ner]
                                    [--no-incremental] [--keep DIR]

Per dialect and size (exports from _common.py, as bench_parse.py), whole processes, best of --repeat, with
messages/s, wall and CPU seconds and peak RSS (ru_maxrss of that child):
  - `wa-audit parse FILE --format jsonl`                              (parse alone, for scale)
  - `wa-audit scan FILE --format json --no-cache`                     (full scan: parse, every rule, NER, JSON)
  - `wa-audit scan FILE --format json` into an empty cache            (the first scan of a chat)
  - `wa-audit scan FILE+1% --format json` with that cache             (next week's export: 1% more messages;
                                                                       the cache is reset before each repeat,
                                                                       so it resumes from FILE's checkpoint)
and, for the re-scan, the same work in one process split into start-up + loading the rules, the audit
(parse + cache + new messages) and writing the JSON. The cache lives in a temporary XDG_CACHE_HOME.
1M messages take several minutes per full scan: ask for them with --sizes 1M. A chat over 2 MB is scanned
in two processes on a machine with two CPUs or more (its rules shared out by category: whatsapp_audit/split.py);
the re-scan phases above run in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import GEN, HEADER, best, generate, label, row, size, timed, wa_audit_cmd

PHASES = """import json, os, sys, time
t0 = time.perf_counter()
from whatsapp_audit.audit import ScanOptions, audit
from whatsapp_audit.report.formats import json_format
from whatsapp_audit.rules.pack import load_pack
pack = load_pack()
t1 = time.perf_counter()
r = audit(sys.argv[1], pack, None, ScanOptions(cache=True, context=False, use_ner=sys.argv[2] == "ner"))
t2 = time.perf_counter()
with open(os.devnull, "w") as out:
    json_format.write(r, out)
t3 = time.perf_counter()
print(json.dumps({"start": t1 - t0, "audit": t2 - t1, "json": t3 - t2, "stats": r.cache_stats,
                  "messages": r.chat.messages, "findings": len(r.findings)}))
"""


def phases(path: Path, ner: bool, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", PHASES, str(path), "ner" if ner else "no-ner"], env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10k,100k", help="comma-separated message counts: 10k,100k,1M")
    ap.add_argument("--dialects", default="android-gb")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (best is kept)")
    ap.add_argument("--no-ner", action="store_true", help="scan with --no-ner (rules only)")
    ap.add_argument("--no-incremental", action="store_true", help="skip the cached re-scan")
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    a = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="wa-bench-scan-"))
    data = a.keep or work
    data.mkdir(parents=True, exist_ok=True)
    wa = wa_audit_cmd()
    ner = [] if not a.no_ner else ["--no-ner"]
    try:
        start_wall, start_cpu, _ = best([*wa, "--version"], 3)
        print(f"generator: {GEN if GEN.exists() else 'built-in'}; NER: {'off' if a.no_ner else 'on'}; "
              f"start-up (`wa-audit --version`): {start_wall:.3f} s wall, {start_cpu:.3f} s CPU")
        print(HEADER)
        for dialect in [d.strip() for d in a.dialects.split(",") if d.strip()]:
            for s in a.sizes.split(","):
                n = size(s)
                extra = max(1, n // 100)
                old, new = data / f"{dialect}-{label(n)}.txt", data / f"{dialect}-{label(n)}+1pct.txt"
                if not old.exists():
                    generate(dialect, n, old)
                if not a.no_incremental and not new.exists():
                    generate(dialect, n + extra, new)
                print(f"{dialect:<11} {label(n)} messages")
                wall, cpu, rss = best([*wa, "parse", str(old), "--format", "jsonl"], a.repeat)
                print(row("", "wa-audit parse", n, wall, cpu, rss))
                empty = dict(os.environ, XDG_CACHE_HOME=str(work / "unused-cache"))
                wall, cpu, rss = best([*wa, "scan", str(old), "-f", "json", "--no-cache", "--fail-on", "never", *ner],
                                      a.repeat, empty)
                print(row("", "wa-audit scan, no cache", n, wall, cpu, rss))
                if a.no_incremental:
                    continue
                filled = work / f"cache-{dialect}-{n}"
                env = dict(os.environ, XDG_CACHE_HOME=str(filled))
                wall, cpu, rss = timed([*wa, "scan", str(old), "-f", "json", "--fail-on", "never", *ner], env)
                print(row("", "scan, filling the cache", n, wall, cpu, rss))
                runs = []
                for _ in range(a.repeat):
                    trial = work / "cache-trial"
                    shutil.rmtree(trial, ignore_errors=True)
                    shutil.copytree(filled, trial)
                    runs.append(timed([*wa, "scan", str(new), "-f", "json", "--fail-on", "never", *ner],
                                      dict(os.environ, XDG_CACHE_HOME=str(trial))))
                wall, cpu, rss = min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)
                print(row("", f"re-scan +{extra:,} new, cached", n + extra, wall, cpu, rss))
                trial = work / "cache-trial"
                shutil.rmtree(trial, ignore_errors=True)
                shutil.copytree(filled, trial)
                p = phases(new, not a.no_ner, dict(os.environ, XDG_CACHE_HOME=str(trial)))
                st = p["stats"]
                total = max(1, st["resumed"] + st["reused"] + st["computed"])
                print(f"{'':<11}   in one process: start-up + rules {p['start']:.2f} s, audit {p['audit']:.2f} s "
                      f"(parse + cache + {extra:,} new), JSON {p['json']:.2f} s; rule x message checks: "
                      f"{st['resumed'] / total:.1%} skipped (resumed from the last scan's checkpoint), "
                      f"{st['reused'] / total:.1%} reused, {st['computed'] / total:.1%} computed; "
                      f"{p['findings']:,} findings")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
