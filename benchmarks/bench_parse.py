#!/usr/bin/env python3
"""Parser speed: 100,000-message exports per dialect, parsed by `wa-audit parse --format jsonl`.

    python benchmarks/bench_parse.py [--messages 100000] [--repeat 5] [--peers] [--keep DIR]

Generates the exports with ../shared/tools/gen_chat.py when it exists (else with the generator in
_common.py, so this runs anywhere), then prints per dialect:
  - whole process: `wa-audit parse FILE --format jsonl > /dev/null`, best of --repeat, messages/s, CPU
    seconds and peak RSS (ru_maxrss of that child);
  - start-up alone (`wa-audit --version`), to separate import cost from parsing;
  - in-process: `open_chat` + JSON lines (the CLI's path) and `chat.messages()` (the API).
With --peers it installs whatstk and chat-miner (PyPI) into a throwaway venv and whatsapp-chat-parser (npm)
into a throwaway folder, times them on the same files in the same run (whole process, parse only - they
write nothing) and prints wa-audit's speed-up over each.
The machine may be shared: best-of-N wall time is reported, with CPU time beside it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import GEN, best, generate, wa_audit_cmd  # shared with bench_scan.py

DIALECTS = ("android-gb", "ios-gb", "android-us")

WHATSTK = """import sys
from whatstk import df_from_whatsapp
print(len(df_from_whatsapp(sys.argv[1])))
"""
CHATMINER = """import sys, logging
logging.disable(logging.CRITICAL)
from chatminer.chatparsers import WhatsAppParser
p = WhatsAppParser(sys.argv[1])
p.parse_file()
print(len(p.parsed_messages.get_df()))
"""
NODE = """const fs = require('fs');
const w = require('whatsapp-chat-parser');
console.log(w.parseString(fs.readFileSync(process.argv[2], 'utf8')).length);
"""


# ---------------------------------------------------------------------------------------- timing

IN_PROCESS = """import os, sys, time
from whatsapp_audit.parse import open_chat
from whatsapp_audit.parse.jsonl import write_lines
path, repeat = sys.argv[1], int(sys.argv[2])
def json_path():
    with open_chat(path) as chat, open(os.devnull, "wb") as out:
        return write_lines(chat.json_batches(), out)
def api_path():
    with open_chat(path) as chat:
        return sum(1 for _ in chat.messages())
res = []
for fn in (json_path, api_path):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        n = fn()
        times.append(time.perf_counter() - t0)
    res.append(min(times))
print(n, res[0], res[1])
"""


def in_process(path: Path, repeat: int) -> tuple[int, float, float]:
    """(records, best s for the JSON-lines path, best s for `messages()`), measured in a child process so
    that this process stays small (a child's peak RSS would otherwise include the parent's)."""
    out = subprocess.run([sys.executable, "-c", IN_PROCESS, str(path), str(repeat)], capture_output=True,
                         text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), float(out[2])


# ----------------------------------------------------------------------------------------- peers

def install_peers(work: Path) -> dict[str, list[str]]:
    """Throwaway installs; a peer that cannot be installed is reported and skipped."""
    peers: dict[str, list[str]] = {}
    venv = work / "venv"
    print("installing whatstk and chat-miner into a throwaway venv ...", file=sys.stderr)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "whatstk", "chat-miner"], check=True,
                       capture_output=True)
        (work / "whatstk_run.py").write_text(WHATSTK)
        (work / "chatminer_run.py").write_text(CHATMINER)
        peers["whatstk"] = [str(venv / "bin" / "python"), str(work / "whatstk_run.py")]
        peers["chat-miner"] = [str(venv / "bin" / "python"), str(work / "chatminer_run.py")]
    except (subprocess.CalledProcessError, OSError) as e:
        print(f"  skipped the Python peers: {e}", file=sys.stderr)
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        print("installing whatsapp-chat-parser (npm) into a throwaway folder ...", file=sys.stderr)
        try:
            npm_dir = work / "npm"
            npm_dir.mkdir()
            subprocess.run([npm, "install", "--silent", "--prefix", str(npm_dir), "whatsapp-chat-parser"],
                           check=True, capture_output=True)
            (npm_dir / "run.cjs").write_text(NODE)
            peers["whatsapp-chat-parser"] = [node, str(npm_dir / "run.cjs")]
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"  skipped whatsapp-chat-parser: {e}", file=sys.stderr)
    else:
        print("  skipped whatsapp-chat-parser: node/npm not found", file=sys.stderr)
    return peers


# ------------------------------------------------------------------------------------------ main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement (best is kept)")
    ap.add_argument("--peer-repeat", type=int, default=1, help="runs per slow Python peer (they take 10 s+)")
    ap.add_argument("--dialects", default=",".join(DIALECTS))
    ap.add_argument("--peers", action="store_true", help="also time whatstk, chat-miner, whatsapp-chat-parser")
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    a = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="wa-bench-"))
    data = a.keep or work
    data.mkdir(parents=True, exist_ok=True)
    try:
        peers = install_peers(work) if a.peers else {}
        wa = wa_audit_cmd()
        start_wall, start_cpu, start_rss = best([*wa, "--version"], a.repeat)
        print(f"generator: {GEN if GEN.exists() else 'built-in'}; start-up (`wa-audit --version`): "
              f"{start_wall:.3f} s wall, {start_cpu:.3f} s CPU, {start_rss / 1024:.1f} MB")
        print(f"{'dialect':<11} {'tool':<21} {'msgs/s':>9} {'wall s':>7} {'cpu s':>6} {'peak RSS':>9}")
        speedups: dict[str, list[tuple[float, float]]] = {}
        for dialect in [d.strip() for d in a.dialects.split(",") if d.strip()]:
            path = data / f"{dialect}.txt"
            if not path.exists():
                generate(dialect, a.messages, path)
            n, j, m = in_process(path, a.repeat)
            wall, cpu, rss = best([*wa, "parse", str(path), "--format", "jsonl"], a.repeat)
            print(f"{dialect:<11} {'wa-audit parse':<21} {n / wall:>9,.0f} {wall:>7.3f} {cpu:>6.2f} "
                  f"{rss / 1024:>7.1f}MB")
            print(f"{'':<11} {'  minus start-up':<21} {n / max(wall - start_wall, 1e-9):>9,.0f} "
                  f"{wall - start_wall:>7.3f}")
            print(f"{'':<11} {'  in-process jsonl':<21} {n / j:>9,.0f} {j:>7.3f}")
            print(f"{'':<11} {'  in-process messages':<21} {n / m:>9,.0f} {m:>7.3f}")
            for name, cmd in peers.items():
                rep = a.repeat if name == "whatsapp-chat-parser" else a.peer_repeat
                env = dict(os.environ, TQDM_DISABLE="1")
                try:
                    pw, pc, prss = best([*cmd, str(path)], rep, env)
                except RuntimeError as e:
                    print(f"{'':<11} {name:<21} failed: {e}")
                    continue
                speedups.setdefault(name, []).append((pw / wall, pc / cpu))
                print(f"{'':<11} {name:<21} {n / pw:>9,.0f} {pw:>7.3f} {pc:>6.2f} {prss / 1024:>7.1f}MB"
                      f"   wa-audit/peer speed: {pw / wall:.1f}x wall, {pc / cpu:.1f}x CPU")
        if speedups:
            print("\nwhole-process `wa-audit parse` speed relative to each peer, per dialect (wall / CPU;"
                  " above 1 means wa-audit is faster):")
            for name, ratios in speedups.items():
                print(f"  {name:<21} " + "  ".join(f"{w:.1f}x/{c:.1f}x" for w, c in ratios))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
