#!/usr/bin/env python3
"""Parser speed: 100,000-message exports per dialect, parsed by `wa-audit parse --format jsonl`.

    python benchmarks/bench_parse.py [--messages 100000] [--repeat 5] [--peers] [--keep DIR]

Generates the exports with ../shared/tools/gen_chat.py when it exists (else with a small generator of its
own, so this runs anywhere), then prints per dialect:
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
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT.parent / "shared" / "tools" / "gen_chat.py"
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


# ------------------------------------------------------------------------------------- generating

def own_generator(dialect: str, n: int, seed: int = 1) -> str:
    """A small stand-in for gen_chat.py: same shape (system lines, media, deletions, multi-line)."""
    rng = random.Random(seed)
    names = ["Jane Smith", "Tom Baker", "Priya Patel", "+44 7700 900123", "Chloe Wright", "Mohammed Khan"]
    words = ["morning", "all", "is", "PE", "tomorrow", "thanks", "so", "much", "trip", "money", "due", "Friday",
             "see", "you", "there", "👍", "😂", "🙏"]
    ios = dialect.startswith("ios")
    lrm = "\u200e"

    def hdr(t: dt.datetime) -> str:
        if dialect == "android-gb":
            return t.strftime("%d/%m/%Y, %H:%M - ")
        if dialect == "android-us":
            h = t.hour % 12 or 12
            return f"{t.month}/{t.day}/{t:%y}, {h}:{t.minute:02d}\u202f{'AM' if t.hour < 12 else 'PM'} - "
        return t.strftime("[%d/%m/%Y, %H:%M:%S] ")

    t = dt.datetime(2023, 9, 4, 7, 58, 12)
    lines = [hdr(t) + ("Year 4 Oak: " + lrm if ios else "") + "Messages and calls are end-to-end encrypted. "
             "No one outside of this chat, not even WhatsApp, can read or listen to them."]
    for _ in range(n):
        t += dt.timedelta(seconds=rng.randint(1, 480))
        who = rng.choice(names)
        if ios and who.startswith("+"):
            who = f"\u202a{who}\u202c"
        r = rng.random()
        if r < 0.01:
            lines.append(hdr(t) + ("Year 4 Oak: " + lrm if ios else "") + f"Jane Smith added {who}")
        elif r < 0.06:
            lines.append(hdr(t) + f"{who}: " + (lrm + "image omitted" if ios else "<Media omitted>"))
        elif r < 0.16:
            lines.append(hdr(t) + f"{who}: " + " ".join(rng.choices(words, k=8)))
            lines.append(" ".join(rng.choices(words, k=5)))
        else:
            lines.append(hdr(t) + f"{who}: " + " ".join(rng.choices(words, k=rng.randint(2, 14))))
    return "\n".join(lines) + "\n"


def generate(dialect: str, n: int, out: Path) -> None:
    if GEN.exists():
        with out.open("wb") as f:
            subprocess.run([sys.executable, str(GEN), "--dialect", dialect, "--messages", str(n), "--seed", "1"],
                           stdout=f, stderr=subprocess.DEVNULL, check=True)
    else:
        out.write_text(own_generator(dialect, n), encoding="utf-8")


# ---------------------------------------------------------------------------------------- timing

def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of one child process; its output goes to /dev/null."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed with exit {p.returncode}")
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def best(cmd: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float, int]:
    runs = [timed(cmd, env) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


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


def wa_audit_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("wa-audit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "whatsapp_audit"]


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
